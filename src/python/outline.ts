/**
 * The outline of a Python module, read from its tokens without running it:
 * what its import statements bind, its assignments and expression
 * statements, its functions (with what they assign and return) and classes,
 * each marked with where it runs: unconditionally at import (`module`), only
 * under a condition, loop, `try` or `with` (`conditional`), or only when the
 * file runs as a script (`main`, under `if __name__ == "__main__":`).
 * `if TYPE_CHECKING:` blocks, class bodies and functions inside functions are
 * left out: none of them runs at import.
 *
 * Expressions are kept only in the forms the start-command inference reads:
 * dotted names, calls, string literals, tuples and lists; anything else is
 * `other`, with the dotted names it mentions.
 *
 * @module
 */
import { type LogicalLine, logicalLines, type Token } from "./tokens.ts";

/** Where a module-level statement runs. */
export type Where = "module" | "conditional" | "main";

/** An expression, as far as the outline reads it. */
export type Expr =
  | { readonly kind: "name"; readonly path: readonly string[] }
  | {
    readonly kind: "call";
    readonly func: Expr;
    readonly args: readonly Expr[];
    readonly keywords: readonly { readonly name: string; readonly value: Expr }[];
    /** Whether it has `*args` or `**kwargs`. */
    readonly star: boolean;
  }
  | { readonly kind: "str"; readonly value: string }
  | { readonly kind: "tuple" | "list"; readonly items: readonly Expr[] }
  | { readonly kind: "other" };

/** A name an import statement binds: `local` stands for module `target` (or its attribute). */
export interface ImportBinding {
  /** The name bound in the module. */
  readonly local: string;
  /**
   * What it stands for: a dotted path, relative paths starting with one `.`
   * per level (`..pkg.mod.name`).
   */
  readonly target: string;
}

/** Fields every statement has. */
interface Base {
  /** 1-based line. */
  readonly line: number;
  /** Where it runs. */
  readonly where: Where;
  /** The dotted names it mentions (not keyword-argument names), e.g. `app.mount`, `sub`. */
  readonly refs: readonly string[];
}

/** A module-level statement. */
export type Statement =
  | Base & {
    readonly kind: "import";
    readonly binds: readonly ImportBinding[];
    /** `from <star> import *`: the module (relative: leading dots). */
    readonly star?: string;
  }
  | Base & { readonly kind: "assign"; readonly targets: readonly Expr[]; readonly value: Expr }
  | Base & { readonly kind: "expr"; readonly value: Expr }
  | Base & {
    readonly kind: "def";
    readonly name: string;
    readonly async: boolean;
    /** Whether it can be called with no argument (every parameter has a default, or is `*`/`**`). */
    readonly noArgs: boolean;
    /** What its body assigns to plain names (not in nested functions or classes). */
    readonly assigns: readonly { readonly name: string; readonly value: Expr }[];
    /** What its `return` statements return (`undefined`: a bare `return`). */
    readonly returns: readonly (Expr | undefined)[];
  }
  | Base & { readonly kind: "class"; readonly name: string; readonly bases: readonly Expr[] }
  | Base & { readonly kind: "other" };

/** A module's outline. */
export interface Outline {
  /** Module-level statements in order (those under `if __name__ == "__main__":` included, marked `main`). */
  readonly statements: readonly Statement[];
}

const KEYWORDS = new Set([
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
]);
const COMPOUND = new Set([
  "if",
  "elif",
  "else",
  "try",
  "except",
  "finally",
  "with",
  "for",
  "while",
  "def",
  "class",
  "async",
]);
const OTHER: Expr = { kind: "other" };

/** Index of the first top-level token with this text in [from, to), or -1. */
function topLevel(tokens: readonly Token[], text: string, from = 0, to = tokens.length): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== "op") continue;
    if (t.text === "(" || t.text === "[" || t.text === "{") depth++;
    else if (t.text === ")" || t.text === "]" || t.text === "}") depth--;
    else if (depth === 0 && t.text === text) return i;
  }
  return -1;
}

