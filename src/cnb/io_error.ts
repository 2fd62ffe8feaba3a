/**
 * Short descriptions of file-system errors for one-line messages.
 *
 * @module
 */

/**
 * Describes a file-system error in a few words.
 *
 * @param error The error.
 * @returns E.g. `not found`, `permission denied`.
 */
export function describeIoError(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "not found";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof Deno.errors.NotADirectory) return "not a directory";
  if (error instanceof Deno.errors.FilesystemLoop) return "too many levels of symbolic links";
  if (error instanceof Deno.errors.InvalidData) return "not valid UTF-8";
  if (error instanceof Error) return error.message;
  return String(error);
}
