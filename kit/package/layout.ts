/**
 * One target's files in a package, per runtime: `<target>/bin/detect` and
 * `<target>/bin/build`, and what they run.
 *
 * @module
 */
import { join } from "node:path";
import { type PackageOptions } from "./args.ts";
import { compileArgs, type DenoRunner, LAZY } from "./deno_commands.ts";
import type { DenortSource } from "./denort.ts";
import { entryScript } from "./entry_script.ts";
import { LOADER } from "./program_script.ts";

/**
 * `denort`: `bin/run` is `deno compile` of the bundle (the permission set
 * baked in), `bin/detect` and `bin/build` symlinks to it.
 *
 * @param dir The target's directory (`<package>/linux/<arch>`).
 * @param opts The staging directory holding the bundle, the target triple,
 * the engine, the permission flags, the denort runtime and the compile runner.
 * @returns The executable.
 */
export async function denortTarget(dir: string, opts: {
  readonly stage: string;
  readonly triple: string;
  readonly engine: PackageOptions["engine"];
  readonly flags: readonly string[];
  readonly source: DenortSource;
  readonly compile: DenoRunner;
}): Promise<string> {
  const bin = join(dir, "bin");
  await Deno.mkdir(bin, { recursive: true });
  const executable = join(bin, "run");
  // DENORT_BIN is what deno compile uses whatever the target: set it to this
  // target's runtime, or unset it so that deno compile uses the cache (or downloads).
  await opts.compile(compileArgs(opts.triple, opts.engine, opts.flags, executable), {
    cwd: opts.stage,
    env: { DENORT_BIN: opts.source.kind === "file" ? opts.source.path : undefined },
  });
  await Deno.chmod(executable, 0o755);
  for (const link of ["detect", "build"]) await Deno.symlink("run", join(bin, link));
  return executable;
}

/**
 * `deno`: `lib/deno` is the Deno CLI, `lib/program.js` the bundle as a
 * function body run by `lib/run.js` (and `lib/infer.js`, which it imports
 * only when needed), `bin/detect` and `bin/build` POSIX sh scripts running it
 * with the permission set.
 *
 * @param dir The target's directory (`<package>/linux/<arch>`).
 * @param opts The Deno CLI's bytes, the program, the permission flags.
 * @returns The executable (`lib/deno`).
 */
export async function denoTarget(dir: string, opts: {
  readonly cli: Uint8Array;
  readonly program: string;
  readonly flags: readonly string[];
  /** The module the program imports only when needed (`lib/infer.js`). */
  readonly lazy: string;
}): Promise<string> {
  const bin = join(dir, "bin");
  const lib = join(dir, "lib");
  await Deno.mkdir(bin, { recursive: true });
  await Deno.mkdir(lib, { recursive: true });
  const executable = join(lib, "deno");
  await Deno.writeFile(executable, opts.cli, { mode: 0o755 });
  await Deno.chmod(executable, 0o755);
  await Deno.writeTextFile(join(lib, "program.js"), opts.program);
  await Deno.writeTextFile(join(lib, LAZY.bundle), opts.lazy);
  await Deno.writeTextFile(join(lib, "run.js"), LOADER);
  for (const phase of ["detect", "build"] as const) {
    await Deno.writeTextFile(join(bin, phase), entryScript(phase, opts.flags));
    await Deno.chmod(join(bin, phase), 0o755);
  }
  return executable;
}