/** Splits [from, to) at top-level tokens with this text. */
function splitTop(tokens: readonly Token[], text: string): Token[][] {
  const parts: Token[][] = [];
  let depth = 0;
  let current: Token[] = [];
  for (const t of tokens) {
    if (t.kind === "op") {
      if (t.text === "(" || t.text === "[" || t.text === "{") depth++;
      else if (t.text === ")" || t.text === "]" || t.text === "}") depth--;
      else if (depth === 0 && t.text === text) {
        parts.push(current);
        current = [];
        continue;
      }
    }
    current.push(t);
  }
  parts.push(current);
  return parts;
}

/** The dotted names tokens mention, outside keyword-argument names and attribute chains' tails. */
function refsOf(tokens: readonly Token[]): string[] {
  const refs: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== "name" || KEYWORDS.has(t.text)) continue;
    const prev = tokens[i - 1];
    if (prev?.kind === "op" && prev.text === ".") continue;
    const next = tokens[i + 1];
    if (next?.kind === "op" && next.text === "=" && prev?.kind === "op" && /[(,]/.test(prev.text)) {
      continue;
    }
    const path = [t.text];
    let j = i + 1;
    while (tokens[j]?.text === "." && tokens[j + 1]?.kind === "name") {
      path.push((tokens[j + 1] as Token).text);
      j += 2;
    }
    refs.push(path.join("."));
  }
  return refs;
}

/** The matching closer of the opener at `i`. */
function closing(tokens: readonly Token[], i: number): number {
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    const t = tokens[j] as Token;
    if (t.kind !== "op") continue;
    if (t.text === "(" || t.text === "[" || t.text === "{") depth++;
    else if (t.text === ")" || t.text === "]" || t.text === "}") {
      depth--;
      if (depth === 0) return j;
    }
  }
  return tokens.length;
}

/** Parses tokens as one expression; tuples where there are top-level commas. */
export function parseExpr(tokens: readonly Token[]): Expr {
  const parts = splitTop(tokens, ",");
  if (parts.length > 1) {
    const items = parts.filter((p) => p.length > 0);
    return { kind: "tuple", items: items.map(single) };
  }
  return single(tokens);
}

function single(tokens: readonly Token[]): Expr {
  const [expr, used] = primary(tokens, 0);
  return used === tokens.length && used > 0 ? expr : OTHER;
}

/** A primary expression at `i`: an atom and its trailers; returns it and where it ended. */
function primary(tokens: readonly Token[], i: number): [Expr, number] {
  const t = tokens[i];
  let expr: Expr;
  if (t === undefined) return [OTHER, i];
  if (t.kind === "name" && !KEYWORDS.has(t.text)) {
    expr = { kind: "name", path: [t.text] };
    i++;
  } else if (t.kind === "string") {
    let value: string | undefined = "";
    while (tokens[i]?.kind === "string") {
      const v = (tokens[i] as Token).value;
      value = value === undefined || v === undefined ? undefined : value + v;
      i++;
    }
    expr = value === undefined ? OTHER : { kind: "str", value };
  } else if (t.kind === "op" && (t.text === "(" || t.text === "[")) {
    const end = closing(tokens, i);
    const inner = tokens.slice(i + 1, end);
    const parsed = inner.length === 0 ? { kind: "tuple" as const, items: [] } : parseExpr(inner);
    expr = t.text === "["
      ? { kind: "list", items: parsed.kind === "tuple" ? parsed.items : [parsed] }
      : parsed;
    i = end + 1;
  } else {
    return [OTHER, i];
  }
  for (;;) {
    const n = tokens[i];
    if (n?.kind !== "op") break;
    if (n.text === "." && tokens[i + 1]?.kind === "name") {
      const attr = (tokens[i + 1] as Token).text;
      expr = expr.kind === "name" ? { kind: "name", path: [...expr.path, attr] } : OTHER;
      i += 2;
    } else if (n.text === "(") {
      const end = closing(tokens, i);
      expr = call(expr, tokens.slice(i + 1, end));
      i = end + 1;
    } else if (n.text === "[") {
      i = closing(tokens, i) + 1;
      expr = OTHER;
    } else break;
  }
  return [expr, i];
}

