/**
 * `deno task package --version <semver> [--output <dir>] [--target linux/amd64,linux/arm64]
 * [--engine v8|quickjs]`: compiles `src/main.ts` per target with the `phase`
 * permission set and writes a reproducible `buildpack.tgz` (and, when `pack`
 * is on PATH, `buildpackage.cnb`).
 *
 * @module
 */
import { gzipSync } from "node:zlib";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { PERMISSION_SET, REPO_ROOT } from "./phase_command.ts";
import { type TarEntry, writeTar } from "./tar.ts";

/** Deno's version: the denort runtime must match it. */
export const DENO_VERSION = "2.9.6";

/** Supported targets and their Rust triples. */
export const TARGETS: Readonly<Record<string, string>> = {
  "linux/amd64": "x86_64-unknown-linux-gnu",
  "linux/arm64": "aarch64-unknown-linux-gnu",
};

/** Usage text. */
export const USAGE =
  "usage: deno task package --version <semver> [--output <dir>] [--target linux/amd64,linux/arm64] [--engine v8|quickjs] [--download]";

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
  /** JavaScript engine of the compiled runtime. */
  readonly engine: "v8" | "quickjs";
  /** Try downloading denort even when no local copy is known. */
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
 * @returns The options.
 * @throws {UsageError} On a missing or invalid version, unknown target, engine or flag.
 */
export function parsePackageArgs(args: readonly string[], cwd: string): PackageOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        version: { type: "string" },
        output: { type: "string" },
        target: { type: "string" },
        engine: { type: "string" },
        download: { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.version === undefined) throw new UsageError("--version is required");
  if (!SEMVER.test(values.version)) {
    throw new UsageError(
      `--version ${JSON.stringify(values.version)} is not a semantic version such as 1.2.3`,
    );
  }
  const targets = (values.target ?? "linux/amd64,linux/arm64").split(",").map((t) => t.trim());
  for (const t of targets) {
    if (!(t in TARGETS)) {
      throw new UsageError(
        `--target ${JSON.stringify(t)} is not supported; use ${Object.keys(TARGETS).join(", ")}`,
      );
    }
  }
  const engine = values.engine ?? "v8";
  if (engine !== "v8" && engine !== "quickjs") {
    throw new UsageError(`--engine ${JSON.stringify(engine)} is not supported; use v8 or quickjs`);
  }
  return {
    version: values.version,
    output: resolve(cwd, values.output ?? "build"),
    targets: [...new Set(targets)],
    engine,
    download: values.download ?? false,
  };
}

/** Runs `deno` with arguments; tests substitute a double. */
export type DenoRunner = (args: readonly string[]) => Promise<void>;

/** The real runner: `deno <args>`, failing on a non-zero exit. */
export const runDeno: DenoRunner = async (args: readonly string[]): Promise<void> => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args],
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (out.code !== 0) throw new Error(`deno ${args[0]} failed with exit code ${out.code}`);
};

/**
 * Finds a local denort for a target: `DENORT_BIN`, or the DENO_DIR download cache.
 *
 * @param triple The target triple.
 * @param engine The engine.
 * @param env Environment lookup.
 * @returns The path found, or the cache path that was looked for.
 */
export function findDenort(
  triple: string,
  engine: PackageOptions["engine"],
  env: (name: string) => string | undefined,
): { found: boolean; cachePath: string } {
  const home = env("HOME") ?? "/root";
  const denoDir = env("DENO_DIR") ?? join(env("XDG_CACHE_HOME") ?? join(home, ".cache"), "deno");
  const zip = `denort-${engine === "quickjs" ? "quickjs-" : ""}${triple}.zip`;
  const cachePath = join(denoDir, "dl", "release", `v${DENO_VERSION}`, zip);
  const bin = env("DENORT_BIN");
  const exists = (p: string) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  };
  return { found: (bin !== undefined && exists(bin)) || exists(cachePath), cachePath };
}

/**
 * The `deno compile` arguments for one target. `--bundle` embeds one bundled
 * module (smol-toml inlined) instead of the npm tree: `deno task bench` shows
 * the bundled entry starting 7-10 ms faster than the unbundled one.
 *
 * @param triple Target triple.
 * @param engine JavaScript engine.
 * @param output The executable to write.
 * @returns Arguments for `deno`.
 */
export function compileArgs(
  triple: string,
  engine: PackageOptions["engine"],
  output: string,
): string[] {
  return [
    "compile",
    "--no-check",
    "--bundle",
    "-q",
    `-P=${PERMISSION_SET}`,
    "--config",
    join(REPO_ROOT, "deno.json"),
    "--target",
    triple,
    ...(engine === "quickjs" ? ["--engine", "quickjs"] : []),
    "--output",
    output,
    join(REPO_ROOT, "src", "main.ts"),
  ];
}

