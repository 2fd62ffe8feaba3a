/**
 * The README's "Deliberate differences from the reference", executable: one
 * test per row, each running this buildpack's entry point exactly as the
 * lifecycle does and setting its outcome beside the reference's.
 *
 * The reference's outcomes are data, with their source: its code
 * (`detect.go`, `build.go`, `pyprojectparser.go`), its tests, and packit's
 * behaviour, as recorded in this project's reference notes. The reference
 * itself cannot run here: the Go module proxy refuses
 * `github.com/paketo-buildpacks/poetry-run` (403).
 *
 * A last test reads the README: every row must name one of these tests, and
 * every test here must be a row.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseToml } from "../../src/cnb/toml.ts";
import { REPO_ROOT } from "../_harness/helpers.ts";
import {
  buildIn,
  detectIn,
  listedProcesses,
  type PhaseResult,
  type Workspace,
  workspace,
} from "../_harness/phase.ts";

/** What one phase did, in the terms both sides can be compared in. */
interface Outcome {
  readonly detect?: number;
  readonly build?: number;
  /** web's argv from launch.toml (API 0.8: command + args). */
  readonly web?: readonly string[];
  /** Every process type and argv, when the row is about them. */
  readonly processes?: Readonly<Record<string, readonly string[]>>;
  /** A line of output, when the row is about it. */
  readonly output?: string;
  /** Which requirements the plan lists, when the row is about them. */
  readonly requires?: readonly string[];
  /** launch.toml's web command, when the row is about its format. */
  readonly command?: unknown;
}

/** The reference's outcome, and where it comes from. */
interface Reference {
  readonly outcome: Outcome;
  readonly source: string;
}

const names: string[] = [];

/**
 * Declares one row's test: ours must be `expected`, and differ from the reference.
 */
function difference(
  name: string,
  reference: Reference,
  expected: Outcome,
  ours: (ws: Workspace) => Promise<Outcome>,
  api = "0.8",
): void {
  names.push(name);
  Deno.test(`difference: ${name}`, async () => {
    await using ws = await workspace(api);
    const actual = await ours(ws);
    assert.deepEqual(actual, expected, "this buildpack");
    assert.notDeepEqual(
      actual,
      reference.outcome,
      `the reference (${reference.source}) does the same`,
    );
  });
}

const pyproject = (ws: Workspace, text: string) =>
  Deno.writeTextFile(join(ws.app, "pyproject.toml"), text);

const launch = async (ws: Workspace) =>
  listedProcesses(await Deno.readTextFile(join(ws.layers, "launch.toml")));

async function webArgv(ws: Workspace): Promise<readonly string[]> {
  const web = (await launch(ws)).find((p) => p.type === "web");
  if (web === undefined) throw new Error("no web process");
  return web.argv;
}

async function allProcesses(ws: Workspace): Promise<Record<string, readonly string[]>> {
  return Object.fromEntries((await launch(ws)).map((p) => [p.type, p.argv]));
}

const detectCode = async (ws: Workspace, bp: Record<string, string> = {}) =>
  (await detectIn(ws, "0.8", bp)).code;
const firstLine = (r: PhaseResult) => r.stderr.split("\n")[0] ?? "";

difference(
  "[project.scripts] is read",
  {
    source: "pyprojectparser.go decodes only [tool.poetry.scripts]; no script: Fail",
    outcome: { detect: 100 },
  },
  { detect: 0, web: ["poetry", "run", "web"] },
  async (ws) => {
    await pyproject(ws, `[project.scripts]\nweb = "app:main"\n`);
    const detect = await detectCode(ws);
    await buildIn(ws);
    return { detect, web: await webArgv(ws) };
  },
);

difference(
  "table-form scripts are accepted",
  {
    source:
      "pyprojectparser.go decodes map[string]string: a table is 'incompatible types', detect errors",
    outcome: { detect: 1 },
  },
  { detect: 0, web: ["poetry", "run", "web"] },
  async (ws) => {
    await pyproject(ws, `[tool.poetry.scripts]\nweb = { callable = "app:main" }\n`);
    const detect = await detectCode(ws);
    await buildIn(ws);
    return { detect, web: await webArgv(ws) };
  },
);

