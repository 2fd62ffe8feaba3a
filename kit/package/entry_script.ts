/**
 * `bin/detect` and `bin/build` of a `--runtime deno` package: POSIX sh
 * scripts that run the program (`lib/run.js`, see `program_script.ts`) on
 * the Deno CLI shipped beside it, with exactly the phase permission set, the
 * phase as first argument.
 *
 * `DENO_DIR` names a directory that cannot exist (`/dev/null/…`): every phase
 * runs in a new build container, so a cache is never read again, and
 * creating its SQLite files in an empty `$HOME` cost about 3 ms a phase
 * (measured with `deno task bench`); Deno then keeps what it needs in memory.
 *
 * @module
 */

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * The script for one phase.
 *
 * @example Usage
 * ```ts
 * import { entryScript } from "./entry_script.ts";
 * entryScript("detect", ["--allow-read"]);
 * ```
 *
 * @param phase `detect` or `build`.
 * @param permissionFlags The phase permission set as flags.
 * @param main The main module in `lib/` (another one for a benchmark's floor).
 * @returns The script text.
 */
export function entryScript(
  phase: "detect" | "build",
  permissionFlags: readonly string[],
  main = "run.js",
): string {
  const flags = permissionFlags.map(quote).join(" ");
  return `#!/bin/sh
# The buildpack's ${phase} phase: the bundled program (../lib/run.js, ../lib/program.js) on
# the Deno runtime shipped with it (../lib/deno), with the buildpack's permission set, and
# no Deno cache (a new build container would never read it again).
# The real directory is resolved so that a bin/ symlink to linux/<arch>/bin works.
here=$(cd -P -- "$(dirname -- "$0")" && pwd -P) || exit 1
DENO_DIR=/dev/null/deno DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1 exec "$here/../lib/deno" run \\
  --quiet --no-config --no-lock --no-npm --no-remote ${flags} "$here/../lib/${main}" ${phase} "$@"
`;
}
