/**
 * Reading `<app>/pyproject.toml`.
 *
 * @module
 */
import { BuildpackError } from "../cnb/errors.ts";
import { describeIoError } from "../cnb/io_error.ts";
import { joinPath } from "../cnb/posix_path.ts";
import type { PyProject } from "./pyproject.ts";

/**
 * Reads and parses `<appDir>/pyproject.toml`.
 *
 * Synchronous reads: a phase does a few sequential file operations, and the
 * first asynchronous one costs about 2 ms of start-up in Deno 2.9.
 *
 * @param appDir The app directory.
 * @returns The project, or `null` when there is no such file.
 * @throws {BuildpackError} When it exists but cannot be read (a dangling
 * symlink included), is not UTF-8, or is invalid.
 */
export async function loadPyProject(appDir: string): Promise<PyProject | null> {
  // Loaded here: BP_POETRY_RUN_TARGET alone never reads pyproject.toml, and each module loaded
  // costs every phase start-up (deno task bench measures it).
  const { parsePyProject } = await import("./pyproject.ts");
  const path = joinPath(appDir, "pyproject.toml");
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound && !exists(path)) return null;
    throw new BuildpackError(
      `pyproject.toml: cannot be read (${describeIoError(error)}); make it a readable regular file`,
      { cause: error },
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    const loose = new TextDecoder().decode(bytes);
    const line = loose.slice(0, loose.indexOf("\uFFFD")).split("\n").length;
    throw new BuildpackError(
      `pyproject.toml:${line}: not valid UTF-8; save the file with UTF-8 encoding`,
      { cause: error },
    );
  }
  return parsePyProject(text);
}

/** Whether a directory entry exists at `path` (a dangling symlink does). */
function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