function call(func: Expr, inner: readonly Token[]): Expr {
  const args: Expr[] = [];
  const keywords: { name: string; value: Expr }[] = [];
  let star = false;
  for (const part of splitTop(inner, ",")) {
    if (part.length === 0) continue;
    const [first, second] = part;
    if (first?.kind === "op" && (first.text === "*" || first.text === "**")) {
      star = true;
    } else if (first?.kind === "name" && second?.kind === "op" && second.text === "=") {
      keywords.push({ name: first.text, value: parseExpr(part.slice(2)) });
    } else {
      args.push(single(part));
    }
  }
  return { kind: "call", func, args, keywords, star };
}

/** `import a.b as c, d` → bindings. */
function importBindings(tokens: readonly Token[]): ImportBinding[] {
  const binds: ImportBinding[] = [];
  for (const part of splitTop(tokens.slice(1), ",")) {
    const as = part.findIndex((t) => t.kind === "name" && t.text === "as");
    const dotted = (as < 0 ? part : part.slice(0, as)).map((t) => t.text).join("");
    if (dotted === "") continue;
    if (as >= 0 && part[as + 1] !== undefined) {
      binds.push({ local: (part[as + 1] as Token).text, target: dotted });
    } else {
      const head = dotted.split(".")[0] as string;
      binds.push({ local: head, target: head });
    }
  }
  return binds;
}

/** `from ..a.b import (c as d, e)` → bindings, or a star import. */
function fromImport(tokens: readonly Token[]): { binds: ImportBinding[]; star?: string } {
  const at = tokens.findIndex((t) => t.kind === "name" && t.text === "import");
  if (at < 0) return { binds: [] };
  const module = tokens.slice(1, at).map((t) => t.text).join("");
  const names = tokens.slice(at + 1).filter((t) => t.text !== "(" && t.text !== ")");
  if (names.length === 1 && names[0]?.text === "*") return { binds: [], star: module };
  const prefix = module.endsWith(".") ? module : `${module}.`;
  const binds: ImportBinding[] = [];
  for (const part of splitTop(names, ",")) {
    const name = part[0]?.text;
    if (name === undefined) continue;
    const local = part[1]?.text === "as" ? part[2]?.text ?? name : name;
    binds.push({ local, target: `${prefix}${name}` });
  }
  return { binds };
}

/** Whether a def's parameter list can be called with no arguments. */
function callableWithoutArgs(params: readonly Token[]): boolean {
  for (const part of splitTop(params, ",")) {
    if (part.length === 0) continue;
    const first = part[0] as Token;
    if (first.text === "/" || first.text === "*" || first.text === "**") continue;
    // A parameter with a default has a top-level "=" (annotations are after ":").
    if (topLevel(part, "=") < 0) return false;
  }
  return true;
}

interface Frame {
  readonly indent: number;
  readonly kind: Where | "skip" | "function";
  readonly fn?: { assigns: { name: string; value: Expr }[]; returns: (Expr | undefined)[] };
}

/** Whether a logical line starts a compound statement (a block follows its `:`). */
function isHeader(tokens: readonly Token[]): boolean {
  const first = tokens[0] as Token;
  if (first.kind !== "name") return false;
  if (COMPOUND.has(first.text)) return true;
  // The soft keywords: `match x:` / `case 1:`, not `match = 1` or `match.group()`.
  if (first.text !== "match" && first.text !== "case") return false;
  const second = tokens[1];
  return second !== undefined && topLevel(tokens, ":") > 0 &&
    !(second.kind === "op" && ["=", ".", ":", ",", ")", "]"].includes(second.text));
}

