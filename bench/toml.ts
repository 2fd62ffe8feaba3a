/**
 * `deno task bench:toml [--runs N]`: the npm TOML parsers measured for the
 * one seam (`src/cnb/toml.ts`): conformance with the official TOML 1.0.0
 * suite (values compared, date-times included), start-up of a fresh process
 * that parses the example app's pyproject.toml (as the lifecycle runs a
 * phase: no Deno cache), parse time of a 1 MB pyproject.toml, and the size
 * each adds to a minified bundle. Prints a table; no assertions.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type DateTimeOf, runSuite, tomlSuite } from "../kit/toml_suite.ts";
import { REPO_ROOT } from "../kit/phase_command.ts";
import { generatedPyProject } from "./_apps.ts";
import { stats } from "../kit/stats.ts";

// deno-lint-ignore no-explicit-any
type Module = any;

/** A parser, as the seam would use it. */
interface Candidate {
  readonly name: string;
  /**
   * Its npm specifier. The candidates are loaded at run time (`--no-lock`), so
   * that they stay out of deno.lock and of every Deno cache the buildpack uses.
   */
  readonly spec: string;
  /** The start-up program's call, given `m` (the module) and `t` (the text). */
  readonly call: string;
  readonly parse: (m: Module, text: string) => unknown;
  readonly dateTimeOf: (m: Module) => DateTimeOf;
  /** Files the bundle needs beside it (WebAssembly). */
  readonly beside?: readonly string[];
}

const className = (v: unknown) =>
  v !== null && typeof v === "object" ? Object.getPrototypeOf(v)?.constructor?.name : undefined;

const J_KINDS: Record<string, string> = {
  OffsetDateTime: "offset-datetime",
  LocalDateTime: "local-datetime",
  LocalDate: "local-date",
  LocalTime: "local-time",
};

const CANDIDATES: Candidate[] = [
  {
    name: "smol-toml 1.9.1",
    spec: "npm:smol-toml@1.9.1",
    call: "m.parse(t, { integersAsBigInt: true })",
    parse: (m, t) => m.parse(t, { integersAsBigInt: true }),
    dateTimeOf: (m) => (v) => {
      if (!(v instanceof m.TomlDate)) return undefined;
      const d = v as Module;
      const kind = d.isDate()
        ? "local-date"
        : d.isTime()
        ? "local-time"
        : d.isLocal()
        ? "local-datetime"
        : "offset-datetime";
      return { kind, text: d.toISOString() };
    },
  },
  {
    name: "@ltd/j-toml 1.38.0",
    spec: "npm:@ltd/j-toml@1.38.0",
    call: 'm.default.parse(t, { bigint: true, joiner: "\\n" })',
    parse: (m, t) => m.default.parse(t, { bigint: true, joiner: "\n" }),
    dateTimeOf: () => (v) => {
      const kind = J_KINDS[className(v) ?? ""];
      return kind === undefined ? undefined : { kind, text: (v as Module).toISOString() };
    },
  },
  {
    name: "js-toml 2.0.1",
    spec: "npm:js-toml@2.0.1",
    call: "m.load(t)",
    parse: (m, t) => m.load(t),
    dateTimeOf: () => (v) =>
      v instanceof Date
        ? { kind: "offset-datetime", text: v.toISOString() }
        : className(v) === "G"
        ? { kind: "local-time", text: String(v) }
        : undefined,
  },
  {
    name: "toml 5.0.1",
    spec: "npm:toml@5.0.1",
    call: "m.parse(t, { bigint: true })",
    parse: (m, t) => m.parse(t, { bigint: true }),
    dateTimeOf: () => (v) =>
      v instanceof Date ? { kind: "offset-datetime", text: v.toISOString() } : undefined,
  },
  {
    name: "@rainbowatcher/toml-edit-js 0.6.5 (wasm)",
    spec: "npm:@rainbowatcher/toml-edit-js@0.6.5",
    call: "(await m.default(), m.parse(t))",
    parse: (m, t) => m.parse(t),
    // Date-times come back as strings, integers as numbers: neither can be told apart.
    dateTimeOf: () => () => undefined,
    beside: ["index_bg.wasm"],
  },
];

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Bundles a program that parses argv[1] with the candidate (or nothing). */
async function bundle(dir: string, c: Candidate | undefined): Promise<string> {
  const name = c === undefined ? "empty" : c.spec.replace(/\W+/g, "_");
  const source = join(dir, `${name}.src.js`);
  const out = join(dir, `${name}.js`);
  await Deno.writeTextFile(
    source,
    c === undefined
      ? `Deno.readTextFileSync(Deno.args[0]);\n`
      : `import * as m from "${c.spec}";\nconst t = Deno.readTextFileSync(Deno.args[0]);\n${c.call};\n`,
  );
  await run(Deno.execPath(), [
    "bundle",
    "-q",
    "--minify",
    "--platform",
    "deno",
    "--no-config",
    "--no-lock",
    "--output",
    out,
    source,
  ]);
  if (c?.beside !== undefined) {
    // The package's own files, from Deno's npm cache: name@version of the specifier.
    const npmCache = (JSON.parse(await run(Deno.execPath(), ["info", "--json"])) as {
      npmCache: string;
    }).npmCache;
    const [, pkg = "", version = ""] = /^npm:(.+)@([^@]+)$/.exec(c.spec) ?? [];
    for (const f of c.beside) {
      await Deno.copyFile(join(npmCache, "registry.npmjs.org", pkg, version, f), join(dir, f));
    }
  }
  return out;
}

