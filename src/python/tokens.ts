/**
 * Python source as logical lines of tokens, as CPython's tokenizer sees it:
 * comments dropped, physical lines joined inside brackets and after a
 * backslash, string literals of every prefix and quoting (f-strings with
 * nested quotes and replacement fields, as Python 3.12 allows) read as one
 * token each. Enough to read a module's structure without running Python;
 * what it cannot read is a {@linkcode PythonSyntaxError}.
 *
 * @module
 */

/** The kind of a token. */
export type TokenKind = "name" | "number" | "string" | "op";

/** One token. */
export interface Token {
  /** Its kind. */
  readonly kind: TokenKind;
  /** Its source text (for strings: the whole literal, prefix and quotes included). */
  readonly text: string;
  /** 1-based line where it starts. */
  readonly line: number;
  /**
   * For a string literal without `f`, `t` or `b` in its prefix: its value
   * (escapes decoded as far as names and module paths need).
   */
  readonly value?: string;
}

/** A logical line: its indentation (columns, tabs to multiples of 8) and tokens. */
export interface LogicalLine {
  /** The indentation of its first physical line. */
  readonly indent: number;
  /** 1-based line where it starts. */
  readonly line: number;
  /** Its tokens (never empty). */
  readonly tokens: readonly Token[];
}

/** Source that Python's tokenizer would refuse. */
export class PythonSyntaxError extends SyntaxError {
  /** 1-based line. */
  readonly line: number;

  /**
   * Creates the error.
   *
   * @param message What is wrong.
   * @param line 1-based line.
   */
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = "PythonSyntaxError";
    this.line = line;
  }
}

const OPERATORS = [
  "**=",
  "//=",
  ">>=",
  "<<=",
  "...",
  "->",
  ":=",
  "**",
  "//",
  "==",
  "!=",
  "<=",
  ">=",
  "<<",
  ">>",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "@=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "@",
  "&",
  "|",
  "^",
  "~",
  "<",
  ">",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  ";",
  ".",
  "=",
  "!",
];
const OPENERS = new Set(["(", "[", "{"]);
const CLOSERS = new Set([")", "]", "}"]);
const NAME_START = /[\p{L}\p{Nl}_]/u;
const NAME_REST = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}\u00B7\u0387\u1369-\u1371\u19DA]/u;
const NUMBER =
  /(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)/y;
const STRING_PREFIX = /^(?:[rRuUbBfFtT]|[bBfFtT][rR]|[rR][bBfFtT])$/;
const ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  n: "\n",
  t: "\t",
  r: "\r",
  "0": "\0",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
};

/**
 * Splits Python source into logical lines of tokens.
 *
 * @example Usage
 * ```ts
 * import { logicalLines } from "./tokens.ts";
 * logicalLines("app = Flask(__name__)  # the app\n")[0]?.tokens.map((t) => t.text);
 * // ["app", "=", "Flask", "(", "__name__", ")"]
 * ```
 *
 * @param source The module's text.
 * @returns Its logical lines, in order.
 * @throws {PythonSyntaxError} For an unterminated string or bracket, a
 * stray closing bracket, or a character Python does not accept.
 */
export function logicalLines(source: string): LogicalLine[] {
  const s = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const lines: LogicalLine[] = [];
  let tokens: Token[] = [];
  let indent = 0;
  let start = 1;
  let line = 1;
  let depth = 0;
  const openers: number[] = [];
  let atLineStart = true;
  let i = 0;
  const end = () => {
    if (tokens.length > 0) lines.push({ indent, line: start, tokens });
    tokens = [];
    atLineStart = true;
  };
  while (i < s.length) {
    const c = s[i] as string;
    if (atLineStart && depth === 0) {
      // Measure the indentation of what may start a logical line.
      let col = 0;
      let j = i;
      for (; j < s.length; j++) {
        const w = s[j];
        if (w === " ") col++;
        else if (w === "\t") col = col - (col % 8) + 8;
        else if (w === "\f") col = 0;
        else break;
      }
      indent = col;
      start = line;
      atLineStart = false;
      i = j;
      continue;
    }
    if (c === "\n" || c === "\r") {
      i += c === "\r" && s[i + 1] === "\n" ? 2 : 1;
      line++;
      if (depth === 0) end();
      continue;
    }
    if (c === " " || c === "\t" || c === "\f") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < s.length && s[i] !== "\n" && s[i] !== "\r") i++;
      continue;
    }
    if (c === "\\") {
      const next = s[i + 1];
      if (next === "\n" || next === "\r") {
        i += next === "\r" && s[i + 2] === "\n" ? 3 : 2;
        line++;
        continue;
      }
      if (i + 1 >= s.length) {
        i++;
        continue;
      }
      throw new PythonSyntaxError("unexpected character after line continuation", line);
    }
    if (tokens.length === 0) start = line;
    if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < s.length && NAME_REST.test(s[j] as string)) j++;
      const word = s.slice(i, j);
      const quote = s[j];
      if ((quote === '"' || quote === "'") && STRING_PREFIX.test(word)) {
        const str = readString(s, i, j, line);
        tokens.push(str.token);
        line = str.line;
        i = str.end;
        continue;
      }
      tokens.push({ kind: "name", text: word, line });
      i = j;
      continue;
    }
    if (c === '"' || c === "'") {
      const str = readString(s, i, i, line);
      tokens.push(str.token);
      line = str.line;
      i = str.end;
      continue;
    }
    if (c >= "0" && c <= "9" || (c === "." && /[0-9]/.test(s[i + 1] ?? ""))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(s);
      const text = m?.[0] ?? c;
      tokens.push({ kind: "number", text, line });
      i += text.length;
      continue;
    }
    const op = OPERATORS.find((o) => s.startsWith(o, i));
    if (op === undefined) {
      throw new PythonSyntaxError(`invalid character ${JSON.stringify(c)}`, line);
    }
    if (OPENERS.has(op)) {
      depth++;
      openers.push(line);
    } else if (CLOSERS.has(op)) {
      if (depth === 0) throw new PythonSyntaxError(`unmatched ${JSON.stringify(op)}`, line);
      depth--;
      openers.pop();
    }
    tokens.push({ kind: "op", text: op, line });
    i += op.length;
  }
  if (depth > 0) throw new PythonSyntaxError("a bracket is never closed", openers[0] ?? line);
  end();
  return lines;
}

