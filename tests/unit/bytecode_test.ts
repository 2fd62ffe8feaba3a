import assert from "node:assert/strict";
import { BuildpackError } from "../../src/cnb/errors.ts";
import { planCompileJobs, startedCommands as started } from "../../src/poetry/bytecode_plan.ts";
import { processType } from "../../src/cnb/process_type.ts";
import { validateReport } from "../../src/python/bytecode.ts";
import { runImageEnv } from "../../src/cnb/launch_env.ts";
import { bytecodeEnabled as enabled } from "../../src/poetry/config.ts";
import { parsePyProject, type PyProject } from "../../src/poetry/pyproject.ts";

const bytecodeEnabled = (value: string | undefined) => enabled(() => value);
const startedCommands = (argv: string[], project: PyProject | null) =>
  started(argv, project).map((c) => c.argv);

Deno.test("bytecodeEnabled(): on unless BP_POETRY_RUN_BYTECODE parses false; a bad value is an error", () => {
  assert.equal(bytecodeEnabled(undefined), true);
  for (const on of ["true", "1", "T"]) assert.equal(bytecodeEnabled(on), true);
  for (const off of ["false", "0", "F"]) assert.equal(bytecodeEnabled(off), false);
  assert.throws(
    () => bytecodeEnabled("no"),
    (e: unknown) =>
      e instanceof BuildpackError &&
      e.message ===
        `failed to parse BP_POETRY_RUN_BYTECODE value no: strconv.ParseBool: parsing "no": invalid syntax; set it to true or false`,
  );
});

Deno.test("startedCommands(): poetry run starts Poetry, then the target", () => {
  assert.deepEqual(startedCommands(["poetry", "run", "web"], null), [["poetry"], ["web"]]);
  assert.deepEqual(startedCommands(["poetry", "run", "--", "gunicorn", "-w", "2"], null), [
    ["poetry"],
    ["gunicorn", "-w", "2"],
  ]);
  assert.deepEqual(startedCommands(["web"], null), [["web"]]);
  assert.deepEqual(startedCommands(["poetry", "run"], null), [["poetry"]]);
});

Deno.test("startedCommands(): through watchexec, the command after --", () => {
  const reload = ["watchexec", "--restart", "--watch", "/w", "--shell", "none", "--"];
  assert.deepEqual(startedCommands([...reload, "poetry", "run", "web"], null), [
    ["poetry"],
    ["web"],
  ]);
  assert.deepEqual(startedCommands([...reload, "web"], null), [["web"]]);
  assert.deepEqual(startedCommands(["watchexec", "--restart"], null), []);
});

Deno.test("startedCommands(): a [tool.poetry.scripts] entry runs as Poetry runs it, python -c import_module", () => {
  const project = parsePyProject(
    `[tool.poetry.scripts]\nweb = "app.server:run"\nref = { reference = "app.x:y", type = "console" }\n`,
  );
  assert.deepEqual(startedCommands(["poetry", "run", "web"], project), [
    ["poetry"],
    ["python", "-c", 'from importlib import import_module; import_module("app.server")'],
  ]);
  assert.deepEqual(startedCommands(["poetry", "run", "ref"], project), [["poetry"], ["ref"]]);
  assert.deepEqual(started(["poetry", "run", "web"], project).map((c) => c.label), [
    "poetry",
    "web",
  ]);
  const pep621 = parsePyProject(`[project.scripts]\nweb = "app.server:run"\n`);
  assert.deepEqual(startedCommands(["poetry", "run", "web"], pep621), [["poetry"], ["web"]]);
});

Deno.test("runImageEnv(): the build's PATH and LD_LIBRARY_PATH without the layers, and HOME", () => {
  const vars: Record<string, string> = {
    PATH: "/layers/a_cpython/cpython/bin:/layers/a_poetry/poetry/bin:/usr/local/bin:/usr/bin::/bin",
    LD_LIBRARY_PATH: "/layers/a_cpython/cpython/lib",
    HOME: "/home/cnb",
    PYTHONPATH: "/layers/a_poetry/poetry/site",
    CNB_LAYERS_DIR: "/layers/me",
  };
  assert.deepEqual(runImageEnv((n) => vars[n], "/layers"), {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: "/home/cnb",
  });
  assert.deepEqual(runImageEnv(() => undefined, "/layers"), {});
});

