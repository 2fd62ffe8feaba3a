/**
 * `deno task package --version <semver> [--output <dir>] [--target linux/amd64,linux/arm64]
 * [--runtime denort|deno] [--engine v8|quickjs] [--download]`: packages the
 * buildpack reproducibly into `<output>/buildpack/`, `<output>/buildpack.tgz`
 * and, with pack, `<output>/buildpackage.cnb`.
 *
 * Both runtimes start from one minified bundle of `src/main.ts` and give the
 * same layout: `buildpack.toml` (version and built targets stamped) and, per
 * target, `linux/<arch>/bin/detect` and `linux/<arch>/bin/build`; with one
 * target, `bin` links to that target's `bin`.
 * - `denort` (default): `deno compile` of the bundle into `bin/run`, with
 *   `detect` and `build` symlinked to it (needs Deno's denort runtime per target).
 * - `deno`: the Deno CLI from npm (`lib/deno`) and the bundle as a function body
 *   (`lib/program.js`, run by `lib/run.js`), with `detect` and `build` as POSIX
 *   sh scripts (needs only the npm registry).
 *
 * @module
 */
import { gzipSync } from "node:zlib";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "./phase_command.ts";
import { type DenortSource, findDenorts, TRIPLES } from "./package/denort.ts";
import { DENO_CLI, denoCli } from "./package/deno_cli.ts";
import { fileArch } from "./package/elf.ts";
import { entryScript } from "./package/entry_script.ts";
import { LOADER, programScript } from "./package/program_script.ts";
import { phasePermissionFlags } from "./package/permissions.ts";
import { stampBuildpackToml } from "./package/buildpack_toml.ts";
import { findPack, packBuildpackage } from "./package/pack.ts";
import { type TarEntry, writeTar } from "./package/tar.ts";

/** Usage text. */
export const USAGE = `usage: deno task package --version <semver> [options]

  --version <semver>   version stamped into buildpack.toml (required), e.g. 1.2.3
  --output <dir>       output directory (default: build, relative to where you run it)
  --target <list>      linux/amd64, linux/arm64 or both, comma-separated (default: both)
  --runtime <name>     denort: deno compile into one executable per target (default;
                         needs Deno's denort runtime: DENORT_BIN_AMD64 / DENORT_BIN_ARM64,
                         DENORT_BIN for its own architecture, the DENO_DIR cache, or --download)
                       deno: the Deno CLI from the npm registry plus the bundled program
                         (works wherever the npm registry is reachable)
  --engine v8|quickjs  JavaScript engine of a denort build (default: v8; quickjs is experimental)
  --download           let deno compile download missing denort runtimes from dl.deno.land
  --help               print this text

Writes <output>/buildpack/, <output>/buildpack.tgz and, when pack is found (PACK, PATH or
the tools directory), <output>/buildpackage.cnb (one target) or
<output>/buildpackage-linux-<arch>.cnb (several).`;

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parsed options. */
export interface PackageOptions {
  /** Version stamped into buildpack.toml. */
  readonly version: string;
  /** Output directory. */
  readonly output: string;
  /** Targets, e.g. `linux/amd64`. */
  readonly targets: readonly string[];
  /** How the program runs: a compiled executable, or the Deno CLI plus the bundle. */
  readonly runtime: "denort" | "deno";
  /** JavaScript engine of a denort build. */
  readonly engine: "v8" | "quickjs";
  /** Let deno compile download missing denort runtimes. */
  readonly download: boolean;
}

