import assert from "node:assert/strict";
import { parseToml } from "../../src/cnb/toml.ts";
import { isRelevantTable, relevantSections } from "../../src/poetry/pyproject_sections.ts";
import { parsePyProject } from "../../src/poetry/pyproject.ts";
import { REPO_ROOT } from "../_helpers.ts";

/** What the buildpack reads from a parsed document. */
function relevant(doc: Record<string, unknown>): unknown {
  const tool = (doc.tool ?? {}) as Record<string, Record<string, unknown>>;
  const project = (doc.project ?? {}) as Record<string, unknown>;
  return JSON.parse(JSON.stringify({
    project: project.scripts ?? null,
    poetry: tool.poetry?.scripts ?? null,
    mode: tool.poetry?.["package-mode"] ?? null,
  }));
}

const DOCS = [
  `[project]\nname = "x"\ndependencies = [\n  "a[extra] >=1",\n  "b",\n]\n[project.scripts]\nweb = "a:b"\n`,
  `[tool.poetry.dependencies]\npython = "^3.10"\n[tool.poetry.scripts]\nweb = { reference = "a:b", type = "console" }\n[tool.ruff]\nselect = ["E"]\n`,
  `project.scripts.web = "a:b"\n[tool.other]\nx = 1\n`,
  `[tool]\npoetry.scripts.start = "a:b"\npoetry.package-mode = false\n[tool.black]\nline = 1\n`,
  `[tool.x]\ns = """\n[project.scripts]\nfake = "no"\n"""\n[project.scripts]\nreal = "yes"\n`,
  `[tool.x]\ns = '''\n[tool.poetry.scripts]\n'''\nt = "[project]"\n# [project.scripts]\n[tool.poetry.scripts]\nok = "a:b"\n`,
  `[tool.x]\nm = [\n  [1, 2],\n  [3],\n]\n[tool.poetry.scripts.web]\ncallable = "a:b"\n`,
  `["tool"."poetry".scripts]\nq = "a:b"\n[ project ]\nname = "n"\n`,
  `[[tool.poetry.source]]\nname = "s"\nurl = "u"\n[tool.poetry]\npackage-mode = true\n[tool.poetry.scripts]\nweb = "a:b"\n`,
  `[tool.x]\ns = "has \\" quote [project]"\ninline = { a = "}", b = [ "]" ] }\n[project.scripts]\nw = "a:b"\n`,
  `[tool.x]\ns = """ends with quotes"""""\n[project.scripts]\nw = "a:b"\n`,
];

Deno.test("relevantSections() keeps exactly what a full parse gives for the tables we read", () => {
  for (const doc of DOCS) {
    const reduced = relevantSections(doc);
    assert.notEqual(reduced, null, doc);
    assert.deepEqual(relevant(parseToml(reduced as string)), relevant(parseToml(doc)), doc);
    assert.equal((reduced as string).split("\n").length, doc.split("\n").length, "line count kept");
  }
});

Deno.test("relevantSections() agrees with a full parse on the fixtures and examples", async () => {
  const files = [
    "examples/default_app/pyproject.toml",
    "bench/fixtures/deps300/pyproject.toml",
    ...["default_app", "project_scripts", "no_package_mode", "reference_form", "several_scripts"]
      .map((a) => `tests/fixtures/apps/${a}/pyproject.toml`),
  ];
  for (const f of files) {
    const text = await Deno.readTextFile(`${REPO_ROOT}/${f}`);
    const reduced = relevantSections(text);
    assert.notEqual(reduced, null, f);
    assert.deepEqual(relevant(parseToml(reduced as string)), relevant(parseToml(text)), f);
  }
});

Deno.test("relevantSections() drops other tables but keeps their line breaks", () => {
  const reduced = relevantSections(`a = 1\n[tool.ruff]\nx = 1\ny = 2\n[project]\nname = "n"\n`);
  assert.equal(reduced, `a = 1\n\n\n\n[project]\nname = "n"\n`);
});

Deno.test("relevantSections() gives up (null) on what it does not understand", () => {
  for (
    const doc of [
      `s = "unterminated\n`,
      `x = [1,\n`,
      `[tool.poetry\n`,
      `s = """never closed\n`,
      `x = ]\n`,
    ]
  ) {
    assert.equal(relevantSections(doc), null, doc);
  }
});

Deno.test("isRelevantTable() names the tables the buildpack reads", () => {
  for (
    const t of [
      "project",
      "project.scripts",
      "tool",
      "tool.poetry",
      "tool.poetry.scripts",
      "tool.poetry.scripts.web",
    ]
  ) {
    assert.ok(isRelevantTable(t), t);
  }
  for (
    const t of [
      "tool.poetry.dependencies",
      "tool.ruff",
      "project.urls",
      "projects",
      "tool.poetry.group.dev",
    ]
  ) {
    assert.ok(!isRelevantTable(t), t);
  }
});

Deno.test("parsePyProject() reports errors at the same line and column as a full parse", () => {
  const text = `[tool.ruff]\nx = 1\n[project.scripts]\nweb = = "a:b"\n`;
  assert.throws(() => parsePyProject(text), /^BuildpackError: pyproject\.toml:4:7: /);
});

Deno.test("parsePyProject() still reads a document the reduction gives up on", () => {
  assert.deepEqual(
    parsePyProject(`[tool.x]\ns = "a\\u005d"\n[project.scripts]\nweb = "a:b"\n`).scripts.map((s) =>
      s.name
    ),
    ["web"],
  );
});

Deno.test("parsePyProject() leaves syntax errors in tables it does not read to Poetry", () => {
  const text = `[tool.ruff]\nx = = 1\n[project.scripts]\nweb = "a:b"\n`;
  assert.deepEqual(parsePyProject(text).scripts.map((s) => s.name), ["web"]);
});