Deno.test("startedCommands(): serve.py of the start layer runs its server as python -m, a Gradio app as its script", () => {
  const serve = "/layers/paketo-buildpacks_poetry-run/start/serve.py";
  assert.deepEqual(
    startedCommands(["poetry", "run", "python", serve, "uvicorn", "main:app"], null),
    [
      ["poetry"],
      ["python", "-m", "uvicorn"],
    ],
  );
  assert.deepEqual(startedCommands(["python", serve, "gradio", "app.py"], null), [[
    "python",
    "app.py",
  ]]);
  assert.deepEqual(startedCommands(["python", "/elsewhere/serve.py", "uvicorn"], null), [
    ["python", "/elsewhere/serve.py", "uvicorn"],
  ]);
});

const proc = (type: string, command: string, ...args: string[]) => ({
  type: processType(type),
  command,
  args,
  default: type === "web",
});

Deno.test("planCompileJobs(): one job per Python process (interpreter, start, environment); what starts no Python is noted", () => {
  const runs = (argv: readonly string[]) =>
    argv[0] === "sh" ? { reason: "/bin/sh is not Python" } : {
      interpreter: "/venv/bin/python",
      flags: [],
      path0: "/venv/bin",
      roots: [{ script: `/venv/bin/${argv[0]}` }],
    };
  const plan = planCompileJobs({
    processes: [
      proc("web", "poetry", "run", "web"),
      proc("reload-web", "watchexec", "--restart", "--", "poetry", "run", "web"),
      proc("worker", "sh", "-c", "true"),
    ],
    project: null,
    appDir: "/workspace",
    envOf: (type) => ({ PATH: "/venv/bin", ...(type === "worker" ? { X: "1" } : {}) }),
    resolveRun: runs,
  });
  assert.equal(plan.kind, "jobs");
  if (plan.kind !== "jobs") return;
  assert.deepEqual(
    plan.jobs.map((j) => j.label),
    ["poetry", "web"],
    "reload-web runs the same two",
  );
  assert.deepEqual(plan.skipped, ["sh (/bin/sh is not Python)"]);
  const preset = planCompileJobs({
    processes: [proc("web", "web")],
    project: null,
    appDir: "/workspace",
    envOf: () => ({ PYTHONPYCACHEPREFIX: "/elsewhere" }),
    resolveRun: runs,
  });
  assert.deepEqual(preset, { kind: "preset", value: "/elsewhere" });
});

Deno.test("validateReport(): the worker's report is checked, never defaulted", () => {
  const good = {
    python: "3.11.7",
    tag: "cpython-311",
    modules: 3,
    compiled: 2,
    bytes: 100,
    reused: 1,
    errors: [["/w/bad.py", "SyntaxError: x"]],
    errorCount: 1,
    otherErrors: 0,
    pycs: ["/t/a.pyc"],
  };
  const ok = validateReport("web", good);
  assert.ok(ok.ok);
  assert.equal(ok.reused, 1);
  for (
    const [key, value] of [["compiled", undefined], ["bytes", -1], ["pycs", "x"], ["errors", [[
      "a",
    ]]], ["python", 3]] as const
  ) {
    const r = validateReport("web", { ...good, [key]: value });
    assert.ok(!r.ok && r.reason === `the worker's report is malformed (${key})`, JSON.stringify(r));
  }
  assert.deepEqual(validateReport("web", { python: "3.6", unsupported: "no bytecode" }), {
    label: "web",
    ok: false,
    reason: "Python 3.6: no bytecode",
  });
  assert.equal(validateReport("web", []).ok, false);
});