/** A command-line problem; the message is printed with the usage text, exit 2. */
export class UsageError extends Error {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses the command line.
 *
 * @param args Arguments.
 * @param cwd Directory relative outputs are resolved against.
 * @returns The options, or `"help"` for `--help`.
 * @throws {UsageError} On a missing or invalid version, an unknown target,
 * runtime, engine or flag, or options that do not go together.
 */
export function parsePackageArgs(args: readonly string[], cwd: string): PackageOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        version: { type: "string" },
        output: { type: "string" },
        target: { type: "string" },
        runtime: { type: "string" },
        engine: { type: "string" },
        download: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  if (values.version === undefined) throw new UsageError("--version is required");
  if (!SEMVER.test(values.version)) {
    throw new UsageError(
      `--version ${JSON.stringify(values.version)} is not a semantic version such as 1.2.3`,
    );
  }
  const targets = (values.target ?? "linux/amd64,linux/arm64").split(",").map((t) => t.trim());
  for (const t of targets) {
    if (!(t in TRIPLES)) {
      throw new UsageError(
        `--target ${JSON.stringify(t)} is not supported; use ${Object.keys(TRIPLES).join(", ")}`,
      );
    }
  }
  const runtime = values.runtime ?? "denort";
  if (runtime !== "denort" && runtime !== "deno") {
    throw new UsageError(
      `--runtime ${JSON.stringify(runtime)} is not supported; use denort or deno`,
    );
  }
  const engine = values.engine ?? "v8";
  if (engine !== "v8" && engine !== "quickjs") {
    throw new UsageError(`--engine ${JSON.stringify(engine)} is not supported; use v8 or quickjs`);
  }
  if (runtime === "deno" && (values.engine !== undefined || values.download)) {
    throw new UsageError(
      "--engine and --download apply to --runtime denort only; the deno runtime is the npm Deno CLI",
    );
  }
  return {
    version: values.version,
    output: resolve(cwd, values.output ?? "build"),
    targets: [...new Set(targets)],
    runtime,
    engine,
    download: values.download ?? false,
  };
}

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
 * The `deno bundle` arguments of the program both runtimes ship: `src/main.ts`
 * minified into one file (smol-toml inlined; minified output holds no paths
 * of the machine it was made on).
 *
 * @param output The file to write.
 * @returns Arguments for `deno`.
 */
export function bundleArgs(output: string): string[] {
  return [
    "bundle",
    "-q",
    "--minify",
    "--platform",
    "deno",
    "--config",
    join(REPO_ROOT, "deno.json"),
    "--output",
    output,
    join(REPO_ROOT, "src", "main.ts"),
  ];
}

/** The bundle's file name, relative to its directory (compile runs there). */
const BUNDLE = "main.js";