difference(
  "several scripts: a conventional name is chosen",
  {
    source: "detect.go passes only with exactly one script; two: Fail",
    outcome: { detect: 100 },
  },
  {
    detect: 0,
    processes: { web: ["poetry", "run", "web"], worker: ["poetry", "run", "worker"] },
  },
  async (ws) => {
    await pyproject(ws, `[tool.poetry.scripts]\nworker = "app:w"\nweb = "app:main"\n`);
    const detect = await detectCode(ws);
    await buildIn(ws);
    return { detect, processes: await allProcesses(ws) };
  },
);

difference(
  "a failed detect says what was found and what to do",
  {
    source: "detect.go: packit.Fail.WithMessage(...)",
    outcome: {
      detect: 100,
      output: "Expects one and exactly one script defined in pyproject.toml",
    },
  },
  {
    detect: 100,
    output:
      `pyproject.toml has 2 scripts ("a", "b") and none is named web, start, serve, server; set BP_POETRY_RUN_TARGET to the one to run`,
  },
  async (ws) => {
    await pyproject(ws, `[tool.poetry.scripts]\na = "m:a"\nb = "m:b"\n`);
    const r = await detectIn(ws);
    return { detect: r.code, output: firstLine(r) };
  },
);

difference(
  "BP_POETRY_RUN_TARGET is split as a shell splits words",
  {
    source: 'build.go: strings.Split(target, " "): quotes kept, an empty word per extra space',
    outcome: { build: 0, web: ["poetry", "run", "gunicorn", "", '"app:create_app()"'] },
  },
  { build: 0, web: ["poetry", "run", "gunicorn", "app:create_app()"] },
  async (ws) => {
    const r = await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: `gunicorn  "app:create_app()"` });
    return { build: r.code, web: await webArgv(ws) };
  },
);

difference(
  "an unterminated quote in BP_POETRY_RUN_TARGET is an error",
  {
    source: "detect.go passes on any set BP_POETRY_RUN_TARGET; build.go splits on spaces",
    outcome: { detect: 0 },
  },
  {
    detect: 1,
    output:
      "BP_POETRY_RUN_TARGET has an unterminated double quote at column 10: close the quote, or escape it with a backslash",
  },
  async (ws) => {
    const r = await detectIn(ws, "0.8", { BP_POETRY_RUN_TARGET: `gunicorn "app` });
    return { detect: r.code, output: firstLine(r) };
  },
);

difference(
  "a blank BP_POETRY_RUN_TARGET counts as unset",
  {
    source: 'detect.go: os.LookupEnv (set, even empty, passes); build.go: poetry run ""',
    outcome: { detect: 0, web: ["poetry", "run", ""] },
  },
  { detect: 0, web: ["poetry", "run", "web"] },
  async (ws) => {
    await pyproject(ws, `[project.scripts]\nweb = "app:main"\n`);
    const detect = await detectCode(ws, { BP_POETRY_RUN_TARGET: "" });
    await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "" });
    return { detect, web: await webArgv(ws) };
  },
);

difference(
  "a BP_POETRY_RUN_TARGET with an empty first word is an error",
  {
    source: "build.go: strings.Split(\"''\", \" \") keeps the quotes: poetry run ''",
    outcome: { build: 0, web: ["poetry", "run", "''"] },
  },
  {
    build: 1,
    output:
      `BP_POETRY_RUN_TARGET starts with an empty word ('' or ""); the first word must name the script or program to run`,
  },
  async (ws) => {
    const r = await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "''" });
    return { build: r.code, output: firstLine(r) };
  },
);

