/**
 * `deno task package --version <semver> [--output <dir>] [--target linux/amd64,linux/arm64]
 * [--runtime denort|deno] [--engine v8|quickjs] [--download] [--publish <ref>]`: packages
 * the buildpack reproducibly into `<output>/buildpack/`, `<output>/buildpack.tgz`
 * and, with pack, `<output>/buildpackage.cnb`; with `--publish`, pushes it to a
 * registry too (an image index for several targets).
 *
 * Both runtimes start from one minified bundle of `src/main.ts` and give the
 * same layout: `buildpack.toml` (version and built targets stamped) and, per
 * target, a whole buildpack in `linux/<arch>/`: its own buildpack.toml
 * declaring only that target, `bin/detect` and `bin/build`
 * (`kit/package/layout.ts`); with one target, `bin` links to that
 * target's `bin`.
 *
 * @module
 */
import { gzipSync } from "node:zlib";
import { join, relative } from "node:path";
import { REPO_ROOT } from "./phase_command.ts";
import { toolsDir } from "./tools_dir.ts";
import { type PackageOptions, parsePackageArgs, USAGE, UsageError } from "./package/args.ts";
import {
  BUNDLE,
  bundleArgs,
  type DenoRunner,
  LAZY,
  lazyBundleArgs,
  linkLazyImport,
  runDeno,
} from "./package/deno_commands.ts";
import { type DenortSource, findDenorts, TRIPLES } from "./package/denort.ts";
import { DENO_CLI, denoCli } from "./package/deno_cli.ts";
import { fileArch } from "./package/elf.ts";
import { denortTarget, denoTarget } from "./package/layout.ts";
import { programScript } from "./package/program_script.ts";
import { phasePermissionFlags } from "./package/permissions.ts";
import { stampBuildpackToml } from "./package/buildpack_toml.ts";
import { findPack, packBuildpackage, runPack } from "./package/pack.ts";
import { listTree, tarEntries, writeTar } from "./package/tar.ts";

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
  /** The image reference pushed to (with `--publish`). */
  readonly published?: string;
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
  const env = deps.env ?? ((name: string) => Deno.env.get(name));
  const log = deps.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const steps = opts.publish === undefined ? 6 : 7;
  const step = (n: number, text: string) => log(`[${n}/${steps}] ${text}`);
  const epoch = Number(env("SOURCE_DATE_EPOCH") ?? "0");
  const mtime = Number.isFinite(epoch) && epoch >= 0 ? Math.floor(epoch) : 0;

  // Runtimes first: a missing denort fails before any work (offline, well under a
  // second), and the Deno CLI download is the step most likely to fail.
  step(1, `Finding the ${opts.runtime} runtime for ${opts.targets.join(", ")}`);
  const runtimes = await findRuntimes(opts, env, log);
  const pack = await (deps.pack ?? (() => findPack(env, [toolsDir(env)])))();
  if (pack === undefined && opts.publish !== undefined) {
    throw new Error(
      `--publish ${opts.publish} needs pack, which was not found (PACK, PATH, tools directory): ` +
        "install pack, or set PACK to its path",
    );
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

    step(3, `Bundling src/main.ts and, apart, ${LAZY.bundle} (minified; smol-toml inlined)`);
    const bundle = join(stage, BUNDLE);
    const lazy = join(stage, LAZY.bundle);
    await deno(bundleArgs(bundle));
    await deno(lazyBundleArgs(lazy));
    await Deno.writeTextFile(bundle, linkLazyImport(await Deno.readTextFile(bundle)));
    for (const file of [bundle, lazy]) {
      // deno compile embeds the files' modification times.
      await Deno.utime(file, mtime, mtime);
      log(
        `      ${relative(stage, file)}: ${((await Deno.stat(file)).size / 1024).toFixed(1)} KiB`,
      );
    }

    const staged = join(stage, "buildpack");
    step(4, `Laying out ${opts.targets.join(", ")}`);
    await layOut(staged, opts, {
      stage,
      bundle,
      runtimes,
      compile: deps.compile ?? runDeno,
      log,
    });

    step(5, "Writing buildpack.toml and buildpack.tgz");
    const { dir, tarball, sizes } = await writePackage(staged, stage, opts, mtime);
    log(`      buildpack.tgz: ${mib(sizes["buildpack.tgz"] ?? 0)}`);

    step(6, "buildpackage.cnb");
    let buildpackages: string[] = [];
    if (pack === undefined) {
      log(
        `      pack not found (PACK, PATH, tools directory); make it with pack buildpack package ` +
          `${join(opts.output, "buildpackage.cnb")} --format file and a package.toml whose ` +
          `uri is ${dir}, or install pack and run this again`,
      );
    } else {
      buildpackages = await packBuildpackage(pack, dir, opts.output, opts.targets);
      for (const f of buildpackages) {
        const name = relative(opts.output, f);
        sizes[name] = (await Deno.stat(f)).size;
        log(`      ${name}: ${mib(sizes[name] ?? 0)} (${pack})`);
      }
    }
    if (pack !== undefined && opts.publish !== undefined) {
      const shape = opts.targets.length > 1
        ? `an image index of ${opts.targets.join(", ")}`
        : opts.targets[0];
      step(7, `Publishing ${opts.publish} (${shape})`);
      await runPack(pack, dir, { kind: "image", ref: opts.publish }, opts.targets);
      log(`      pushed ${opts.publish}`);
    }
    log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${tarball}`);
    return {
      dir,
      tarball,
      buildpackages,
      sizes,
      ...(opts.publish === undefined ? {} : { published: opts.publish }),
    };
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}

/** Each target's runtime: a denort (`denort`) or the Deno CLI's bytes (`deno`). */
interface Runtimes {
  readonly denorts: ReadonlyMap<string, DenortSource>;
  readonly denoClis: ReadonlyMap<string, Uint8Array>;
}

async function findRuntimes(
  opts: PackageOptions,
  env: (name: string) => string | undefined,
  log: (line: string) => void,
): Promise<Runtimes> {
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
  return { denorts, denoClis };
}

/** Every target's files, each executable checked to be for its machine; `bin` for one target. */
async function layOut(staged: string, opts: PackageOptions, with_: {
  readonly stage: string;
  readonly bundle: string;
  readonly runtimes: Runtimes;
  readonly compile: DenoRunner;
  readonly log: (line: string) => void;
}): Promise<void> {
  const flags = await phasePermissionFlags();
  const program = opts.runtime === "deno"
    ? programScript(await Deno.readTextFile(with_.bundle))
    : "";
  for (const target of opts.targets) {
    const arch = target.split("/")[1] as string;
    const dir = join(staged, target);
    const cli = with_.runtimes.denoClis.get(target);
    const executable = cli === undefined
      ? await denortTarget(dir, {
        stage: with_.stage,
        triple: TRIPLES[target] as string,
        engine: opts.engine,
        flags,
        source: with_.runtimes.denorts.get(target) as DenortSource,
        compile: with_.compile,
      })
      : await denoTarget(dir, {
        cli,
        program,
        flags,
        lazy: await Deno.readTextFile(join(with_.stage, LAZY.bundle)),
      });
    const shown = relative(staged, executable);
    const actual = await fileArch(executable);
    if (actual !== arch) {
      throw new Error(
        `${shown} is for ${actual ?? "no known machine"}, not ${arch}: ` +
          `the runtime used for ${target} is for another architecture`,
      );
    }
    with_.log(`      ${shown}: ${mib((await Deno.stat(executable)).size)}, ${arch} executable`);
  }
  const only = opts.targets.length === 1 ? opts.targets[0] : undefined;
  if (only !== undefined) {
    // One target: bin/ at the root too, for `pack build -b <dir>` and a host lifecycle.
    await Deno.symlink(`${only}/bin`, join(staged, "bin"));
  }
}

/** buildpack.toml, the tarball, and both moved into the output directory. */
async function writePackage(
  staged: string,
  stage: string,
  opts: PackageOptions,
  mtime: number,
): Promise<{ dir: string; tarball: string; sizes: Record<string, number> }> {
  const source = await Deno.readTextFile(join(REPO_ROOT, "buildpack.toml"));
  // buildpack.toml for a directory: the given targets, and every file below it (itself included).
  const writeToml = async (root: string, targets: readonly string[]) => {
    const files = (await listTree(root)).map((e) => e.path).filter((p) => !p.endsWith("/"));
    const toml = stampBuildpackToml(source, {
      version: opts.version,
      targets,
      files: ["buildpack.toml", ...files].sort(),
    });
    await Deno.writeTextFile(join(root, "buildpack.toml"), toml);
  };
  // Each target's directory is a whole buildpack, declaring only its own target: what pack
  // uses as the buildpack root of that target's image.
  for (const target of opts.targets) await writeToml(join(staged, target), [target]);
  await writeToml(staged, opts.targets);
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
  return { dir, tarball, sizes };
}

function describe(source: DenortSource): string {
  if (source.kind === "file") return `${source.variable}=${source.path}`;
  if (source.kind === "cache") return source.path;
  return "a download from dl.deno.land";
}

/**
 * `deno task package`'s command line: packages, or prints the usage.
 *
 * @param args The arguments.
 * @param cwd The caller's directory (relative paths are from there).
 * @returns The exit code.
 */
export async function packageMain(args: readonly string[], cwd: string): Promise<number> {
  try {
    const opts = parsePackageArgs([...args], cwd);
    if (opts === "help") {
      console.log(USAGE);
    } else {
      await packageBuildpack(opts);
    }
    return 0;
  } catch (error) {
    console.error(
      error instanceof UsageError ? `${error.message}\n${USAGE}` : (error as Error).message,
    );
    return error instanceof UsageError ? 2 : 1;
  }
}