/** What {@linkcode packageBuildpack} produced. */
export interface PackageResult {
  /** The buildpack directory. */
  readonly dir: string;
  /** The tarball. */
  readonly tarball: string;
  /** The buildpackage files written with pack (none without pack). */
  readonly buildpackages: readonly string[];
  /** Every file in the package and its size in bytes. */
  readonly sizes: Readonly<Record<string, number>>;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Dependencies, substituted in tests. */
export interface PackageDeps {
  /** Runs `deno` for check and bundle. */
  readonly deno?: DenoRunner;
  /** Runs `deno compile`. */
  readonly compile?: DenoRunner;
  /** Environment lookup. */
  readonly env?: (name: string) => string | undefined;
  /** Progress output. */
  readonly log?: (line: string) => void;
  /** Finds pack (`undefined` = none). */
  readonly pack?: () => Promise<string | undefined>;
}

/**
 * Packages the buildpack.
 *
 * @param opts Parsed options.
 * @param deps Runners, environment, log sink, pack lookup.
 * @returns The produced files.
 * @throws {Error} When a runtime is missing (every missing one named, before
 * any work), a step fails, or a produced executable is for the wrong machine.
 */
export async function packageBuildpack(
  opts: PackageOptions,
  deps: PackageDeps = {},
): Promise<PackageResult> {
  const deno = deps.deno ?? runDeno;
  const compile = deps.compile ?? runDeno;
  const env = deps.env ?? ((name: string) => Deno.env.get(name));
  const log = deps.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const step = (n: number, text: string) => log(`[${n}/6] ${text}`);
  const epoch = Number(env("SOURCE_DATE_EPOCH") ?? "0");
  const mtime = Number.isFinite(epoch) && epoch >= 0 ? Math.floor(epoch) : 0;

  // Runtimes first: a missing denort fails before any work (offline, well under a
  // second), and the Deno CLI download is the step most likely to fail.
  step(1, `Finding the ${opts.runtime} runtime for ${opts.targets.join(", ")}`);
  const denorts = opts.runtime === "denort"
    ? await findDenorts(opts.targets, opts.engine, opts.download, env)
    : new Map<string, DenortSource>();
  for (const [target, source] of denorts) log(`      ${target}: denort from ${describe(source)}`);
  const denoClis = new Map<string, Uint8Array>();
  if (opts.runtime === "deno") {
    for (const target of opts.targets) {
      const pin = DENO_CLI[target];
      if (pin === undefined) throw new Error(`No Deno CLI is pinned for ${target}`);
      denoClis.set(target, await denoCli(pin, { env, log }));
      log(`      ${target}: Deno ${pin.version} (${pin.name})`);
    }
  }

  // Everything is written to a staging directory beside the output and swapped in
  // at the end: a failed run leaves the previous package untouched.
  await Deno.mkdir(opts.output, { recursive: true });
  const stage = await Deno.makeTempDir({ dir: opts.output, prefix: ".package-" });
  try {
    step(2, "Type-checking src/main.ts");
    await deno([
      "check",
      "-q",
      "--config",
      join(REPO_ROOT, "deno.json"),
      join(REPO_ROOT, "src", "main.ts"),
    ]);

    step(3, "Bundling src/main.ts (minified; smol-toml inlined)");
    const bundle = join(stage, BUNDLE);
    await deno(bundleArgs(bundle));
    // deno compile embeds the file's modification time.
    await Deno.utime(bundle, mtime, mtime);
    log(`      ${BUNDLE}: ${((await Deno.stat(bundle)).size / 1024).toFixed(1)} KiB`);
    const flags = await phasePermissionFlags();
    const program = programScript(await Deno.readTextFile(bundle));

    const staged = join(stage, "buildpack");
    step(4, `Laying out ${opts.targets.join(", ")}`);
    for (const target of opts.targets) {
      const arch = target.split("/")[1] as string;
      const bin = join(staged, target, "bin");
      await Deno.mkdir(bin, { recursive: true });
      let executable: string;
      const cli = denoClis.get(target);
      if (cli === undefined) {
        const source = denorts.get(target) as DenortSource;
        executable = join(bin, "run");
        // DENORT_BIN is what deno compile uses whatever the target: set it to this
        // target's runtime, or unset it so that deno compile uses the cache (or downloads).
        await compile(compileArgs(TRIPLES[target] as string, opts.engine, flags, executable), {
          cwd: stage,
          env: { DENORT_BIN: source.kind === "file" ? source.path : undefined },
        });
        await Deno.chmod(executable, 0o755);
        for (const link of ["detect", "build"]) await Deno.symlink("run", join(bin, link));
      } else {
        const lib = join(staged, target, "lib");
        await Deno.mkdir(lib, { recursive: true });
        executable = join(lib, "deno");
        await Deno.writeFile(executable, cli, { mode: 0o755 });
        await Deno.chmod(executable, 0o755);
        await Deno.writeTextFile(join(lib, "program.js"), program);
        await Deno.writeTextFile(join(lib, "run.js"), LOADER);
        for (const phase of ["detect", "build"] as const) {
          await Deno.writeTextFile(join(bin, phase), entryScript(phase, flags));
          await Deno.chmod(join(bin, phase), 0o755);
        }
      }
      const shown = relative(staged, executable);
      const actual = await fileArch(executable);
      if (actual !== arch) {
        throw new Error(
          `${shown} is for ${actual ?? "no known machine"}, not ${arch}: ` +
            `the runtime used for ${target} is for another architecture`,
        );
      }
      log(`      ${shown}: ${mib((await Deno.stat(executable)).size)}, ${arch} executable`);
    }
    const only = opts.targets.length === 1 ? opts.targets[0] : undefined;
    if (only !== undefined) {
      // One target: bin/ at the root too, for `pack build -b <dir>` and a host lifecycle.
      await Deno.symlink(`${only}/bin`, join(staged, "bin"));
    }

    step(5, "Writing buildpack.toml and buildpack.tgz");
    const files = (await listTree(staged)).map((e) => e.path).filter((p) => !p.endsWith("/"));
    const toml = stampBuildpackToml(
      await Deno.readTextFile(join(REPO_ROOT, "buildpack.toml")),
      opts.version,
      opts.targets,
      ["buildpack.toml", ...files].sort(),
    );
    await Deno.writeTextFile(join(staged, "buildpack.toml"), toml);
    const entries = await tarEntries(staged);
    await Deno.writeFile(
      join(stage, "buildpack.tgz"),
      gzipSync(writeTar(entries, mtime), { level: 9 }),
    );
    const dir = join(opts.output, "buildpack");
    const tarball = join(opts.output, "buildpack.tgz");
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.rename(staged, dir);
    await Deno.rename(join(stage, "buildpack.tgz"), tarball);
    const sizes: Record<string, number> = {};
    for (const e of entries) {
      if (e.type === "file") sizes[join("buildpack", e.path)] = e.data.length;
    }
    sizes["buildpack.tgz"] = (await Deno.stat(tarball)).size;
    log(`      buildpack.tgz: ${mib(sizes["buildpack.tgz"])}`);

    step(6, "buildpackage.cnb");
    const pack = await (deps.pack ?? (() => findPack(env, toolsDirs(env))))();
    let buildpackages: string[] = [];
    if (pack === undefined) {
      log(
        `      pack not found (PACK, PATH, tools directory); make it with: pack buildpack package ` +
          `${join(opts.output, "buildpackage.cnb")} --format file --path ${dir}`,
      );
    } else {
      buildpackages = await packBuildpackage(pack, dir, opts.output, opts.targets);
      for (const f of buildpackages) {
        sizes[relative(opts.output, f)] = (await Deno.stat(f)).size;
        log(
          `      ${relative(opts.output, f)}: ${
            mib(sizes[relative(opts.output, f)] ?? 0)
          } (${pack})`,
        );
      }
    }
    log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${tarball}`);
    return { dir, tarball, buildpackages, sizes };
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}

function describe(source: DenortSource): string {
  if (source.kind === "file") return `${source.variable}=${source.path}`;
  if (source.kind === "cache") return source.path;
  return "a download from dl.deno.land";
}

function toolsDirs(env: (name: string) => string | undefined): string[] {
  const explicit = env("POETRY_RUN_TOOLS_DIR");
  return [
    ...(explicit === undefined ? [] : [explicit]),
    join(REPO_ROOT, ".tools"),
    "/var/cache/poetry-run-tools",
  ];
}

/** Every entry under `dir`, sorted, directories with a trailing `/`. */
async function listTree(dir: string, prefix = ""): Promise<{ path: string; full: string }[]> {
  const out: { path: string; full: string }[] = [];
  const names: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(join(dir, prefix))) names.push(e);
  names.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of names) {
    const path = prefix === "" ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory) {
      out.push({ path: `${path}/`, full: join(dir, path) });
      out.push(...await listTree(dir, path));
    } else out.push({ path, full: join(dir, path) });
  }
  return out;
}

async function tarEntries(dir: string): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  for (const { path, full } of await listTree(dir)) {
    const info = await Deno.lstat(full);
    if (info.isSymlink) entries.push({ path, type: "symlink", target: await Deno.readLink(full) });
    else if (info.isDirectory) entries.push({ path: path.replace(/\/$/, ""), type: "dir" });
    else {
      entries.push({
        path,
        type: "file",
        data: await Deno.readFile(full),
        executable: ((info.mode ?? 0) & 0o111) !== 0,
      });
    }
  }
  return entries;
}

if (import.meta.main) {
  try {
    const opts = parsePackageArgs(Deno.args, Deno.env.get("INIT_CWD") ?? Deno.cwd());
    if (opts === "help") {
      console.log(USAGE);
    } else {
      await packageBuildpack(opts);
    }
  } catch (error) {
    console.error(
      error instanceof UsageError ? `${error.message}\n${USAGE}` : (error as Error).message,
    );
    Deno.exit(error instanceof UsageError ? 2 : 1);
  }
}
