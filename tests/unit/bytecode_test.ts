import assert from "node:assert/strict";
import { BuildpackError } from "../../src/cnb/errors.ts";
import { startedCommands as started } from "../../src/poetry/bytecode.ts";
import { runImageEnv } from "../../src/cnb/launch_env.ts";
import { bytecodeEnabled as enabled } from "../../src/poetry/config.ts";
import type { PyProject } from "../../src/poetry/pyproject.ts";

const bytecodeEnabled = (value: string | undefined) => enabled(() => value);
const startedCommands = (argv: string[], project: PyProject | null) =>
  started(argv, project).map((c) => c.argv);
import { parsePyProject } from "../../src/poetry/pyproject.ts";

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
