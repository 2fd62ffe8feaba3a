/**
 * Boolean parsing with Go's `strconv.ParseBool` semantics, which Paketo
 * buildpacks use for every `BP_*` switch.
 *
 * @module
 */
import { BuildpackError } from "../cnb/errors.ts";

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/**
 * Parses a boolean exactly as Go's `strconv.ParseBool` does.
 *
 * @example Usage
 * ```ts
 * import { parseGoBool } from "./parse_bool.ts";
 * parseGoBool("T"); // true
 * ```
 *
 * @param value The text.
 * @returns The boolean.
 * @throws {SyntaxError} With Go's message when the text is not one of
 * `1 t T TRUE true True 0 f F FALSE false False`.
 */
export function parseGoBool(value: string): boolean {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new SyntaxError(`strconv.ParseBool: parsing ${goQuote(value)}: invalid syntax`);
}

/** Quotes a string the way Go's `strconv.Quote` does for printable ASCII. */
function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Reads a boolean `BP_*` switch with Go `strconv.ParseBool` semantics; unset
 * means `false`.
 *
 * @example Usage
 * ```ts
 * import { boolVariable } from "./parse_bool.ts";
 * boolVariable("BP_EXAMPLE", "1"); // true
 * ```
 *
 * @param name The variable's name, for the message.
 * @param value Its value.
 * @param hint Appended to the message (after `; `), saying what to do.
 * @returns The boolean.
 * @throws {BuildpackError} `failed to parse NAME value X: strconv.ParseBool: …`.
 */
export function boolVariable(name: string, value: string | undefined, hint?: string): boolean {
  if (value === undefined) return false;
  try {
    return parseGoBool(value);
  } catch (error) {
    throw new BuildpackError(
      `failed to parse ${name} value ${value}: ${(error as Error).message}${
        hint === undefined ? "" : `; ${hint}`
      }`,
      { cause: error },
    );
  }
}
