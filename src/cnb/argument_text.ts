/**
 * Text a process argument can hold: launch.toml is UTF-8, and `execve`
 * passes C strings.
 *
 * @module
 */

/**
 * What makes text unusable in a process's argv: a NUL character (`execve`
 * cannot pass it) or a lone surrogate (not Unicode text, so not UTF-8 in
 * launch.toml).
 *
 * @example Usage
 * ```ts
 * import { unusableText } from "./argument_text.ts";
 * unusableText("web\u0000x"); // "a NUL character at position 4"
 * ```
 *
 * @param text The text.
 * @returns What is wrong, or `undefined` when it can be an argument.
 */
export function unusableText(text: string): string | undefined {
  const nul = text.indexOf("\0");
  if (nul >= 0) return `a NUL character at position ${nul + 1}`;
  if (!text.isWellFormed()) return "a lone surrogate (it is not Unicode text)";
  return undefined;
}