function isMainGuard(cond: readonly Token[]): boolean {
  const text = cond.map((t) => t.kind === "string" ? `'${t.value ?? ""}'` : t.text).join(" ");
  return text === "__name__ == '__main__'" || text === "'__main__' == __name__";
}

function isTypeChecking(cond: readonly Token[]): boolean {
  const text = cond.map((t) => t.text).join("");
  return text === "TYPE_CHECKING" || text === "typing.TYPE_CHECKING" ||
    text === "t.TYPE_CHECKING";
}

/**
 * Reads a module's outline.
 *
 * @example Usage
 * ```ts
 * import { outline } from "./outline.ts";
 * outline("from flask import Flask\napp = Flask(__name__)\n").statements.map((s) => s.kind);
 * // ["import", "assign"]
 * ```
 *
 * @param source The module's text.
 * @returns Its outline.
 * @throws {PythonSyntaxError} When it cannot be tokenized.
 */
export function outline(source: string): Outline {
  return outlineOf(logicalLines(source));
}

/**
 * The outline of already tokenized source.
 *
 * @param lines The logical lines.
 * @returns The outline.
 */
export function outlineOf(lines: readonly LogicalLine[]): Outline {
  const statements: Statement[] = [];
  const stack: Frame[] = [];
  for (const line of lines) {
    while (stack.length > 0 && (stack.at(-1) as Frame).indent >= line.indent) stack.pop();
    const frame = stack.at(-1);
    if (frame?.kind === "skip") continue;
    const where: Where | "function" = frame === undefined
      ? "module"
      : frame.kind === "function"
      ? "function"
      : frame.kind as Where;
    const tokens = line.tokens;
    const first = tokens[0] as Token;
    if (first.kind === "op" && first.text === "@") continue; // a decorator
    const colon = isHeader(tokens) ? topLevel(tokens, ":") : -1;
    if (colon > 0) {
      const header = tokens.slice(0, colon);
      const body = tokens.slice(colon + 1);
      const keyword = first.text === "async" ? tokens[1]?.text ?? "" : first.text;
      let kind: Frame["kind"];
      let fn: Frame["fn"];
      if (keyword === "def") {
        if (where === "function") kind = "skip";
        else {
          const nameAt = first.text === "async" ? 2 : 1;
          const open = header.findIndex((t) => t.text === "(");
          fn = { assigns: [], returns: [] };
          statements.push({
            kind: "def",
            name: header[nameAt]?.text ?? "",
            async: first.text === "async",
            noArgs: open < 0 ||
              callableWithoutArgs(header.slice(open + 1, closing(header, open))),
            assigns: fn.assigns,
            returns: fn.returns,
            line: line.line,
            where,
            refs: [],
          });
          kind = "function";
        }
      } else if (keyword === "class") {
        if (where !== "function") {
          const open = header.findIndex((t) => t.text === "(");
          const bases = open < 0 ? [] : splitTop(header.slice(open + 1, closing(header, open)), ",")
            .filter((p) => p.length > 0 && p[1]?.text !== "=").map(single);
          statements.push({
            kind: "class",
            name: header[1]?.text ?? "",
            bases,
            line: line.line,
            where,
            refs: refsOf(header),
          });
        }
        kind = "skip";
      } else if (where === "function") {
        kind = "function";
        fn = frame?.fn;
      } else if (keyword === "if" && isTypeChecking(header.slice(1))) {
        kind = "skip";
      } else if (keyword === "if" && isMainGuard(header.slice(1))) {
        kind = "main";
      } else {
        // Blocks run under a condition; inside a main guard they still run only as a script.
        // (The else of a main guard is at module level: conditional.)
        kind = where === "main" ? "main" : "conditional";
        // `with X() as name:` binds name where the with statement itself runs.
        if (keyword === "with") withBindings(header.slice(1), line.line, where, statements);
      }
      if (body.length > 0) {
        // A body on the header's line: simple statements only.
        if (kind !== "skip" && kind !== "function") simple(body, line.line, kind, statements);
        else if (kind === "function" && fn !== undefined) functionStatement(body, fn);
      } else {
        stack.push({ indent: line.indent, kind, ...(fn === undefined ? {} : { fn }) });
      }
      continue;
    }
    if (where === "function") {
      if (frame?.fn !== undefined) functionStatement(tokens, frame.fn);
      continue;
    }
    simple(tokens, line.line, where, statements);
  }
  return { statements };
}

