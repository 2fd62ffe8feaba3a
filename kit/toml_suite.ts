/**
 * The official TOML conformance suite (toml-lang/toml-test v1.6.0, fetched
 * as a Go module: the Go module proxy serves it, its runner cannot be
 * installed) and a decoder adapter of our own: a parsed document turned into
 * the suite's tagged JSON, compared with the expected values, date-times
 * included (the official runner does not compare those).
 *
 * @module
 */

/** The suite's module and version. */
export const TOML_TEST = "github.com/toml-lang/toml-test@v1.6.0";

/** One file of the suite. */
export interface SuiteCase {
  /** Its path under `tests/`, e.g. `valid/string/escapes.toml`. */
  readonly path: string;
  /** The document's bytes. */
  readonly bytes: Uint8Array;
  /** For a valid file: the expected value, as tagged JSON. */
  readonly expected?: unknown;
}

/**
 * Fetches the suite (`go mod download`, cached in the Go module cache) and
 * reads the files of one TOML version.
 *
 * @param version `1.0.0` (what Python's tomllib, and so Poetry, reads) or `1.1.0`.
 * @returns The cases, valid and invalid.
 * @throws {Error} When Go or the module proxy is not available.
 */
export async function tomlSuite(version = "1.0.0"): Promise<SuiteCase[]> {
  const out = await new Deno.Command("go", {
    args: ["mod", "download", "-json", TOML_TEST],
    env: { GOFLAGS: "-mod=mod" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (out.code !== 0) {
    throw new Error(`go mod download ${TOML_TEST} failed: ${dec.decode(out.stderr).trim()}`);
  }
  const dir = `${(JSON.parse(dec.decode(out.stdout)) as { Dir: string }).Dir}/tests`;
  const list = (await Deno.readTextFile(`${dir}/files-toml-${version}`)).split("\n");
  const cases: SuiteCase[] = [];
  for (const path of list.filter((p) => p.endsWith(".toml"))) {
    const bytes = await Deno.readFile(`${dir}/${path}`);
    const expected = path.startsWith("valid/")
      ? JSON.parse(await Deno.readTextFile(`${dir}/${path.replace(/\.toml$/, ".json")}`))
      : undefined;
    cases.push({ path, bytes, ...(expected === undefined ? {} : { expected }) });
  }
  return cases;
}

/** How a parser's date-time values are told apart. */
export type DateTimeOf = (
  value: unknown,
) => { readonly kind: string; readonly text: string } | undefined;

const KIND_TAG: Record<string, string> = {
  "offset-datetime": "datetime",
  "local-datetime": "datetime-local",
  "local-date": "date-local",
  "local-time": "time-local",
};

/**
 * Turns a parsed value into toml-test's tagged JSON: tables are objects,
 * arrays arrays, every other value `{ type, value }` with the value as text.
 *
 * @param value The parsed value (integers as `bigint`, floats as numbers).
 * @param dateTimeOf Recognises the parser's date-times.
 * @returns Tagged JSON.
 * @throws {TypeError} For a value of no TOML type.
 */
export function tagged(value: unknown, dateTimeOf: DateTimeOf): unknown {
  const dt = dateTimeOf(value);
  if (dt !== undefined) return { type: KIND_TAG[dt.kind] ?? dt.kind, value: dt.text };
  if (typeof value === "string") return { type: "string", value };
  if (typeof value === "bigint") return { type: "integer", value: String(value) };
  if (typeof value === "number") {
    const text = Number.isNaN(value)
      ? "nan"
      : value === Infinity
      ? "inf"
      : value === -Infinity
      ? "-inf"
      : Object.is(value, -0)
      ? "-0"
      : String(value);
    return { type: "float", value: text };
  }
  if (typeof value === "boolean") return { type: "bool", value: String(value) };
  if (Array.isArray(value)) return value.map((v) => tagged(v, dateTimeOf));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tagged(v, dateTimeOf)]));
  }
  throw new TypeError(`Cannot tag ${String(value)}: not a TOML value`);
}

function floatOf(text: string): number {
  const t = text.replace(/^\+/, "");
  if (t === "nan" || t === "-nan") return NaN;
  if (t === "inf") return Infinity;
  if (t === "-inf") return -Infinity;
  return Number(t.replaceAll("_", ""));
}