interface ReadString {
  readonly token: Token;
  readonly end: number;
  readonly line: number;
}

/** Reads a string literal whose prefix starts at `from` and whose quote is at `q`. */
function readString(s: string, from: number, q: number, line: number): ReadString {
  const prefix = s.slice(from, q).toLowerCase();
  const quote = s[q] as string;
  const triple = s.startsWith(quote.repeat(3), q);
  const delim = triple ? quote.repeat(3) : quote;
  const raw = prefix.includes("r");
  const formatted = prefix.includes("f") || prefix.includes("t");
  const startLine = line;
  let i = q + delim.length;
  let value = "";
  for (;;) {
    if (i >= s.length) throw new PythonSyntaxError("unterminated string literal", startLine);
    const c = s[i] as string;
    if (s.startsWith(delim, i)) {
      i += delim.length;
      break;
    }
    if (c === "\n" || c === "\r") {
      if (!triple) throw new PythonSyntaxError("unterminated string literal", startLine);
      if (!(c === "\r" && s[i + 1] === "\n")) line++;
      value += c;
      i++;
      continue;
    }
    if (c === "\\") {
      const next = s[i + 1] ?? "";
      if (next === "\n") line++;
      if (raw) value += c + next;
      else if (next === "\n") value += "";
      else value += ESCAPES[next] ?? c + next;
      i += 2;
      continue;
    }
    if (formatted && c === "{") {
      if (s[i + 1] === "{") {
        i += 2;
        continue;
      }
      const field = readField(s, i + 1, line);
      i = field.end;
      line = field.line;
      continue;
    }
    value += c;
    i++;
  }
  const text = s.slice(from, i);
  const token: Token = formatted || prefix.includes("b")
    ? { kind: "string", text, line: startLine }
    : { kind: "string", text, line: startLine, value };
  return { token, end: i, line };
}

/**
 * Skips an f-string replacement field whose `{` is just before `i`: the
 * expression (brackets and nested strings balanced), then a format spec
 * after a top-level `:` (literal text with nested fields). Returns past its `}`.
 */
function readField(s: string, i: number, line: number): { end: number; line: number } {
  let depth = 0;
  for (;;) {
    if (i >= s.length) throw new PythonSyntaxError("unterminated f-string field", line);
    const c = s[i] as string;
    if (c === "\n") line++;
    if (c === '"' || c === "'") {
      const str = readString(s, i, i, line);
      i = str.end;
      line = str.line;
      continue;
    }
    if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < s.length && NAME_REST.test(s[j] as string)) j++;
      const q = s[j];
      if ((q === '"' || q === "'") && STRING_PREFIX.test(s.slice(i, j))) {
        const str = readString(s, i, j, line);
        i = str.end;
        line = str.line;
      } else i = j;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "}") {
      if (depth === 0) return { end: i + 1, line };
      depth--;
    } else if (c === ":" && depth === 0) {
      return readFormatSpec(s, i + 1, line);
    }
    i++;
  }
}

function readFormatSpec(s: string, i: number, line: number): { end: number; line: number } {
  for (;;) {
    if (i >= s.length) throw new PythonSyntaxError("unterminated f-string field", line);
    const c = s[i] as string;
    if (c === "\n") line++;
    if (c === "{") {
      const inner = readField(s, i + 1, line);
      i = inner.end;
      line = inner.line;
      continue;
    }
    if (c === "}") return { end: i + 1, line };
    i++;
  }
}
