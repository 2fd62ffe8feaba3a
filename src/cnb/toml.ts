/**
 * The one seam between this project and its TOML library.
 *
 * Everything that parses TOML goes through here, so swapping `npm:smol-toml`
 * for `jsr:@std/toml` (where JSR is reachable) is a change to this file alone.
 * The files the phases write (the plan, launch.toml) are written without the
 * library, by `toml_string.ts`, to keep it off detect's start-up.
 *
 * @module
 */
import { parse, TomlDate, TomlError } from "smol-toml";

/** A TOML syntax error with the 1-based position where parsing stopped. */
export class TomlSyntaxError extends SyntaxError {
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based column of the error. */
  readonly column: number;
  /** The parser's own description, without position or source excerpt. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param reason What was wrong.
   * @param line 1-based line.
   * @param column 1-based column.
   * @param options Standard error options (cause).
   */
  constructor(reason: string, line: number, column: number, options?: ErrorOptions) {
    super(`${line}:${column}: ${reason}`, options);
    this.name = "TomlSyntaxError";
    this.reason = reason;
    this.line = line;
    this.column = column;
  }
}

/**
 * Parses a TOML document into plain objects: tables are objects, arrays
 * arrays, strings strings, integers `bigint`s (so that `1` and `1.0` stay
 * apart), floats numbers, booleans booleans, and date-times values
 * {@linkcode dateTimeOf} describes.
 *
 * A leading byte-order mark is accepted and ignored (smol-toml rejects it).
 *
 * @param text The document.
 * @returns The top-level table.
 * @throws {TomlSyntaxError} When the document is not valid TOML.
 */
export function parseToml(text: string): Record<string, unknown> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return parse(body, { integersAsBigInt: true }) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split("\n")[0]?.replace(/^Invalid TOML document: /, "") ??
        "invalid TOML";
      throw new TomlSyntaxError(reason, error.line, error.column, { cause: error });
    }
    if (error instanceof RangeError) {
      // Deeply nested input can exhaust the parser's stack: report it as a syntax problem.
      throw new TomlSyntaxError(`document is nested too deeply (${error.message})`, 1, 1, {
        cause: error,
      });
    }
    throw error;
  }
}

/** The four kinds of TOML date-time. */
export type TomlDateTimeKind = "offset-datetime" | "local-datetime" | "local-date" | "local-time";

/**
 * Describes a date-time value {@linkcode parseToml} returned.
 *
 * @example Usage
 * ```ts
 * import { dateTimeOf, parseToml } from "./toml.ts";
 * dateTimeOf(parseToml("d = 1979-05-27").d); // { kind: "local-date", text: "1979-05-27" }
 * ```
 *
 * @param value A parsed value.
 * @returns Its kind and RFC 3339 text, or `undefined` when it is no date-time.
 */
export function dateTimeOf(
  value: unknown,
): { readonly kind: TomlDateTimeKind; readonly text: string } | undefined {
  if (!(value instanceof TomlDate)) return undefined;
  const kind = value.isDate()
    ? "local-date"
    : value.isTime()
    ? "local-time"
    : value.isLocal()
    ? "local-datetime"
    : "offset-datetime";
  return { kind, text: value.toISOString() };
}

/**
 * Tells whether a parsed TOML value is a table.
 *
 * @param value The value.
 * @returns `true` for a plain (table) object.
 */
export function isTable(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}
