/**
 * Files for tests, benches and scripts: temporary directories, and what a
 * suite needs that is not there.
 *
 * @module
 */

/** A temporary directory; dispose removes it. */
export type TempDir = { readonly path: string } & AsyncDisposable;

/**
 * A temporary directory removed when disposed.
 *
 * @param prefix Name prefix.
 * @returns The directory.
 */
export async function tempDir(prefix = "poetry-run-"): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }).catch(() => {}),
  };
}

/**
 * The first of some paths that does not exist, as a reason a suite cannot run.
 *
 * @param paths Files and directories the suite needs.
 * @param install The command that installs them.
 * @returns `<path> is missing: run <install>`, or `undefined` when all exist.
 */
export function missingPath(paths: readonly string[], install: string): string | undefined {
  for (const path of paths) {
    try {
      Deno.statSync(path);
    } catch {
      return `${path} is missing: run ${install}`;
    }
  }
  return undefined;
}