/** One cold start: a new HOME and no usable DENO_DIR, as the package runs. */
async function coldStart(program: string, input: string): Promise<number> {
  const home = await Deno.makeTempDir();
  try {
    const t = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "-A", "--no-config", "--no-lock", program, input],
      env: { HOME: home, DENO_DIR: "/dev/null/deno" },
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
    }).output();
    const ms = performance.now() - t;
    if (out.code !== 0) throw new Error(`${program}: ${new TextDecoder().decode(out.stderr)}`);
    return ms;
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: Deno.args, options: { runs: { type: "string" } } });
  const runs = Number(values.runs ?? "20");
  if (!Number.isInteger(runs) || runs < 1) {
    console.error("usage: deno task bench:toml [--runs N (default 20)]");
    return 2;
  }
  const modules = new Map<Candidate, Module>();
  for (const c of CANDIDATES) {
    const spec = c.spec; // a variable: resolved at run time, not by deno check or the lock
    const m = await import(spec);
    if (c.beside !== undefined) await m.default();
    modules.set(c, m);
  }
  const cases = await tomlSuite("1.0.0");
  const valid = cases.filter((c) => c.expected !== undefined).length;
  const invalid = cases.length - valid;
  const dir = await Deno.makeTempDir({ prefix: "poetry-run-bench-toml-" });
  try {
    const example = join(REPO_ROOT, "examples", "default_app", "pyproject.toml");
    const floor = await bundle(dir, undefined);
    const programs = new Map<Candidate, string>();
    for (const c of CANDIDATES) programs.set(c, await bundle(dir, c));
    const starts = new Map<string, number[]>();
    for (let i = 0; i <= runs; i++) {
      for (
        const [name, program] of [["floor", floor], ...[...programs].map(([c, p]) => [c.name, p])]
      ) {
        const ms = await coldStart(program as string, example);
        if (i > 0) starts.set(name as string, [...(starts.get(name as string) ?? []), ms]);
      }
    }
    const floorMs = stats(starts.get("floor") ?? []).median;
    const floorKiB = (await Deno.stat(floor)).size / 1024;
    const big = generatedPyProject(1_000_000);
    console.log(
      `TOML parsers: TOML 1.0.0 suite (${valid} valid, ${invalid} invalid), ${runs} cold starts each, Deno ${Deno.version.deno}`,
    );
    console.log(
      `${"parser".padEnd(42)}${"valid ok".padStart(10)}${"invalid rejected".padStart(18)}${
        "start-up".padStart(11)
      }${"1 MB parse".padStart(12)}${"bundle".padStart(10)}`,
    );
    const rows: Record<string, unknown>[] = [];
    for (const c of CANDIDATES) {
      const m = modules.get(c);
      const r = runSuite(cases, (t) => c.parse(m, t), c.dateTimeOf(m));
      const parseMs: number[] = [];
      for (let i = 0; i < Math.min(runs, 10); i++) {
        const t = performance.now();
        c.parse(m, big);
        parseMs.push(performance.now() - t);
      }
      const start = stats(starts.get(c.name) ?? []).median - floorMs;
      const kib = (await Deno.stat(programs.get(c) as string)).size / 1024 - floorKiB;
      const wasm = c.beside === undefined
        ? 0
        : (await Promise.all(c.beside.map((f) => Deno.stat(join(dir, f))))).reduce(
          (n, s) => n + s.size / 1024,
          0,
        );
      const row = {
        parser: c.name,
        validPassed: r.validPassed,
        invalidRejected: r.invalidRejected,
        startupMs: Number(start.toFixed(1)),
        parse1MbMs: Number(stats(parseMs).median.toFixed(1)),
        bundleKiB: Number((kib + wasm).toFixed(1)),
      };
      rows.push(row);
      console.log(
        `${c.name.padEnd(42)}${`${r.validPassed}/${valid}`.padStart(10)}${
          `${r.invalidRejected}/${invalid}`.padStart(18)
        }${`+${row.startupMs} ms`.padStart(11)}${`${row.parse1MbMs} ms`.padStart(12)}${
          `${row.bundleKiB} KiB`.padStart(10)
        }`,
      );
    }
    console.log(
      `(start-up: median of a fresh process parsing the example's pyproject.toml, over the same program parsing nothing: ${
        floorMs.toFixed(1)
      } ms)`,
    );
    await Deno.writeTextFile(
      join(REPO_ROOT, "bench", "toml-results.json"),
      JSON.stringify({ runs, deno: Deno.version.deno, floorMs, rows }, null, 2) + "\n",
    );
    return 0;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await main());
