/**
 * Running pack on a laid-out package: `buildpackage.cnb` files (`--format
 * file`, no Docker daemon needed) or a published image (an image index for
 * several targets).
 *
 * pack is given a package.toml whose `uri` is the package directory and the
 * targets as `--target` flags, from a directory with no buildpack.toml in it.
 * For each target pack then uses `<package>/linux/<arch>/` as the buildpack
 * root, which the package makes a whole buildpack of its own (its
 * buildpack.toml declares only that target). Given `--path` instead, pack
 * would copy the root buildpack.toml, which declares every target, over each
 * of those and delete it afterwards.
 *
 * @module
 */
import { join } from "node:path";
import { stringifyToml } from "../toml_write.ts";

/**
 * Finds pack: `PACK` (a path), `pack` on PATH, or the one
 * `scripts/install-tools.sh` builds into the tools directory.
 *
 * @param env Environment lookup.
 * @param toolsDirs Tools directories to look in.
 * @returns The executable, or `undefined`.
 */
export async function findPack(
  env: (name: string) => string | undefined,
  toolsDirs: readonly string[],
): Promise<string | undefined> {
  const explicit = env("PACK");
  const candidates = [
    ...(explicit === undefined || explicit === "" ? [] : [explicit]),
    ...(env("PATH") ?? "").split(":").filter((d) => d !== "").map((d) => join(d, "pack")),
    ...toolsDirs.map((d) => join(d, "bin", "pack")),
  ];
  for (const path of candidates) {
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.isFile && ((info.mode ?? 0) & 0o111) !== 0) return path;
  }
  return undefined;
}

/**
 * The files `pack buildpack package <out>/buildpackage.cnb --format file`
 * writes: one for a single target, one per target (`-<os>-<arch>`) otherwise.
 *
 * @example Usage
 * ```ts
 * import { buildpackageFiles } from "./pack.ts";
 * buildpackageFiles("build", ["linux/amd64", "linux/arm64"]);
 * // ["build/buildpackage-linux-amd64.cnb", "build/buildpackage-linux-arm64.cnb"]
 * ```
 *
 * @param output The output directory.
 * @param targets The targets.
 * @returns The paths.
 */
export function buildpackageFiles(output: string, targets: readonly string[]): string[] {
  if (targets.length === 1) return [join(output, "buildpackage.cnb")];
  return targets.map((t) => join(output, `buildpackage-${t.replace("/", "-")}.cnb`));
}

/** What pack makes of the package. */
export type PackOutput =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "image"; readonly ref: string };

/**
 * pack's arguments, after a package.toml has been written.
 *
 * @example Usage
 * ```ts
 * import { packArgs } from "./pack.ts";
 * packArgs({ kind: "image", ref: "registry.example/poetry-run:1.2.3" }, "/tmp/package.toml", [
 *   "linux/amd64",
 *   "linux/arm64",
 * ]);
 * ```
 *
 * @param out A `.cnb` file, or an image reference to publish.
 * @param config The package.toml.
 * @param targets The targets.
 * @returns The arguments.
 */
export function packArgs(out: PackOutput, config: string, targets: readonly string[]): string[] {
  return [
    "buildpack",
    "package",
    out.kind === "file" ? out.path : out.ref,
    "--config",
    config,
    ...targets.flatMap((t) => ["--target", t]),
    ...(out.kind === "file" ? ["--format", "file"] : ["--publish"]),
  ];
}

/**
 * Runs pack on the package directory.
 *
 * @param pack The pack executable.
 * @param dir The package directory (`<output>/buildpack`).
 * @param out A `.cnb` file, or an image reference to publish.
 * @param targets The targets.
 * @returns pack's output.
 * @throws {Error} With pack's output when it fails.
 */
export async function runPack(
  pack: string,
  dir: string,
  out: PackOutput,
  targets: readonly string[],
): Promise<string> {
  const work = await Deno.makeTempDir({ prefix: "poetry-run-pack-" });
  try {
    const config = join(work, "package.toml");
    await Deno.writeTextFile(config, stringifyToml({ buildpack: { uri: dir } }));
    const run = await new Deno.Command(pack, {
      args: packArgs(out, config, targets),
      cwd: work,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = (new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr))
      .trim();
    if (run.code !== 0) {
      const what = out.kind === "file" ? "" : ` --publish ${out.ref}`;
      throw new Error(`pack buildpack package${what} failed with exit code ${run.code}: ${text}`);
    }
    return text;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/**
 * Writes the `.cnb` file(s) with pack.
 *
 * @param pack The pack executable.
 * @param dir The package directory.
 * @param output The output directory.
 * @param targets The targets (decides the file names).
 * @returns The files written.
 * @throws {Error} With pack's output when it fails or writes other files.
 */
export async function packBuildpackage(
  pack: string,
  dir: string,
  output: string,
  targets: readonly string[],
): Promise<string[]> {
  const files = buildpackageFiles(output, targets);
  for (const f of files) await Deno.remove(f).catch(() => {});
  const text = await runPack(
    pack,
    dir,
    { kind: "file", path: join(output, "buildpackage.cnb") },
    targets,
  );
  for (const f of files) {
    if (!(await Deno.stat(f).then((s) => s.isFile, () => false))) {
      throw new Error(`pack buildpack package did not write ${f}: ${text}`);
    }
  }
  return files;
}