/** `with A() as a, B() as b`: an assignment of each item's value to its name. */
function withBindings(items: readonly Token[], line: number, where: Where, out: Statement[]): void {
  for (const item of splitTop(items, ",")) {
    const as = item.findIndex((t) => t.kind === "name" && t.text === "as");
    const name = item[as + 1];
    if (as <= 0 || name?.kind !== "name" || item.length !== as + 2) continue;
    out.push({
      kind: "assign",
      targets: [{ kind: "name", path: [name.text] }],
      value: parseExpr(item.slice(0, as)),
      line,
      where,
      refs: refsOf(item),
    });
  }
}

/** Records what a function-body line assigns or returns. */
function functionStatement(tokens: readonly Token[], fn: NonNullable<Frame["fn"]>): void {
  for (const part of splitTop(tokens, ";")) {
    if (part.length === 0) continue;
    if (part[0]?.text === "return") {
      fn.returns.push(part.length === 1 ? undefined : parseExpr(part.slice(1)));
      continue;
    }
    const eq = topLevel(part, "=");
    if (eq > 0 && part[0]?.kind === "name" && eq === 1) {
      fn.assigns.push({ name: (part[0] as Token).text, value: parseExpr(part.slice(eq + 1)) });
    } else if (eq > 0 && part[1]?.text === ":" && part[0]?.kind === "name") {
      fn.assigns.push({ name: (part[0] as Token).text, value: parseExpr(part.slice(eq + 1)) });
    }
  }
}

/** Parses the simple statements of one logical line. */
function simple(tokens: readonly Token[], line: number, where: Where, out: Statement[]): void {
  for (const part of splitTop(tokens, ";")) {
    if (part.length === 0) continue;
    const first = part[0] as Token;
    const refs = refsOf(part);
    if (first.kind === "name" && first.text === "import") {
      out.push({ kind: "import", binds: importBindings(part), line, where, refs: [] });
      continue;
    }
    if (first.kind === "name" && first.text === "from") {
      out.push({ kind: "import", ...fromImport(part), line, where, refs: [] });
      continue;
    }
    if (first.kind === "name" && KEYWORDS.has(first.text) && first.text !== "await") {
      out.push({ kind: "other", line, where, refs });
      continue;
    }
    const segments = splitTop(part, "=");
    if (segments.length > 1) {
      const targets = segments.slice(0, -1).map((seg) => {
        const annotation = topLevel(seg, ":");
        return parseExpr(annotation < 0 ? seg : seg.slice(0, annotation));
      });
      out.push({
        kind: "assign",
        targets,
        value: parseExpr(segments.at(-1) as Token[]),
        line,
        where,
        refs,
      });
      continue;
    }
    if (part.some((t) => t.kind === "op" && t.text.length > 1 && t.text.endsWith("="))) {
      const augmented = part.findIndex((t) =>
        t.kind === "op" && /^(\*\*|\/\/|>>|<<|[-+*\/%&|^@])=$/.test(t.text)
      );
      if (augmented >= 0) {
        out.push({ kind: "other", line, where, refs });
        continue;
      }
    }
    out.push({ kind: "expr", value: parseExpr(part), line, where, refs });
  }
}
