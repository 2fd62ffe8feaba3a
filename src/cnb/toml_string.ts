/**
 * Writing TOML strings without the TOML library, for the files this
 * buildpack writes by hand (plan, launch.toml): detect loads no TOML parser
 * when it does not read pyproject.toml.
 *
 * @module
 */

/**
 * Encodes a TOML basic string: JSON's escaping is TOML's, except that TOML
 * also requires U+007F (DEL) to be escaped.
 *
 * @example Usage
 * ```ts
 * import { tomlString } from "./toml_string.ts";
 * tomlString('say "hi"'); // "\"say \\\"hi\\\"\""
 * ```
 *
 * @param value The string.
 * @returns The quoted, escaped string.
 * @throws {TypeError} For a string with a lone surrogate (not Unicode text).
 */
export function tomlString(value: string): string {
  if (!value.isWellFormed()) {
    throw new TypeError(`Cannot encode ${JSON.stringify(value)} as TOML: it has a lone surrogate`);
  }
  return JSON.stringify(value).replaceAll("\u007f", "\\u007f");
}
