/**
 * Splitting a command line into words with POSIX shell quoting rules.
 *
 * @module
 */

/** A command line that cannot be split, with the 1-based column of the problem. */
export class ShellWordsError extends SyntaxError {
  /** 1-based column (in characters) where the problem starts. */
  readonly column: number;
  /** What to do about it. */
  readonly hint: string;

  /**
   * Creates the error.
   *
   * @param message What is wrong.
   * @param column 1-based column.
   * @param hint What to do about it.
   */
  constructor(message: string, column: number, hint: string) {
    super(message);
    this.name = "ShellWordsError";
    this.column = column;
    this.hint = hint;
  }
}

const CLOSE = "close the quote, or escape it with a backslash";

const BLANK = new Set([" ", "\t", "\n"]);
const DOUBLE_QUOTE_ESCAPES = new Set(["$", "`", '"', "\\", "\n"]);

/**
 * Splits text into words the way a POSIX shell does, without expansion:
 * single quotes keep everything literally, double quotes allow `\` before
 * `$ \` " \ newline`, a backslash outside quotes escapes the next character
 * (backslash-newline joins lines), and runs of blanks separate words. `$`,
 * `*` and `~` are ordinary characters.
 *
 * @example Usage
 * ```ts
 * import { splitShellWords } from "./shell_words.ts";
 * splitShellWords(`gunicorn -b '0.0.0.0:8080' "app:create_app()"`);
 * // ["gunicorn", "-b", "0.0.0.0:8080", "app:create_app()"]
 * ```
 *
 * @param text The command line.
 * @returns The words (empty for blank text).
 * @throws {ShellWordsError} On an unterminated quote or a trailing backslash.
 */
export function splitShellWords(text: string): string[] {
  const chars = [...text];
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (BLANK.has(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (ch === "\\") {
      const next = chars[i + 1];
      if (next === undefined) {
        throw new ShellWordsError(
          "ends with a backslash that escapes nothing",
          i + 1,
          "remove it, or write \\\\ for a backslash",
        );
      }
      i++;
      if (next !== "\n") {
        word += next;
        inWord = true;
      }
    } else if (ch === "'") {
      const end = chars.indexOf("'", i + 1);
      if (end < 0) throw new ShellWordsError("has an unterminated single quote", i + 1, CLOSE);
      word += chars.slice(i + 1, end).join("");
      inWord = true;
      i = end;
    } else if (ch === '"') {
      const start = i;
      inWord = true;
      for (i++;; i++) {
        const c = chars[i];
        if (c === undefined) {
          throw new ShellWordsError("has an unterminated double quote", start + 1, CLOSE);
        }
        if (c === '"') break;
        if (
          c === "\\" && chars[i + 1] !== undefined &&
          DOUBLE_QUOTE_ESCAPES.has(chars[i + 1] as string)
        ) {
          i++;
          if (chars[i] !== "\n") word += chars[i];
        } else {
          word += c;
        }
      }
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

const SAFE = /^[A-Za-z0-9_\-.,:/@%+=]+$/;

/**
 * Quotes words so that {@linkcode splitShellWords} (or a shell) gives them back.
 *
 * @param words The words.
 * @returns One line, each word quoted only when needed.
 */
export function quoteShellWords(words: readonly string[]): string {
  return words.map((w) => SAFE.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`).join(" ");
}
