/**
 * Writing `buildpackage.cnb` with pack (`pack buildpack package --format
 * file`), which needs no Docker daemon.
 *
 * @module
 */
import { join } from "node:path";

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
 * @param output The output directory.
 * @param targets The targets.
 * @returns The paths.
 */
export function buildpackageFiles(output: string, targets: readonly string[]): string[] {
  if (targets.length === 1) return [join(output, "buildpackage.cnb")];
  return targets.map((t) => join(output, `buildpackage-${t.replace("/", "-")}.cnb`));
}

/**
 * Runs pack on the buildpack directory. pack reads `[[targets]]` and, per
 * target, uses `linux/<arch>/` as the buildpack root.
 *
 * @param pack The pack executable.
 * @param dir The buildpack directory.
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
  const out = await new Deno.Command(pack, {
    args: [
      "buildpack",
      "package",
      join(output, "buildpackage.cnb"),
      "--format",
      "file",
      "--path",
      dir,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (out.code !== 0) {
    throw new Error(`pack buildpack package failed with exit code ${out.code}: ${text.trim()}`);
  }
  for (const f of files) {
    if (!(await Deno.stat(f).then((s) => s.isFile, () => false))) {
      throw new Error(`pack buildpack package did not write ${f}: ${text.trim()}`);
    }
  }
  return files;
}
