/**
 * The deliberate differences from the reference, as data: what the docs say
 * each side does, and how to show it. `differences_test.ts` runs every row
 * through this buildpack's entry point exactly as the lifecycle does and sets
 * the outcome beside the reference's; `differences_doc.ts` renders the tables
 * of `docs/differences.md` and the README from the same rows.
 *
 * The reference's outcomes are data, with their source: its code
 * (`detect.go`, `build.go`, `pyprojectparser.go`), its tests, and packit's
 * behaviour, as recorded in this project's reference notes. The reference
 * itself cannot run here: the Go module proxy refuses
 * `github.com/paketo-buildpacks/poetry-run` (403).
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseToml } from "../../src/cnb/toml.ts";
import {
  buildIn,
  detectIn,
  listedProcesses,
  type PhaseResult,
  type Workspace,
} from "../../kit/phase.ts";
import { earlierVenv } from "../../kit/earlier_layers.ts";

/** What one phase did, in the terms both sides can be compared in. */
export interface Outcome {
  /** Detect's exit code. */
  readonly detect?: number;
  /** Build's exit code. */
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

/** One deliberate difference: the docs' words for both sides, and the check. */
export interface Difference {
  /** The row's name; its test is `difference: <name>`. */
  readonly name: string;
  /** The row's short wording for the README's table (rows without one are only in docs/differences.md). */
  readonly headline?: { readonly reference: string; readonly ours: string };
  /** What the reference does (Markdown, one table cell). */
  readonly reference: string;
  /** What this buildpack does instead (Markdown, one table cell). */
  readonly ours: string;
  /** Where the reference's outcome comes from. */
  readonly source: string;
  /** The reference's outcome. */
  readonly referenceOutcome: Outcome;
  /** This buildpack's outcome. */
  readonly expected: Outcome;
  /** The Buildpack API buildpack.toml declares for the run (default 0.8). */
  readonly api?: string;
  /** Runs this buildpack in a fresh workspace and reports its outcome. */
  readonly run: (ws: Workspace) => Promise<Outcome>;
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

/** The rows' runs, by what they compare: each writes pyproject.toml (when given) first. */
type Run = Difference["run"];
const withProject = (text: string | undefined) => async (ws: Workspace) => {
  if (text !== undefined) await pyproject(ws, text);
};
/** Detect's code and the web process build writes. */
const detectThenWeb = (text: string, bp: Record<string, string> = {}): Run => async (ws) => {
  await withProject(text)(ws);
  const detect = await detectCode(ws, bp);
  await buildIn(ws, "0.8", bp);
  return { detect, web: await webArgv(ws) };
};
/** Detect's code and its first line on stderr. */
const detectFails = (text?: string, bp: Record<string, string> = {}): Run => async (ws) => {
  await withProject(text)(ws);
  const r = await detectIn(ws, "0.8", bp);
  return { detect: r.code, output: firstLine(r) };
};
/** Build's code and its first line on stderr. */
const buildFails = (text?: string, bp: Record<string, string> = {}): Run => async (ws) => {
  await withProject(text)(ws);
  const r = await buildIn(ws, "0.8", bp);
  return { build: r.code, output: firstLine(r) };
};

/** Every deliberate difference, in the order the docs list them. */
export const DIFFERENCES: readonly Difference[] = [
  {
    name: "[project.scripts] is read",
    headline: {
      reference: "reads only `[tool.poetry.scripts]`",
      ours: "reads `[project.scripts]` (Poetry 2) too",
    },
    reference: "reads only `[tool.poetry.scripts]`",
    ours: "reads `[project.scripts]` too; `[project.scripts]` wins on a name clash, with a warning",
    source: "pyprojectparser.go decodes only [tool.poetry.scripts]; no script: Fail",
    referenceOutcome: { detect: 100 },
    expected: { detect: 0, web: ["poetry", "run", "web"] },
    run: detectThenWeb(`[project.scripts]\nweb = "app:main"\n`),
  },
  {
    name: "table-form scripts are accepted",
    headline: {
      reference: "a `{ callable }` or `{ reference }` script: detect errors",
      ours: "every script form Poetry accepts",
    },
    reference:
      "a table-form script (`{ reference = … }`, `{ callable = … }`) makes detect **error**",
    ours: 'all of Poetry\'s forms are accepted; `type = "file"` entries are skipped',
    source:
      "pyprojectparser.go decodes map[string]string: a table is 'incompatible types', detect errors",
    referenceOutcome: { detect: 1 },
    expected: { detect: 0, web: ["poetry", "run", "web"] },
    run: detectThenWeb(`[tool.poetry.scripts]\nweb = { callable = "app:main" }\n`),
  },
  {
    name: "several scripts: a conventional name is chosen",
    headline: {
      reference: "several scripts: detect fails",
      ours: "`web`, `start`, `serve` or `server` is chosen; the others become process types",
    },
    reference:
      "several scripts: detect fails (the Paketo Python group then falls back to a `python` REPL image)",
    ours:
      "the first of `web`, `start`, `serve`, `server` is chosen; other scripts become extra process types",
    source: "detect.go passes only with exactly one script; two: Fail",
    referenceOutcome: { detect: 100 },
    expected: {
      detect: 0,
      processes: { web: ["poetry", "run", "web"], worker: ["poetry", "run", "worker"] },
    },
    run: async (ws) => {
      await pyproject(ws, `[tool.poetry.scripts]\nworker = "app:w"\nweb = "app:main"\n`);
      const detect = await detectCode(ws);
      await buildIn(ws);
      return { detect, processes: await allProcesses(ws) };
    },
  },
  {
    name: "a failed detect says what was found and what to do",
    reference: "failure message `Expects one and exactly one script defined in pyproject.toml`",
    ours: "says what was found and what to do (list of scripts, `BP_POETRY_RUN_TARGET`)",
    source: "detect.go: packit.Fail.WithMessage(...)",
    referenceOutcome: {
      detect: 100,
      output: "Expects one and exactly one script defined in pyproject.toml",
    },
    expected: {
      detect: 100,
      output:
        `pyproject.toml has 2 scripts ("a", "b") and none is named web, start, serve, server; set BP_POETRY_RUN_TARGET to the one to run`,
    },
    run: detectFails(`[tool.poetry.scripts]\na = "m:a"\nb = "m:b"\n`),
  },
  {
    name: "BP_POETRY_RUN_TARGET is split as a shell splits words",
    headline: {
      reference: "`BP_POETRY_RUN_TARGET` split on single spaces",
      ours: "split as a POSIX shell splits words",
    },
    reference:
      "`BP_POETRY_RUN_TARGET` split on single spaces (quotes kept literally, empty arguments from double spaces)",
    ours: "POSIX shell-word splitting",
    source: 'build.go: strings.Split(target, " "): quotes kept, an empty word per extra space',
    referenceOutcome: { build: 0, web: ["poetry", "run", "gunicorn", "", '"app:create_app()"'] },
    expected: { build: 0, web: ["poetry", "run", "gunicorn", "app:create_app()"] },
    run: async (ws) => {
      const r = await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: `gunicorn  "app:create_app()"` });
      return { build: r.code, web: await webArgv(ws) };
    },
  },
  {
    name: "an unterminated quote in BP_POETRY_RUN_TARGET is an error",
    reference: "any quoting in `BP_POETRY_RUN_TARGET` is accepted and kept",
    ours: "an unterminated quote is an error naming the column",
    source: "detect.go passes on any set BP_POETRY_RUN_TARGET; build.go splits on spaces",
    referenceOutcome: { detect: 0 },
    expected: {
      detect: 1,
      output:
        "BP_POETRY_RUN_TARGET has an unterminated double quote at column 10: close the quote, or escape it with a backslash",
    },
    run: detectFails(undefined, { BP_POETRY_RUN_TARGET: `gunicorn "app` }),
  },
  {
    name: "a blank BP_POETRY_RUN_TARGET counts as unset",
    reference: 'an empty `BP_POETRY_RUN_TARGET` passes detect and builds `poetry run ""`',
    ours: "blank counts as unset, with a warning",
    source: 'detect.go: os.LookupEnv (set, even empty, passes); build.go: poetry run ""',
    referenceOutcome: { detect: 0, web: ["poetry", "run", ""] },
    expected: { detect: 0, web: ["poetry", "run", "web"] },
    run: detectThenWeb(`[project.scripts]\nweb = "app:main"\n`, { BP_POETRY_RUN_TARGET: "" }),
  },
  {
    name: "a BP_POETRY_RUN_TARGET with an empty first word is an error",
    reference: "`BP_POETRY_RUN_TARGET=''` builds `poetry run ''` (the quotes kept)",
    ours: "no words, or an empty first word, is an error",
    source: "build.go: strings.Split(\"''\", \" \") keeps the quotes: poetry run ''",
    referenceOutcome: { build: 0, web: ["poetry", "run", "''"] },
    expected: {
      build: 1,
      output:
        `BP_POETRY_RUN_TARGET starts with an empty word ('' or ""); the first word must name the script or program to run`,
    },
    run: buildFails(undefined, { BP_POETRY_RUN_TARGET: "''" }),
  },
  {
    name: "a script with an empty name is an error",
    reference: 'a script named `""` builds `poetry run ""`',
    ours: "an error naming the table",
    source: 'pyprojectparser.go returns the only key, ""; build.go: poetry run ""',
    referenceOutcome: { detect: 0 },
    expected: {
      detect: 1,
      output:
        `pyproject.toml: [tool.poetry.scripts] has a script with an empty name ("" = ...); give it a name`,
    },
    run: detectFails(`[tool.poetry.scripts]\n"" = "app:main"\n`),
  },
  {
    name: "build fails when no target can be chosen",
    headline: { reference: 'no target: builds `poetry run ""`', ours: "fails, saying what to do" },
    reference: 'build never fails: with zero or several scripts it writes `poetry run ""`',
    ours: "build fails with the same explanation as detect",
    source: 'build.go never fails: zero or several scripts give poetry run ""',
    referenceOutcome: { build: 0, web: ["poetry", "run", ""] },
    expected: {
      build: 1,
      output:
        `pyproject.toml has no script in [project.scripts] or [tool.poetry.scripts], and no start command can be inferred: no module of the app makes a web application at module level (Flask, FastAPI, Starlette, Quart, Litestar, Falcon, Bottle, FastHTML, Dash; a Streamlit or Gradio script) and there is no Django manage.py; add a [project.scripts] entry or set BP_POETRY_RUN_TARGET`,
    },
    run: buildFails(`[tool.poetry]\nname = "app"\n`),
  },
  {
    name: "no trailing space in an unversioned title",
    reference: "title `<name> <version>` with a trailing space when unversioned",
    ours: "no trailing space",
    source: 'build.go: logger.Title("%s %s", name, version)',
    referenceOutcome: { output: "Paketo Buildpack for Poetry Run " },
    expected: { output: "Paketo Buildpack for Poetry Run" },
    run: async (ws) => {
      const toml = join(ws.buildpack, "buildpack.toml");
      await Deno.writeTextFile(
        toml,
        (await Deno.readTextFile(toml)).replace(/^\s*version = .*$/m, ""),
      );
      const r = await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "web" });
      return { output: r.stdout.split("\n")[0] ?? "" };
    },
  },
  {
    name: "one INFO line explains the chosen target",
    reference: "no explanation of the chosen target at INFO level",
    ours: "one INFO line after the process table",
    source: "build.go logs the title and the process table only",
    referenceOutcome: { output: "" },
    expected: {
      output:
        `  Start command poetry run web runs "web" from pyproject.toml [project.scripts], the first of web, start, serve, server among 2 scripts; set BP_POETRY_RUN_TARGET to choose another`,
    },
    run: async (ws) => {
      await pyproject(ws, `[project.scripts]\nweb = "a:b"\nworker = "a:c"\n`);
      const r = await buildIn(ws);
      return { output: r.stdout.split("\n").find((l) => l.includes("Start command")) ?? "" };
    },
  },
  {
    name: "package-mode = false is warned about, or fails when it cannot start",
    headline: {
      reference: "`package-mode` not read",
      ours: "warns, or fails a build whose image could not start",
    },
    reference: "`package-mode` is not read",
    ours:
      "a warning for every process that runs through Poetry's deprecated path or cannot start; a `[project.scripts]` target with `package-mode = false` fails the build",
    source: "pyprojectparser.go reads only the scripts table; package-mode is not read",
    referenceOutcome: { build: 0, output: "" },
    expected: {
      build: 0,
      output:
        `Warning: Poetry installs no scripts with package-mode = false, so "web" is not in the venv: pyproject.toml [tool.poetry.scripts] "web" runs through Poetry's deprecated path for uninstalled scripts; declare it in [project.scripts] with package mode, or set BP_POETRY_RUN_TARGET`,
    },
    run: buildFails(`[tool.poetry]\npackage-mode = false\n[tool.poetry.scripts]\nweb = "a:b"\n`),
  },
  {
    name: "launch.toml follows the declared Buildpack API",
    headline: {
      reference: "launch.toml in API 0.8 format",
      ours: "in the format of the API buildpack.toml declares",
    },
    reference: "launch.toml only in API 0.8 format",
    ours: "the format of whatever API (0.7–0.12) buildpack.toml declares",
    source:
      'buildpack.toml declares api 0.8: packit writes command = "poetry", args, direct = true',
    referenceOutcome: { command: "poetry" },
    expected: { command: ["poetry", "run", "web"] },
    api: "0.12",
    run: async (ws) => {
      const r = await buildIn(ws, "0.12", { BP_POETRY_RUN_TARGET: "web" });
      assert.equal(r.code, 0, r.stderr);
      const raw = parseToml(await Deno.readTextFile(join(ws.layers, "launch.toml"))) as {
        processes: { command: unknown }[];
      };
      return { command: raw.processes[0]?.command };
    },
  },
  {
    name: "BP_POETRY_RUN_DIRECT starts without Poetry",
    headline: {
      reference: "always `poetry run`, Poetry always in the image",
      ours: "`BP_POETRY_RUN_DIRECT=true` starts without Poetry",
    },
    reference: "every process starts through `poetry run`, and Poetry is always in the image",
    ours:
      "the same by default; `BP_POETRY_RUN_DIRECT=true` starts without Poetry where it can (see above)",
    source: "detect.go always requires poetry at launch; build.go always runs poetry run",
    referenceOutcome: {
      requires: ["cpython", "poetry", "poetry-venv"],
      web: ["poetry", "run", "web"],
    },
    expected: { requires: ["cpython", "poetry-venv"], web: ["web"] },
    run: async (ws) => {
      await pyproject(ws, `[project.scripts]\nweb = "a:b"\n`);
      await detectIn(ws, "0.8", { BP_POETRY_RUN_DIRECT: "true" });
      const plan = parseToml(await Deno.readTextFile(ws.detectPlan)) as {
        requires: { name: string }[];
      };
      await buildIn(ws, "0.8", { BP_POETRY_RUN_DIRECT: "true" });
      return { requires: plan.requires.map((r) => r.name), web: await webArgv(ws) };
    },
  },
  {
    name: "a dangling pyproject.toml symlink is an error",
    reference: "a dangling `pyproject.toml` symlink is read as no file (detect fails)",
    ours: "an error: the file is there but cannot be read",
    source: "pyprojectparser.go: os.Open fails with ErrNotExist, read as no pyproject.toml: Fail",
    referenceOutcome: { detect: 100 },
    expected: {
      detect: 1,
      output: "pyproject.toml: cannot be read (not found); make it a readable regular file",
    },
    run: async (ws) => {
      await Deno.symlink("missing.toml", join(ws.app, "pyproject.toml"));
      const r = await detectIn(ws);
      return { detect: r.code, output: firstLine(r) };
    },
  },
  {
    name: "a package-mode that is not a boolean is an error",
    reference: "`package-mode` of another type is ignored",
    ours: "an error naming the key and its type",
    source: "pyprojectparser.go does not read package-mode",
    referenceOutcome: { detect: 0 },
    expected: {
      detect: 1,
      output:
        "pyproject.toml: [tool.poetry] package-mode must be true or false, but it is a string",
    },
    run: detectFails(`[tool.poetry]\npackage-mode = "no"\n[tool.poetry.scripts]\nweb = "a:b"\n`),
  },
  {
    name: "a [project] scripts value that is not a table is an error",
    reference: '`[project]` is not read, so `scripts = "…"` there is ignored',
    ours: "an error: `[project.scripts]` must be a table",
    source: "pyprojectparser.go does not read [project]",
    referenceOutcome: { detect: 0 },
    expected: {
      detect: 1,
      output:
        `pyproject.toml: [project.scripts] must be a table of name = "module:function" entries, but it is a string; fix or remove it`,
    },
    run: detectFails(`[project]\nscripts = "web"\n[tool.poetry.scripts]\nweb = "a:b"\n`),
  },
  {
    name: "a [tool.poetry] scripts value that is not a table is an error",
    reference: '`[tool.poetry] scripts = "web"` (not a table): no script is seen (detect fails)',
    ours: "an error: `[tool.poetry.scripts]` must be a table",
    source: "the issue that asked for this row: the reference sees no script there",
    referenceOutcome: { detect: 100 },
    expected: {
      detect: 1,
      output:
        `pyproject.toml: [tool.poetry.scripts] must be a table of name = "module:function" entries, but it is a string; fix or remove it`,
    },
    run: detectFails(`[tool.poetry]\nname = "app"\nscripts = "web"\n`),
  },
  {
    name: "a web app with no script gets an inferred start command",
    headline: {
      reference:
        "no script: detect fails (Paketo's Python group then builds a `python` REPL image)",
      ours: "serves the app's one web application with its production server, on `$PORT` or 8080",
    },
    reference:
      "no script: detect fails, and Paketo's Python group falls back to python-start, whose `web` is `python`: a REPL that exits in a container",
    ours:
      "infers the start command where it is certain: one Flask, FastAPI, Starlette, Quart, Litestar, Falcon, Bottle, FastHTML or Dash application (or a Django project) and its production server (gunicorn, uvicorn, hypercorn, daphne, waitress) among the dependencies poetry-install installs; it listens on all interfaces, on `$PORT`, else 8080",
    source:
      "detect.go passes only with exactly one [tool.poetry.scripts] entry or BP_POETRY_RUN_TARGET",
    referenceOutcome: { detect: 100 },
    expected: { detect: 0, web: ["poetry", "run", "gunicorn", "app:app"] },
    run: async (ws) => {
      await pyproject(ws, `[project]\nname = "app"\ndependencies = ["flask", "gunicorn"]\n`);
      await Deno.writeTextFile(
        join(ws.app, "app.py"),
        "from flask import Flask\n\napp = Flask(__name__)\n",
      );
      await earlierVenv(ws.layersRoot, {
        bins: { gunicorn: "#!/bin/sh\n" },
        dists: ["flask-3.1.0", "gunicorn-23.0.0"],
      });
      const detect = await detectCode(ws);
      await buildIn(ws);
      return { detect, web: await webArgv(ws) };
    },
  },
  {
    name: "PYTHONUNBUFFERED=1 at launch",
    headline: {
      reference: "Python's output is block-buffered at launch",
      ours: "`PYTHONUNBUFFERED=1` as a launch default",
    },
    reference:
      "sets no launch environment: a Python process writing to a pipe buffers its output, so log lines come late or are lost",
    ours:
      "`PYTHONUNBUFFERED=1` as a launch default for every process (a value the platform sets wins), as Google's, Heroku's, Railpack's and Nixpacks' builds set it",
    source: "build.go writes launch.toml only (no layer)",
    referenceOutcome: { output: "" },
    expected: { output: "1" },
    run: async (ws) => {
      await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "web" });
      const file = join(ws.layers, "start", "env.launch", "PYTHONUNBUFFERED.default");
      return { output: await Deno.readTextFile(file).catch(() => "") };
    },
  },
  {
    name: "a script with an empty value is an error",
    reference: '`web = ""`: detect passes and the image runs a console script that cannot start',
    ours:
      "an error naming the script (a warning, and no process type, when it is not the one `web` runs)",
    source: "pyprojectparser.go accepts any string value",
    referenceOutcome: { detect: 0 },
    expected: {
      detect: 1,
      output:
        `pyproject.toml [tool.poetry.scripts] "web" is empty, so its console script could not start; set it to "package.module:function"`,
    },
    run: detectFails(`[tool.poetry.scripts]\nweb = ""\n`),
  },
];
