/**
 * PEP 508 environment markers (`sys_platform == "linux" and extra ==
 * "standard"`), evaluated in three values: where a marker needs a value that
 * is not known yet (the Python version, before any Python exists), it is
 * `undefined`, neither true nor false; `and` and `or` follow Kleene's logic.
 *
 * @module
 */

/** True, false, or not known. */
export type Truth = boolean | undefined;

/** What markers are evaluated against: known variables, and the extras requested. */
export interface MarkerEnv {
  /** Marker variables with known values (`sys_platform`, …); a missing one is unknown. */
  readonly values: Readonly<Record<string, string>>;
  /** The extras requested (normalized names); `extra == "x"` is true for these only. */
  readonly extras: ReadonlySet<string>;
}

/** A marker that does not parse. */
export class MarkerSyntaxError extends SyntaxError {
  /**
   * Creates the error.
   *
   * @param marker The marker.
   * @param reason What is wrong.
   */
  constructor(marker: string, reason: string) {
    super(`invalid marker ${JSON.stringify(marker)}: ${reason}`);
    this.name = "MarkerSyntaxError";
  }
}

const VARIABLES = new Set([
  "python_version",
  "python_full_version",
  "os_name",
  "sys_platform",
  "platform_release",
  "platform_system",
  "platform_version",
  "platform_machine",
  "platform_python_implementation",
  "implementation_name",
  "implementation_version",
  "extra",
  "os.name",
  "sys.platform",
  "platform.version",
  "platform.machine",
  "platform.python_implementation",
  "python_implementation",
]);
const ALIASES: Record<string, string> = {
  "os.name": "os_name",
  "sys.platform": "sys_platform",
  "platform.version": "platform_version",
  "platform.machine": "platform_machine",
  "platform.python_implementation": "platform_python_implementation",
  "python_implementation": "platform_python_implementation",
};

type Token = { readonly kind: "str" | "var" | "op" | "word" | "paren"; readonly text: string };