/** What {@linkcode packageBuildpack} produced. */
export interface PackageResult {
  /** The staged buildpack directory. */
  readonly dir: string;
  /** The tarball. */
  readonly tarball: string;
  /** Every produced file and its size in bytes. */
  readonly sizes: Readonly<Record<string, number>>;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/**
 * Packages the buildpack.
 *
 * @param opts Parsed options.
 * @param deps The deno runner, environment and log sink.
 * @returns The produced files.
 * @throws {Error} When no denort is available (naming the three ways to get one) or a step fails.
 */
export async function packageBuildpack(
  opts: PackageOptions,
  deps: {
    deno?: DenoRunner;
    env?: (name: string) => string | undefined;
    log?: (line: string) => void;
  } = {},
): Promise<PackageResult> {
  const deno = deps.deno ?? runDeno;
  const env = deps.env ?? ((name: string) => Deno.env.get(name));
  const log = deps.log ?? ((line: string) => console.log(line));

  if (!opts.download) {
    for (const target of opts.targets) {
      const triple = TARGETS[target] as string;
      const { found, cachePath } = findDenort(triple, opts.engine, env);
      if (!found) {
        throw new Error(
          `deno compile needs the denort runtime for ${triple} (Deno ${DENO_VERSION}), and none is available offline: ` +
            `set DENORT_BIN to a denort executable, or put ${
              cachePath.split("/").pop()
            } at ${cachePath} ` +
            `(the DENO_DIR cache), or rerun with --download to fetch it from dl.deno.land`,
        );
      }
    }
  }

  const dir = join(opts.output, "buildpack");
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const started = Date.now();
  log(`[1/4] Type-checking src/main.ts`);
  await deno([
    "check",
    "-q",
    "--config",
    join(REPO_ROOT, "deno.json"),
    join(REPO_ROOT, "src", "main.ts"),
  ]);

  let toml = await Deno.readTextFile(join(REPO_ROOT, "buildpack.toml"));
  toml = toml.replace(
    /^\[buildpack\]$/m,
    `[buildpack]\n  version = ${JSON.stringify(opts.version)}`,
  );
  await Deno.writeTextFile(join(dir, "buildpack.toml"), toml);

  const binDirs = opts.targets.map((t) => join(dir, t, "bin"));
  for (const [i, target] of opts.targets.entries()) {
    const bin = binDirs[i] as string;
    await Deno.mkdir(bin, { recursive: true });
    log(`[2/4] Compiling for ${target} (${opts.engine})`);
    await deno(compileArgs(TARGETS[target] as string, opts.engine, join(bin, "run")));
    await Deno.chmod(join(bin, "run"), 0o755);
    for (const link of ["detect", "build"]) await Deno.symlink("run", join(bin, link));
    log(
      `      ${relative(opts.output, join(bin, "run"))}: ${
        mib((await Deno.stat(join(bin, "run"))).size)
      }`,
    );
  }
  if (opts.targets.length === 1) {
    // A single target also gets bin/ at the root, for a plain `pack build -b <dir>`.
    await Deno.mkdir(join(dir, "bin"));
    await Deno.copyFile(join(binDirs[0] as string, "run"), join(dir, "bin", "run"));
    await Deno.chmod(join(dir, "bin", "run"), 0o755);
    for (const link of ["detect", "build"]) await Deno.symlink("run", join(dir, "bin", link));
  }

  log(`[3/4] Writing buildpack.tgz`);
  const entries: TarEntry[] = [];
  for await (const path of walk(dir)) {
    const rel = relative(dir, path);
    const info = await Deno.lstat(path);
    if (info.isSymlink) {
      entries.push({ path: rel, type: "symlink", target: await Deno.readLink(path) });
    } else if (info.isDirectory) entries.push({ path: rel, type: "dir" });
    else {
      entries.push({
        path: rel,
        type: "file",
        data: await Deno.readFile(path),
        executable: ((info.mode ?? 0) & 0o111) !== 0,
      });
    }
  }
  const epoch = Number(env("SOURCE_DATE_EPOCH") ?? "0");
  const tarball = join(opts.output, "buildpack.tgz");
  await Deno.writeFile(
    tarball,
    gzipSync(writeTar(entries, Number.isFinite(epoch) ? epoch : 0), { level: 9 }),
  );
  const sizes: Record<string, number> = {};
  for (const e of entries) if (e.type === "file") sizes[join("buildpack", e.path)] = e.data.length;
  sizes["buildpack.tgz"] = (await Deno.stat(tarball)).size;
  log(`      buildpack.tgz: ${mib(sizes["buildpack.tgz"])}`);

  log(`[4/4] buildpackage.cnb`);
  const pack = await hasPack();
  if (pack) {
    const cnb = join(opts.output, "buildpackage.cnb");
    const out = await new Deno.Command("pack", {
      args: ["buildpack", "package", cnb, "--format", "file", "--path", tarball],
    }).output();
    if (out.code !== 0) throw new Error(`pack buildpack package failed with exit code ${out.code}`);
    log(`      written with pack`);
  } else {
    log(
      `      pack is not on PATH; make it with: pack buildpack package ${
        join(opts.output, "buildpackage.cnb")
      } --format file --path ${tarball}`,
    );
  }
  log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${tarball}`);
  return { dir, tarball, sizes };
}

async function hasPack(): Promise<boolean> {
  try {
    await new Deno.Command("pack", { args: ["version"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

async function* walk(dir: string): AsyncGenerator<string> {
  const names: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e);
  names.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of names) {
    const path = join(dir, e.name);
    yield path;
    if (e.isDirectory) yield* walk(path);
  }
}

if (import.meta.main) {
  try {
    const opts = parsePackageArgs(Deno.args, Deno.env.get("INIT_CWD") ?? Deno.cwd());
    await packageBuildpack(opts);
  } catch (error) {
    console.error(
      error instanceof UsageError ? `${error.message}\n${USAGE}` : (error as Error).message,
    );
    Deno.exit(error instanceof UsageError ? 2 : 1);
  }
}
