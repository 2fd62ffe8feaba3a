/**
 * The `deno` commands packaging runs: bundle the program, compile it per
 * target; and a runner tests can replace.
 *
 * @module
 */
import { join } from "node:path";
import { REPO_ROOT } from "../phase_command.ts";
import type { PackageOptions } from "./args.ts";

/** Where and with which environment changes a `deno` command runs (`undefined` unsets). */
export interface RunOptions {
  /** Working directory. */
  readonly cwd?: string;
  /** Variables to set, or to unset with `undefined`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Runs `deno` with arguments; tests substitute a double for compile. */
export type DenoRunner = (args: readonly string[], opts?: RunOptions) => Promise<void>;

/** The real runner: `deno <args>`, failing on a non-zero exit. */
export const runDeno: DenoRunner = async (
  args: readonly string[],
  opts: RunOptions = {},
): Promise<void> => {
  const env: Record<string, string> = Deno.env.toObject();
  for (const [name, value] of Object.entries(opts.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args],
    env,
    clearEnv: true,
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (out.code !== 0) throw new Error(`deno ${args[0]} failed with exit code ${out.code}`);
};

/**
 * The `deno compile` arguments for one target: the minified bundle (no
 * config, no lock file, the permission set as flags), so the same bundle and
 * runtime give the same bytes wherever it is built.
 *
 * @param triple Target triple.
 * @param engine JavaScript engine.
 * @param permissionFlags The phase permission set as flags.
 * @param output The executable to write.
 * @returns Arguments for `deno`, run in the bundle's directory.
 */
export function compileArgs(
  triple: string,
  engine: PackageOptions["engine"],
  permissionFlags: readonly string[],
  output: string,
): string[] {
  return [
    "compile",
    "-q",
    "--no-check",
    "--no-config",
    "--no-lock",
    ...permissionFlags,
    "--target",
    triple,
    ...(engine === "quickjs" ? ["--engine", "quickjs"] : []),
    "--output",
    output,
    BUNDLE,
  ];
}

/**
 * The module bundled apart from the program and loaded by `import()` only
 * when it is needed: the start-command inference (its Python reader is more
 * than a third of the code), which only an app with no script uses. Each
 * phase starts in a new process, and every byte of the program's bundle is
 * parsed at each start (measured with `deno task bench`: about 4 ms for this
 * module in the packaged detect).
 */
export const LAZY = {
  /** The module, in `src/`. */
  source: join(REPO_ROOT, "src", "poetry", "infer.ts"),
  /** How the program imports it (`await import("./infer.ts")`), left as it is by the bundle. */
  specifier: "./infer.ts",
  /** Its bundle, next to the program's. */
  bundle: "infer.js",
} as const;

/**
 * The `deno bundle` arguments of the program both runtimes ship: `src/main.ts`
 * minified into one file (smol-toml inlined; minified output holds no paths
 * of the machine it was made on), without {@linkcode LAZY}.
 *
 * @param output The file to write.
 * @returns Arguments for `deno`.
 */
export function bundleArgs(output: string): string[] {
  return bundle(output, join(REPO_ROOT, "src", "main.ts"), [
    "--external",
    `*/${LAZY.specifier.slice(2)}`,
  ]);
}

/** `deno bundle` minified for Deno, with the repository's config. */
function bundle(output: string, entry: string, extra: readonly string[] = []): string[] {
  return [
    "bundle",
    "-q",
    "--minify",
    "--platform",
    "deno",
    "--config",
    join(REPO_ROOT, "deno.json"),
    ...extra,
    "--output",
    output,
    entry,
  ];
}

/**
 * The `deno bundle` arguments of {@linkcode LAZY}: its own minified module,
 * exporting what the program imports from it.
 *
 * @param output The file to write.
 * @returns Arguments for `deno`.
 */
export function lazyBundleArgs(output: string): string[] {
  return bundle(output, LAZY.source);
}

/**
 * Points the program's `import()` of {@linkcode LAZY} at its bundle, beside it
 * (`import("./infer.js")`: `deno compile` follows it and embeds the file).
 *
 * @example Usage
 * ```ts
 * import { linkLazyImport } from "./deno_commands.ts";
 * linkLazyImport('a=await import("./infer.ts")'); // 'a=await import("./infer.js")'
 * ```
 *
 * @param bundle The program's bundle.
 * @returns The bundle.
 * @throws {TypeError} When the bundle does not import the module exactly once.
 */
export function linkLazyImport(bundle: string): string {
  const from = `import(${JSON.stringify(LAZY.specifier)})`;
  const count = bundle.split(from).length - 1;
  if (count !== 1) {
    throw new TypeError(`Cannot link ${LAZY.bundle}: the bundle has ${count} ${from}, not 1`);
  }
  return bundle.replace(from, `import(${JSON.stringify(`./${LAZY.bundle}`)})`);
}

/** The bundle's file name, relative to its directory (compile runs there). */
export const BUNDLE = "main.js";