/** A date-time's parts, normalised: `T` separator, upper case, fraction without trailing zeros. */
function dateTimeParts(text: string): string {
  const m =
    /^(\d{4}-\d{2}-\d{2})?[Tt ]?(\d{2}:\d{2}(?::\d{2})?)?(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?$/
      .exec(text);
  if (m === null) return `unparsed:${text}`;
  const [, date = "", time = "", fraction = "", offset = ""] = m;
  const t = time.length === 5 ? `${time}:00` : time;
  const frac = fraction.replace(/0+$/, "");
  const off = offset.toUpperCase() === "Z" || offset === "+00:00" || offset === "-00:00"
    ? (offset === "" ? "" : "Z")
    : offset;
  return `${date}|${t}|${frac}|${off}`;
}

/**
 * Compares tagged JSON with the suite's expectation: same shape, types and
 * values; floats by value (NaN equals NaN, −0 is not 0), date-times by their
 * normalised parts (an offset date-time by the instant and the fraction).
 *
 * @param actual The parser's, tagged.
 * @param expected The suite's.
 * @param where The key path, for the message.
 * @returns `undefined` when they agree, else where and how they differ.
 */
export function difference(actual: unknown, expected: unknown, where = "$"): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${where}: expected an array`;
    if (actual.length !== expected.length) {
      return `${where}: ${actual.length} elements, expected ${expected.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const d = difference(actual[i], expected[i], `${where}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const e = expected as Record<string, unknown>;
  const isScalar = typeof e.type === "string" && typeof e.value === "string" &&
    Object.keys(e).length === 2;
  if (!isScalar) {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) {
      return `${where}: expected a table`;
    }
    const a = actual as Record<string, unknown>;
    const keys = Object.keys(e).sort();
    if (JSON.stringify(Object.keys(a).sort()) !== JSON.stringify(keys)) {
      return `${where}: keys ${JSON.stringify(Object.keys(a).sort())}, expected ${
        JSON.stringify(keys)
      }`;
    }
    for (const k of keys) {
      const d = difference(a[k], e[k], `${where}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const a = actual as { type?: unknown; value?: unknown };
  const type = e.type as string;
  if (a?.type !== type) return `${where}: type ${String(a?.type)}, expected ${type}`;
  const av = String(a.value);
  const ev = e.value as string;
  let same: boolean;
  if (type === "float") same = Object.is(floatOf(av), floatOf(ev));
  else if (type === "integer") same = BigInt(av) === BigInt(ev);
  else if (type === "datetime") {
    same = Date.parse(av) === Date.parse(ev) &&
      dateTimeParts(av).split("|")[2] === dateTimeParts(ev).split("|")[2];
  } else if (type.endsWith("-local")) same = dateTimeParts(av) === dateTimeParts(ev);
  else same = av === ev;
  return same ? undefined : `${where}: ${JSON.stringify(av)}, expected ${JSON.stringify(ev)}`;
}

/** What a parser did with the suite. */
export interface SuiteResult {
  /** Valid files decoded to their expected value. */
  readonly validPassed: number;
  /** Valid files rejected or decoded to another value: `[path, why]`. */
  readonly validFailed: readonly (readonly [string, string])[];
  /** Invalid files rejected. */
  readonly invalidRejected: number;
  /** Invalid files accepted. */
  readonly invalidAccepted: readonly string[];
}

/**
 * Runs a parser over the suite. A file that is not UTF-8 counts as rejected,
 * as it is for pyproject.toml.
 *
 * @param cases The suite.
 * @param parse The parser (throws on a document it rejects).
 * @param dateTimeOf Recognises its date-times.
 * @returns The outcome.
 */
export function runSuite(
  cases: readonly SuiteCase[],
  parse: (text: string) => unknown,
  dateTimeOf: DateTimeOf,
): SuiteResult {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let validPassed = 0;
  let invalidRejected = 0;
  const validFailed: [string, string][] = [];
  const invalidAccepted: string[] = [];
  for (const c of cases) {
    let doc: unknown;
    let error: unknown;
    try {
      doc = parse(decoder.decode(c.bytes));
    } catch (e) {
      error = e;
    }
    if (c.expected === undefined) {
      if (error === undefined) invalidAccepted.push(c.path);
      else invalidRejected++;
      continue;
    }
    if (error !== undefined) {
      validFailed.push([c.path, `rejected: ${error instanceof Error ? error.message : error}`]);
      continue;
    }
    let d: string | undefined;
    try {
      d = difference(tagged(doc, dateTimeOf), c.expected);
    } catch (e) {
      d = String(e);
    }
    if (d === undefined) validPassed++;
    else validFailed.push([c.path, d]);
  }
  return { validPassed, validFailed, invalidRejected, invalidAccepted };
}