difference(
  "a script with an empty name is an error",
  {
    source: 'pyprojectparser.go returns the only key, ""; build.go: poetry run ""',
    outcome: { detect: 0 },
  },
  {
    detect: 1,
    output:
      `pyproject.toml: [tool.poetry.scripts] has a script with an empty name ("" = ...); give it a name`,
  },
  async (ws) => {
    await pyproject(ws, `[tool.poetry.scripts]\n"" = "app:main"\n`);
    const r = await detectIn(ws);
    return { detect: r.code, output: firstLine(r) };
  },
);

difference(
  "build fails when no target can be chosen",
  {
    source: 'build.go never fails: zero or several scripts give poetry run ""',
    outcome: { build: 0, web: ["poetry", "run", ""] },
  },
  {
    build: 1,
    output:
      `pyproject.toml has no script in [project.scripts] or [tool.poetry.scripts]; add one or set BP_POETRY_RUN_TARGET`,
  },
  async (ws) => {
    await pyproject(ws, `[tool.poetry]\nname = "app"\n`);
    const r = await buildIn(ws);
    return { build: r.code, output: firstLine(r) };
  },
);

difference(
  "no trailing space in an unversioned title",
  {
    source: 'build.go: logger.Title("%s %s", name, version)',
    outcome: { output: "Paketo Buildpack for Poetry Run " },
  },
  { output: "Paketo Buildpack for Poetry Run" },
  async (ws) => {
    const toml = join(ws.buildpack, "buildpack.toml");
    await Deno.writeTextFile(
      toml,
      (await Deno.readTextFile(toml)).replace(/^\s*version = .*$/m, ""),
    );
    const r = await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "web" });
    return { output: r.stdout.split("\n")[0] ?? "" };
  },
);

difference(
  "one INFO line explains the chosen target",
  {
    source: "build.go logs the title and the process table only",
    outcome: { output: "" },
  },
  {
    output:
      `  Start command poetry run web runs "web" from pyproject.toml [project.scripts], the first of web, start, serve, server among 2 scripts; set BP_POETRY_RUN_TARGET to choose another`,
  },
  async (ws) => {
    await pyproject(ws, `[project.scripts]\nweb = "a:b"\nworker = "a:c"\n`);
    const r = await buildIn(ws);
    return { output: r.stdout.split("\n").find((l) => l.includes("Start command")) ?? "" };
  },
);

difference(
  "package-mode = false is warned about, or fails when it cannot start",
  {
    source: "pyprojectparser.go reads only the scripts table; package-mode is not read",
    outcome: { build: 0, output: "" },
  },
  {
    build: 0,
    output:
      `Warning: Poetry installs no scripts with package-mode = false, so "web" is not in the venv: pyproject.toml [tool.poetry.scripts] "web" runs through Poetry's deprecated path for uninstalled scripts; declare it in [project.scripts] with package mode, or set BP_POETRY_RUN_TARGET`,
  },
  async (ws) => {
    await pyproject(
      ws,
      `[tool.poetry]\npackage-mode = false\n[tool.poetry.scripts]\nweb = "a:b"\n`,
    );
    const r = await buildIn(ws);
    return { build: r.code, output: firstLine(r) };
  },
);

difference(
  "launch.toml follows the declared Buildpack API",
  {
    source:
      'buildpack.toml declares api 0.8: packit writes command = "poetry", args, direct = true',
    outcome: { command: "poetry" },
  },
  { command: ["poetry", "run", "web"] },
  async (ws) => {
    const r = await buildIn(ws, "0.12", { BP_POETRY_RUN_TARGET: "web" });
    assert.equal(r.code, 0, r.stderr);
    const raw = parseToml(await Deno.readTextFile(join(ws.layers, "launch.toml"))) as {
      processes: { command: unknown }[];
    };
    return { command: raw.processes[0]?.command };
  },
  "0.12",
);

