/**
 * What kind of file a path names, following symbolic links; a path that
 * does not exist, or cannot be looked at, is neither.
 *
 * @module
 */

/**
 * Whether `path` is a directory (or a link to one).
 *
 * @example Usage
 * ```ts
 * import { isDirectory } from "./file_kind.ts";
 * isDirectory("/tmp"); // true
 * ```
 *
 * @param path The path.
 * @returns Whether it is a directory.
 */
export function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Whether `path` is a regular file (or a link to one).
 *
 * @example Usage
 * ```ts
 * import { isFile } from "./file_kind.ts";
 * isFile("/etc/hostname"); // true
 * ```
 *
 * @param path The path.
 * @returns Whether it is a file.
 */
export function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
