import assert from "node:assert/strict";
import { BuildpackError } from "../../src/cnb/errors.ts";
import { parsePyProject, type PyProject } from "../../src/poetry/pyproject.ts";
import { directEnabled as readDirect } from "../../src/poetry/config.ts";
import { needsPoetryAtLaunch, planProcesses } from "../../src/poetry/processes.ts";
import { isInstalled, startMode } from "../../src/poetry/start_mode.ts";

const PKG = `[project]\nname = "a"\n`;
const NO_PKG = `[tool.poetry]\npackage-mode = false\n`;

/** The project's scripts after the first (the extra process types' scripts). */
const rest = (p: PyProject) => p.scripts.slice(1);
const py = (text: string) => parsePyProject(text);
const directEnabled = (value: string | undefined) => readDirect(() => value);

Deno.test("directEnabled() reads Go ParseBool values; unset is false", () => {
  assert.equal(directEnabled(undefined), false);
  for (const v of ["1", "t", "T", "TRUE", "true", "True"]) assert.equal(directEnabled(v), true);
  for (const v of ["0", "f", "F", "FALSE", "false", "False"]) assert.equal(directEnabled(v), false);
});

Deno.test("directEnabled() rejects anything else, naming the variable and what to do", () => {
  for (const v of ["", "yes", "on", " true"]) {
    assert.throws(() => directEnabled(v), (e: unknown) =>
      e instanceof BuildpackError &&
      e.message ===
        `failed to parse BP_POETRY_RUN_DIRECT value ${v}: strconv.ParseBool: parsing ${
          JSON.stringify(v)
        }: invalid syntax; set it to true or false`);
  }
});

Deno.test("isInstalled() follows what Poetry 2.5.1 installs", () => {
  const both = py(`[project.scripts]\nweb = "a:b"\n[tool.poetry.scripts]\nw = "a:c"\n`);
  const [web, w] = both.scripts;
  assert.ok(web && w);
  assert.equal(isInstalled(web, both), true);
  assert.equal(
    isInstalled(w, both),
    false,
    "[project.scripts] has entries: tool.poetry ones are not",
  );
  const tool = py(
    `[tool.poetry.scripts]\nw = "a:c"\nr = { reference = "a:d", type = "console" }\n`,
  );
  assert.ok(tool.scripts.every((s) => isInstalled(s, tool)));
  const off = py(`${NO_PKG}[tool.poetry.scripts]\nw = "a:c"\n`);
  assert.ok(off.scripts.length === 1 && off.scripts.every((s) => !isInstalled(s, off)));
});

Deno.test("startMode(): a program that is not a script of the project starts directly, or via poetry run", () => {
  assert.deepEqual(startMode("gunicorn", null, true), { via: "direct" });
  assert.deepEqual(startMode("python", py(`${NO_PKG}[project.scripts]\nweb = "a:b"\n`), true), {
    via: "direct",
  });
  assert.deepEqual(startMode("gunicorn", null, false), {
    via: "poetry",
    reason: "BP_POETRY_RUN_DIRECT is not set",
  });
});

Deno.test("startMode(): installed scripts start directly whatever their form, or via poetry run", () => {
  for (
    const text of [
      `${PKG}[project.scripts]\nweb = "a:b"\n`,
      `[tool.poetry.scripts]\nweb = "a:b"\n`,
      `[tool.poetry.scripts]\nweb = { callable = "a:b" }\n`,
      `[tool.poetry.scripts]\nweb = { reference = "a:b", type = "console" }\n`,
    ]
  ) {
    assert.deepEqual(startMode("web", py(text), true), { via: "direct" }, text);
    assert.equal(startMode("web", py(text), false).via, "poetry", text);
  }
});

Deno.test("startMode(): poetry run on a { reference } entry warns, in both modes when it is not installed it cannot start", () => {
  const installed = startMode(
    "web",
    py(`[tool.poetry.scripts]\nweb = { reference = "a:b" }\n`),
    false,
  );
  assert.equal(installed.via, "poetry");
  assert.match(
    installed.via === "poetry" ? installed.warning ?? "" : "",
    /^pyproject\.toml \[tool\.poetry\.scripts\] "web" is a \{ reference = \.\.\. \} entry, which "poetry run web" cannot start \(Poetry fails with KeyError 'callable'\); set BP_POETRY_RUN_DIRECT=true/,
  );
  for (const direct of [true, false]) {
    const m = startMode(
      "web",
      py(`${NO_PKG}[tool.poetry.scripts]\nweb = { reference = "a:b" }\n`),
      direct,
    );
    assert.equal(m.via, "none");
    assert.match(
      m.via === "none" ? m.reason : "",
      /KeyError 'callable'\); move it to \[project\.scripts\] as web = "a:b" and remove package-mode = false$/,
    );
  }
  const shadowed = startMode(
    "r",
    py(`[project.scripts]\nweb = "a:b"\n[tool.poetry.scripts]\nr = { reference = "a:c" }\n`),
    true,
  );
  assert.equal(shadowed.via, "none");
  assert.match(
    shadowed.via === "none" ? shadowed.reason : "",
    /move it to \[project\.scripts\] as r = "a:c"$/,
  );
});