difference(
  "BP_POETRY_RUN_DIRECT starts without Poetry",
  {
    source: "detect.go always requires poetry at launch; build.go always runs poetry run",
    outcome: { requires: ["cpython", "poetry", "poetry-venv"], web: ["poetry", "run", "web"] },
  },
  { requires: ["cpython", "poetry-venv"], web: ["web"] },
  async (ws) => {
    await pyproject(ws, `[project.scripts]\nweb = "a:b"\n`);
    await detectIn(ws, "0.8", { BP_POETRY_RUN_DIRECT: "true" });
    const plan = parseToml(await Deno.readTextFile(ws.detectPlan)) as {
      requires: { name: string }[];
    };
    await buildIn(ws, "0.8", { BP_POETRY_RUN_DIRECT: "true" });
    return { requires: plan.requires.map((r) => r.name), web: await webArgv(ws) };
  },
);

difference(
  "a dangling pyproject.toml symlink is an error",
  {
    source: "pyprojectparser.go: os.Open fails with ErrNotExist, read as no pyproject.toml: Fail",
    outcome: { detect: 100 },
  },
  {
    detect: 1,
    output: "pyproject.toml: cannot be read (not found); make it a readable regular file",
  },
  async (ws) => {
    await Deno.symlink("missing.toml", join(ws.app, "pyproject.toml"));
    const r = await detectIn(ws);
    return { detect: r.code, output: firstLine(r) };
  },
);

difference(
  "a package-mode that is not a boolean is an error",
  {
    source: "pyprojectparser.go does not read package-mode",
    outcome: { detect: 0 },
  },
  {
    detect: 1,
    output: "pyproject.toml: [tool.poetry] package-mode must be true or false, but it is a string",
  },
  async (ws) => {
    await pyproject(ws, `[tool.poetry]\npackage-mode = "no"\n[tool.poetry.scripts]\nweb = "a:b"\n`);
    const r = await detectIn(ws);
    return { detect: r.code, output: firstLine(r) };
  },
);

difference(
  "a [project] scripts value that is not a table is an error",
  {
    source: "pyprojectparser.go does not read [project]",
    outcome: { detect: 0 },
  },
  {
    detect: 1,
    output:
      `pyproject.toml: [project.scripts] must be a table of name = "module:function" entries, but it is a string; fix or remove it`,
  },
  async (ws) => {
    await pyproject(ws, `[project]\nscripts = "web"\n[tool.poetry.scripts]\nweb = "a:b"\n`);
    const r = await detectIn(ws);
    return { detect: r.code, output: firstLine(r) };
  },
);

difference(
  "a [tool.poetry] scripts value that is not a table is an error",
  {
    source: "the issue that asked for this row: the reference sees no script there",
    outcome: { detect: 100 },
  },
  {
    detect: 1,
    output:
      `pyproject.toml: [tool.poetry.scripts] must be a table of name = "module:function" entries, but it is a string; fix or remove it`,
  },
  async (ws) => {
    await pyproject(ws, `[tool.poetry]\nname = "app"\nscripts = "web"\n`);
    const r = await detectIn(ws);
    return { detect: r.code, output: firstLine(r) };
  },
);

Deno.test("every row of the README's deliberate differences names one of these tests, and every test is a row", async () => {
  const readme = await Deno.readTextFile(join(REPO_ROOT, "README.md"));
  const start = readme.indexOf("## Deliberate differences from the reference");
  const end = readme.indexOf("\n## ", start + 1);
  const rows = readme.slice(start, end).split("\n").filter((l) =>
    l.startsWith("| ") && !l.startsWith("| reference ") && !l.startsWith("| ---")
  );
  assert.ok(rows.length >= names.length, "the table is there");
  const named = rows.map((row) => {
    const cells = row.split(" | ");
    const cell = cells[cells.length - 1] ?? "";
    const m = cell.match(/`difference: ([^`]+)`/);
    assert.ok(m, `README row has no test: ${row.slice(0, 100)}`);
    return m[1] as string;
  });
  for (const name of named) assert.ok(names.includes(name), `README names a missing test: ${name}`);
  for (const name of names) {
    assert.ok(named.includes(name), `test not in the README table: ${name}`);
  }
});
