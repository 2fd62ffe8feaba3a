/**
 * Writing files so that readers see the old content or the new, never a part.
 *
 * @module
 */
import { baseName, dirName, joinPath } from "./posix_path.ts";

/**
 * Writes a text file atomically: a temporary file in the same directory,
 * then a rename over the target. On failure the temporary file is removed
 * and the target is untouched.
 *
 * @param path The target file.
 * @param text The content.
 * @returns Resolves when the file is in place.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = joinPath(
    dirName(path),
    `.${baseName(path)}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`,
  );
  try {
    await Deno.writeTextFile(temp, text, { createNew: true, mode: 0o644 });
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}
