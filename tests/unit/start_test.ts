import assert from "node:assert/strict";
import { BuildpackError } from "../../src/cnb/errors.ts";
import { parsePyProject, type PyProject } from "../../src/poetry/pyproject.ts";
import {
  directEnabled,
  isInstalled,
  needsPoetryAtLaunch,
  planProcesses,
  startMode,
} from "../../src/poetry/start.ts";

const PKG = `[project]\nname = "a"\n`;
const NO_PKG = `[tool.poetry]\npackage-mode = false\n`;

/** The project's scripts after the first (the extra process types' scripts). */
const rest = (p: PyProject) => p.scripts.slice(1);

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
  const both = parsePyProject(`[project.scripts]\nweb = "a:b"\n[tool.poetry.scripts]\nw = "a:c"\n`);
  const [web, w] = both.scripts;
  assert.ok(web && w);
  assert.equal(isInstalled(web, both), true);
  assert.equal(
    isInstalled(w, both),
    false,
    "[project.scripts] has entries: tool.poetry ones are not installed",
  );
  const tool = parsePyProject(
    `[tool.poetry.scripts]\nw = "a:c"\nr = { reference = "a:d", type = "console" }\n`,
  );
  assert.ok(tool.scripts.every((s) => isInstalled(s, tool)));
  const off = parsePyProject(`${NO_PKG}[tool.poetry.scripts]\nw = "a:c"\n`);
  assert.ok(off.scripts.length === 1 && off.scripts.every((s) => !isInstalled(s, off)));
});

Deno.test("startMode(): a program that is not a script of the project starts directly", () => {
  assert.deepEqual(startMode("gunicorn", null), { via: "direct" });
  assert.deepEqual(
    startMode("python", parsePyProject(`${NO_PKG}[project.scripts]\nweb = "a:b"\n`)),
    {
      via: "direct",
    },
  );
});

Deno.test("startMode(): installed scripts start directly, whatever their form", () => {
  for (
    const text of [
      `${PKG}[project.scripts]\nweb = "a:b"\n`,
      `[tool.poetry.scripts]\nweb = "a:b"\n`,
      `[tool.poetry.scripts]\nweb = { callable = "a:b" }\n`,
      // poetry run fails on this form (KeyError 'callable'); the console script works.
      `[tool.poetry.scripts]\nweb = { reference = "a:b", type = "console" }\n`,
    ]
  ) {
    assert.deepEqual(startMode("web", parsePyProject(text)), { via: "direct" }, text);
  }
});

Deno.test("startMode(): an uninstalled [tool.poetry.scripts] string or callable keeps poetry run", () => {
  const off = startMode("web", parsePyProject(`${NO_PKG}[tool.poetry.scripts]\nweb = "a:b"\n`));
  assert.equal(off.via, "poetry");
  assert.match(
    off.via === "poetry" ? off.reason : "",
    /package-mode = false, so "web" is not in the venv/,
  );
  const shadowed = startMode(
    "w",
    parsePyProject(
      `[project.scripts]\nweb = "a:b"\n[tool.poetry.scripts]\nw = { callable = "a:c" }\n`,
    ),
  );
  assert.equal(shadowed.via, "poetry");
  assert.match(
    shadowed.via === "poetry" ? shadowed.reason : "",
    /does not install \[tool\.poetry\.scripts\] "w" because \[project\.scripts\] has entries/,
  );
});

Deno.test("startMode(): neither way works for [project.scripts] with package-mode = false", () => {
  const m = startMode("web", parsePyProject(`${NO_PKG}[project.scripts]\nweb = "a:b"\n`));
  assert.equal(m.via, "none");
  assert.equal(
    m.via === "none" ? m.reason : "",
    `Poetry installs no scripts with package-mode = false, so "web" is not in the venv, and ` +
      `"poetry run web" fails with "Command not found"; remove package-mode = false so that Poetry installs the project`,
  );
});

Deno.test("startMode(): neither way works for an uninstalled { reference } entry", () => {
  const m = startMode(
    "web",
    parsePyProject(
      `${NO_PKG}[tool.poetry.scripts]\nweb = { reference = "a:b", type = "console" }\n`,
    ),
  );
  assert.equal(m.via, "none");
  assert.match(
    m.via === "none" ? m.reason : "",
    /KeyError 'callable'\); move it to \[project\.scripts\] as web = "a:b" and remove package-mode = false$/,
  );
  const shadowed = startMode(
    "r",
    parsePyProject(
      `[project.scripts]\nweb = "a:b"\n[tool.poetry.scripts]\nr = { reference = "a:c" }\n`,
    ),
  );
  assert.equal(shadowed.via, "none");
  assert.match(
    shadowed.via === "none" ? shadowed.reason : "",
    /move it to \[project\.scripts\] as r = "a:c"$/,
  );
});

Deno.test("planProcesses() without direct starts everything through poetry run", () => {
  const p = parsePyProject(`${PKG}[project.scripts]\nstart = "a:b"\nworker = "a:c"\n`);
  const planned = planProcesses(["start"], rest(p), p, false);
  assert.deepEqual(planned.map((x) => [x.type, x.argv, x.start.via]), [
    ["web", ["start"], "poetry"],
    ["worker", ["worker"], "poetry"],
  ]);
  assert.equal(needsPoetryAtLaunch(planned), true);
});

Deno.test("planProcesses() with direct: Poetry is needed at launch only for a fallback", () => {
  const p = parsePyProject(`${PKG}[project.scripts]\nstart = "a:b"\nworker = "a:c"\n`);
  const planned = planProcesses(["start"], rest(p), p, true);
  assert.deepEqual(planned.map((x) => x.start.via), ["direct", "direct"]);
  assert.equal(needsPoetryAtLaunch(planned), false);
  const mixed = parsePyProject(
    `[project.scripts]\nstart = "a:b"\n[tool.poetry.scripts]\nw = "a:c"\n`,
  );
  const withFallback = planProcesses(["start"], rest(mixed), mixed, true);
  assert.deepEqual(withFallback.map((x) => x.start.via), ["direct", "poetry"]);
  assert.equal(needsPoetryAtLaunch(withFallback), true);
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
  assert.equal(needsPoetryAtLaunch(planned), true);
});
