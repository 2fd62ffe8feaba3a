/**
 * The buildpack's single entry point: the CNB runner with the Poetry Run
 * buildpack. Compiled, it is `bin/run`, with `bin/detect` and `bin/build`
 * symlinked to it; in the `--runtime deno` package and from source the phase
 * is the first argument (`deno task phase detect <platform> <plan>`).
 *
 * @module
 */
import { type Io, readEnv } from "./cnb/io.ts";
import { runBuildpack } from "./cnb/runner.ts";
import { poetryRun } from "./poetry/buildpack.ts";

/**
 * Runs one phase of the Poetry Run buildpack; never throws.
 *
 * @param args `detect|build <inputs…>`, or the inputs alone when the
 * lifecycle's inputs or argv[0] name the phase.
 * @param io Where to read and write (default: this process).
 * @returns The exit code.
 */
export function run(args: readonly string[], io?: Io): Promise<number> {
  return runBuildpack(poetryRun, args, io);
}

if (import.meta.main) {
  // `deno task phase` runs in the directory of deno.json; the caller's
  // directory (the app, as under the lifecycle) is in INIT_CWD.
  let callerDir: string | undefined;
  try {
    callerDir = Deno.build.standalone ? undefined : readEnv("INIT_CWD");
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
  if (callerDir !== undefined && callerDir !== "") Deno.chdir(callerDir);
  Deno.exit(await run(Deno.args));
}