Deno.test("startMode(): an uninstalled [tool.poetry.scripts] string or callable keeps poetry run, with a warning", () => {
  for (const direct of [true, false]) {
    const off = startMode("web", py(`${NO_PKG}[tool.poetry.scripts]\nweb = "a:b"\n`), direct);
    assert.equal(off.via, "poetry");
    assert.match(
      off.via === "poetry" ? off.warning ?? "" : "",
      /^Poetry installs no scripts with package-mode = false, so "web" is not in the venv: pyproject\.toml \[tool\.poetry\.scripts\] "web" runs through Poetry's deprecated path for uninstalled scripts/,
    );
  }
  const shadowed = startMode(
    "w",
    py(`[project.scripts]\nweb = "a:b"\n[tool.poetry.scripts]\nw = { callable = "a:c" }\n`),
    true,
  );
  assert.equal(shadowed.via, "poetry");
  assert.match(
    shadowed.via === "poetry" ? shadowed.reason : "",
    /does not install \[tool\.poetry\.scripts\] "w" because \[project\.scripts\] has entries/,
  );
});

Deno.test("startMode(): neither way works for [project.scripts] with package-mode = false, in both modes", () => {
  for (const direct of [true, false]) {
    const m = startMode("web", py(`${NO_PKG}[project.scripts]\nweb = "a:b"\n`), direct);
    assert.deepEqual(m, {
      via: "none",
      reason:
        `Poetry installs no scripts with package-mode = false, so "web" is not in the venv, and ` +
        `"poetry run web" fails with "Command not found"; remove package-mode = false so that Poetry installs the project`,
    });
  }
});

Deno.test("planProcesses() without direct starts everything through poetry run", () => {
  const p = py(`${PKG}[project.scripts]\nstart = "a:b"\nworker = "a:c"\n`);
  const planned = planProcesses(["start"], rest(p), p, false);
  assert.deepEqual(planned.map((x) => [x.type, x.argv, x.start.via]), [
    ["web", ["start"], "poetry"],
    ["worker", ["worker"], "poetry"],
  ]);
  assert.equal(needsPoetryAtLaunch(planned, p), true);
});

Deno.test("planProcesses() with direct: Poetry is needed at launch only for a fallback", () => {
  const p = py(`${PKG}[project.scripts]\nstart = "a:b"\nworker = "a:c"\n`);
  const planned = planProcesses(["start"], rest(p), p, true);
  assert.deepEqual(planned.map((x) => x.start.via), ["direct", "direct"]);
  assert.equal(needsPoetryAtLaunch(planned, p), false);
  const mixed = py(`[project.scripts]\nstart = "a:b"\n[tool.poetry.scripts]\nw = "a:c"\n`);
  const withFallback = planProcesses(["start"], rest(mixed), mixed, true);
  assert.deepEqual(withFallback.map((x) => x.start.via), ["direct", "poetry"]);
  assert.equal(needsPoetryAtLaunch(withFallback, mixed), true);
});

Deno.test("planProcesses() with direct and BP_POETRY_RUN_TARGET words: the first word decides", () => {
  const planned = planProcesses(["gunicorn", "-b", ":8080", "app:app"], [], null, true);
  assert.deepEqual(planned, [{
    type: "web",
    argv: ["gunicorn", "-b", ":8080", "app:app"],
    start: { via: "direct" },
  }]);
});

Deno.test("needsPoetryAtLaunch(): a direct start of poetry itself still needs Poetry in the image", () => {
  const planned = planProcesses(["poetry", "run", "web"], [], null, true);
  assert.deepEqual(planned.map((p) => p.start.via), ["direct"]);
  assert.equal(needsPoetryAtLaunch(planned, null), true);
});

Deno.test("needsPoetryAtLaunch(): a dropped process, or the project's own script named poetry, needs no Poetry", () => {
  const p = py(
    `[project.scripts]\nweb = "app:main"\n[tool.poetry.scripts]\npoetry = { reference = "app:main", type = "console" }\n`,
  );
  const planned = planProcesses(["web"], rest(p), p, true);
  assert.deepEqual(planned.map((x) => [x.type, x.start.via]), [["web", "direct"], [
    "poetry",
    "none",
  ]]);
  assert.equal(needsPoetryAtLaunch(planned, p), false);
  const own = py(`${PKG}[project.scripts]\nweb = "app:main"\npoetry = "app:other"\n`);
  const both = planProcesses(["web"], rest(own), own, true);
  assert.deepEqual(both.map((x) => x.start.via), ["direct", "direct"]);
  assert.equal(needsPoetryAtLaunch(both, own), false);
});
