/**
 * Writing TOML, for packaging and tests: the phases write their two small
 * files without the library (`src/cnb/toml_string.ts`), so only the
 * development kit needs a writer. Like `src/cnb/toml.ts` for reading, this
 * is the one module that imports the library's writer.
 *
 * @module
 */
import { stringify } from "smol-toml";

/**
 * Serialises a table as TOML.
 *
 * @param value The table; `undefined` values are omitted.
 * @returns TOML text ending in a newline.
 */
export function stringifyToml(value: Record<string, unknown>): string {
  const out = stringify(value);
  return out.endsWith("\n") ? out : `${out}\n`;
}