function lex(marker: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(["'])(.*?)\1|(===|==|!=|<=|>=|~=|<|>)|([()])|([A-Za-z_][A-Za-z0-9_.]*))/y;
  let i = 0;
  while (i < marker.length) {
    if (/^\s*$/.test(marker.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(marker);
    if (m === null) throw new MarkerSyntaxError(marker, `unexpected text at ${i}`);
    i = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: "str", text: m[2] ?? "" });
    else if (m[3] !== undefined) tokens.push({ kind: "op", text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: "paren", text: m[4] });
    else {
      const word = m[5] as string;
      if (VARIABLES.has(word)) tokens.push({ kind: "var", text: ALIASES[word] ?? word });
      else if (["and", "or", "in", "not"].includes(word)) tokens.push({ kind: "word", text: word });
      else throw new MarkerSyntaxError(marker, `unknown variable ${word}`);
    }
  }
  return tokens;
}

/** A version as numbers, when it is one (`3.11`, `3.11.7`); else undefined. */
function versionParts(text: string): number[] | undefined {
  return /^\d+(\.\d+)*$/.test(text) ? text.split(".").map(Number) : undefined;
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function compare(left: string, op: string, right: string): Truth {
  const [l, r] = [versionParts(left), versionParts(right)];
  if (l !== undefined && r !== undefined && op !== "===") {
    const c = compareVersions(l, r);
    switch (op) {
      case "==":
        return c === 0;
      case "!=":
        return c !== 0;
      case "<":
        return c < 0;
      case "<=":
        return c <= 0;
      case ">":
        return c > 0;
      case ">=":
        return c >= 0;
      case "~=": {
        if (r.length < 2) return undefined;
        return c >= 0 && compareVersions(l.slice(0, r.length - 1), r.slice(0, -1)) === 0;
      }
    }
  }
  switch (op) {
    case "==":
    case "===":
      return left === right;
    case "!=":
      return left !== right;
    default:
      // Ordering of strings that are not versions: not something to rely on.
      return undefined;
  }
}

const normalize = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");

/**
 * Evaluates a marker in three values.
 *
 * @example Usage
 * ```ts
 * import { evaluateMarker } from "./markers.ts";
 * const env = { values: { sys_platform: "linux" }, extras: new Set<string>() };
 * evaluateMarker('sys_platform == "win32"', env); // false
 * evaluateMarker('python_version < "3.11"', env); // undefined (not known)
 * ```
 *
 * @param marker The marker (empty: true).
 * @param env Known values and requested extras.
 * @returns `true`, `false`, or `undefined` when it depends on an unknown value.
 * @throws {MarkerSyntaxError} When the marker does not parse.
 */
export function evaluateMarker(marker: string, env: MarkerEnv): Truth {
  const tokens = lex(marker);
  if (tokens.length === 0) return true;
  let i = 0;
  const peek = () => tokens[i];
  const orExpr = (): Truth => {
    let value = andExpr();
    while (peek()?.text === "or" && peek()?.kind === "word") {
      i++;
      const right = andExpr();
      value = value === true || right === true
        ? true
        : value === false && right === false
        ? false
        : undefined;
    }
    return value;
  };
  const andExpr = (): Truth => {
    let value = atom();
    while (peek()?.text === "and" && peek()?.kind === "word") {
      i++;
      const right = atom();
      value = value === false || right === false
        ? false
        : value === true && right === true
        ? true
        : undefined;
    }
    return value;
  };
  const operand = (): { known: boolean; value: string; variable?: string } => {
    const t = tokens[i++];
    if (t?.kind === "str") return { known: true, value: t.text };
    if (t?.kind === "var") {
      const value = env.values[t.text];
      return value === undefined
        ? { known: false, value: "", variable: t.text }
        : { known: true, value, variable: t.text };
    }
    throw new MarkerSyntaxError(marker, "expected a variable or a string");
  };
  const atom = (): Truth => {
    if (peek()?.text === "(") {
      i++;
      const value = orExpr();
      if (tokens[i++]?.text !== ")") throw new MarkerSyntaxError(marker, "missing )");
      return value;
    }
    const left = operand();
    const t = tokens[i++];
    let op: string;
    if (t?.kind === "op") op = t.text;
    else if (t?.kind === "word" && t.text === "in") op = "in";
    else if (t?.kind === "word" && t.text === "not" && tokens[i]?.text === "in") {
      i++;
      op = "not in";
    } else throw new MarkerSyntaxError(marker, "expected a comparison");
    const right = operand();
    if (left.variable === "extra" || right.variable === "extra") {
      const other = left.variable === "extra" ? right : left;
      if (!other.known) return undefined;
      const has = env.extras.has(normalize(other.value));
      return op === "==" || op === "===" ? has : op === "!=" ? !has : undefined;
    }
    if (!left.known || !right.known) return undefined;
    if (op === "in") return right.value.includes(left.value);
    if (op === "not in") return !right.value.includes(left.value);
    return compare(left.value, op, right.value);
  };
  const value = orExpr();
  if (i !== tokens.length) throw new MarkerSyntaxError(marker, "unexpected text at the end");
  return value;
}

/**
 * The marker values of a Linux CPython process on a CNB run image, as far as
 * they are known before Python exists: the OS and implementation; the machine
 * when the target architecture is given; not the Python version.
 *
 * @example Usage
 * ```ts
 * import { linuxCPython } from "./markers.ts";
 * linuxCPython("arm64").platform_machine; // "aarch64"
 * ```
 *
 * @param arch `CNB_TARGET_ARCH` (`amd64`, `arm64`), when known.
 * @returns The values.
 */
export function linuxCPython(arch?: string): Record<string, string> {
  const values: Record<string, string> = {
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
  };
  const machine = arch === "amd64" ? "x86_64" : arch === "arm64" ? "aarch64" : undefined;
  if (machine !== undefined) values["platform_machine"] = machine;
  return values;
}

/** The CPython minor versions a constraint is checked against. */
const MINORS = Array.from({ length: 11 }, (_, i) => `3.${i + 6}`);

function satisfies(version: string, clause: string): boolean | undefined {
  const c = clause.trim();
  if (c === "" || c === "*") return true;
  const m = /^(\^|~=|~|===|==|!=|<=|>=|<|>)?\s*v?([0-9]+(?:\.[0-9]+)*)(\.\*)?$/.exec(c);
  if (m === null) return undefined;
  const op = m[1] ?? "==";
  const bound = (m[2] as string).split(".").map(Number);
  const v = version.split(".").map(Number);
  const cmp = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  };
  const prefix = (n: number) => cmp(v.slice(0, n), bound.slice(0, n)) === 0;
  if (m[3] !== undefined) {
    if (op === "==") return prefix(bound.length);
    if (op === "!=") return !prefix(bound.length);
    return undefined;
  }
  switch (op) {
    case "==":
    case "===":
      return cmp(v, bound) === 0;
    case "!=":
      return cmp(v, bound) !== 0;
    case "<":
      return cmp(v, bound) < 0;
    case "<=":
      return cmp(v, bound) <= 0;
    case ">":
      return cmp(v, bound) > 0;
    case ">=":
      return cmp(v, bound) >= 0;
    case "~=": // PEP 440: >= bound, same release prefix but the last part
      return cmp(v, bound) >= 0 && prefix(Math.max(1, bound.length - 1));
    case "~": // Poetry: ~1.2 = >=1.2,<1.3; ~1 = >=1,<2
      return cmp(v, bound) >= 0 && prefix(bound.length === 1 ? 1 : 2);
    case "^": { // Poetry: up to the next change of the first non-zero part
      const first = bound.findIndex((n) => n !== 0);
      return cmp(v, bound) >= 0 && prefix(first < 0 ? bound.length : first + 1);
    }
  }
  return undefined;
}

/**
 * The CPython minor versions (`3.9` … `3.16`) a Python constraint allows
 * (`>=3.9`, `^3.11`, `>=3.10,<3.13`, `3.11.*`, `>=3.8 || ^4`): a minor is in
 * when one of its releases (`3.x.0` or a late `3.x.99`) satisfies it.
 *
 * @example Usage
 * ```ts
 * import { pythonMinors } from "./markers.ts";
 * pythonMinors(">=3.11,<3.13"); // ["3.11", "3.12"]
 * ```
 *
 * @param constraint The constraint (`undefined`: any).
 * @returns The minors, or `undefined` when the constraint is not understood.
 */
export function pythonMinors(constraint: string | undefined): string[] | undefined {
  if (constraint === undefined) return [...MINORS];
  const alternatives = constraint.split(/\s*\|\|?\s*/);
  const allowed: string[] = [];
  for (const minor of MINORS) {
    let any = false;
    for (const alt of alternatives) {
      const clauses = alt.split(/\s*,\s*|\s+(?=[<>=!~^])/).filter((c) => c.trim() !== "");
      for (const release of [`${minor}.0`, `${minor}.99`]) {
        const results = clauses.map((c) => satisfies(release, c));
        if (results.includes(undefined)) return undefined;
        if (results.every((r) => r === true)) any = true;
      }
    }
    if (any) allowed.push(minor);
  }
  return allowed;
}

/**
 * Evaluates a marker once per possible Python minor version (as
 * `python_version`), and folds the results: true when true for every one,
 * false when false for every one, else not known.
 *
 * @example Usage
 * ```ts
 * import { evaluateOverPythons } from "./markers.ts";
 * const env = { values: { sys_platform: "linux" }, extras: new Set<string>() };
 * evaluateOverPythons('python_version >= "3.10"', env, ["3.11", "3.12"]); // [true, true]
 * ```
 *
 * @param marker The marker.
 * @param env Known values (without `python_version`) and extras.
 * @param pythons The possible minors (empty: `python_version` not known).
 * @returns One result per minor (one unknown-version result when `pythons` is empty).
 * @throws {MarkerSyntaxError} When the marker does not parse.
 */
export function evaluateOverPythons(
  marker: string,
  env: MarkerEnv,
  pythons: readonly string[],
): Truth[] {
  if (pythons.length === 0) return [evaluateMarker(marker, env)];
  return pythons.map((version) =>
    evaluateMarker(marker, {
      values: { ...env.values, "python_version": version },
      extras: env.extras,
    })
  );
}
