/**
 * `deno task dev-buildpack <out-dir> [--version X] [--api A]`: writes a runnable
 * buildpack directory from the source tree. `bin/detect` and `bin/build` run
 * `src/main.ts` through deno with exactly the compile permission set, so the
 * real lifecycle can run the buildpack on a host without `deno compile`.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { cp } from "node:fs/promises";
import { phaseDenoArgs, REPO_ROOT } from "./phase_command.ts";
import { stampBuildpackToml } from "./package/buildpack_toml.ts";

/** Options of {@linkcode writeDevBuildpack}. */
export interface DevBuildpackOptions {
  /** Version stamped into buildpack.toml. */
  readonly version?: string;
  /** Buildpack API written into buildpack.toml (default: the repo's). */
  readonly api?: string;
  /** DENO_DIR the phases use (must be readable by the user running the lifecycle). */
  readonly denoDir?: string;
}

/**
 * Writes the buildpack: buildpack.toml (version stamped), a copy of the
 * sources (src/, deno.json, deno.lock) and `bin/detect`, `bin/build`.
 *
 * @param outDir The directory to write (created).
 * @param opts Version, API, DENO_DIR.
 * @returns The directory.
 */
export async function writeDevBuildpack(
  outDir: string,
  opts: DevBuildpackOptions = {},
): Promise<string> {
  const version = opts.version ?? "0.0.0-dev";
  await Deno.mkdir(join(outDir, "bin"), { recursive: true });
  const sources = join(outDir, "source");
  await Deno.remove(sources, { recursive: true }).catch(() => {});
  await cp(join(REPO_ROOT, "src"), join(sources, "src"), { recursive: true });
  for (const file of ["deno.json", "deno.lock"]) {
    await Deno.copyFile(join(REPO_ROOT, file), join(sources, file));
  }
  const source = await Deno.readTextFile(join(REPO_ROOT, "buildpack.toml"));
  await Deno.writeTextFile(
    join(outDir, "buildpack.toml"),
    stampBuildpackToml(source, { version, ...(opts.api === undefined ? {} : { api: opts.api }) }),
  );
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const denoDir = opts.denoDir === undefined ? "" : `export DENO_DIR=${quote(opts.denoDir)}\n`;
  for (const phase of ["detect", "build"]) {
    const args = [Deno.execPath(), ...phaseDenoArgs(sources)].map(quote).join(" ");
    const script =
      `#!/usr/bin/env bash\n# Runs the buildpack from source with the compile permission set.\n` +
      `${denoDir}export DENO_NO_UPDATE_CHECK=1\nexec ${args} ${phase} "$@"\n`;
    await Deno.writeTextFile(join(outDir, "bin", phase), script, { mode: 0o755 });
    await Deno.chmod(join(outDir, "bin", phase), 0o755);
  }
  return outDir;
}

/**
 * `deno task dev-buildpack`'s command line.
 *
 * @param args The arguments.
 * @returns The exit code.
 */
export async function devBuildpackMain(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      version: { type: "string" },
      api: { type: "string" },
      "deno-dir": { type: "string" },
    },
  });
  const out = positionals[0];
  if (out === undefined || positionals.length > 1) {
    console.error(
      "usage: deno task dev-buildpack <out-dir> [--version X] [--api 0.8] [--deno-dir DIR]",
    );
    return 2;
  }
  const dir = resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), out);
  await writeDevBuildpack(dir, {
    ...(values.version === undefined ? {} : { version: values.version }),
    ...(values.api === undefined ? {} : { api: values.api }),
    ...(values["deno-dir"] === undefined ? {} : { denoDir: values["deno-dir"] }),
  });
  console.log(`Wrote ${dir}`);
  return 0;
}
