/**
 * The few POSIX path operations the phases need, without `node:path`.
 *
 * CNB buildpacks run on Linux only, and importing `node:path` costs about
 * 19 ms of start-up in Deno 2.9 (measured with `deno task bench`), which is
 * more than detect's own work; this module costs nothing.
 *
 * @module
 */

/**
 * Joins path segments with `/`, collapsing duplicate separators.
 *
 * @param parts Segments.
 * @returns The joined path.
 */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/").replace(/\/{2,}/g, "/");
}

/**
 * The last segment of a path (trailing slashes ignored).
 *
 * @param path A path.
 * @returns Its base name.
 */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/**
 * The path without its last segment (`.` for a bare name, `/` for the root).
 *
 * @param path A path.
 * @returns Its directory.
 */
export function dirName(path: string): string {
  if (/^\/+$/.test(path)) return "/";
  const trimmed = path.replace(/\/+$/, "");
  const i = trimmed.lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : trimmed.slice(0, i);
}

/**
 * Makes a path absolute against a base directory (no `..` resolution needed
 * beyond what the kernel does).
 *
 * @param base An absolute directory.
 * @param path A path.
 * @returns `path` if absolute, else `base/path`.
 */
export function absolutePath(base: string, path: string): string {
  return path.startsWith("/") ? path : joinPath(base, path);
}

/**
 * Resolves `.` and `..` segments and duplicate slashes without touching the
 * file system (as Go's `filepath.Clean`).
 *
 * @param path A path.
 * @returns The clean path (`.` for an empty relative one).
 */
export function cleanPath(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else out.push(part);
  }
  const joined = out.join("/");
  return absolute ? `/${joined}` : joined === "" ? "." : joined;
}
