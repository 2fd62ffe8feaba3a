import assert from "node:assert/strict";
import { BuildpackError } from "../../src/cnb/errors.ts";
import { parsePyProject } from "../../src/poetry/pyproject.ts";

const names = (text: string): string[] => parsePyProject(text).scripts.map((s) => s.name);

// Ported from the reference's pyprojectparser_test.go, as behaviour.
Deno.test("parsePyProject() returns the single [tool.poetry.scripts] script (reference case)", () => {
  const project = parsePyProject(
    `[tool.poetry.scripts]\nsome-script = "some.module:some_method"\n`,
  );
  assert.deepEqual(project.scripts, [
    {
      name: "some-script",
      table: "tool.poetry.scripts",
      reference: "some.module:some_method",
      form: "string",
    },
  ]);
});

Deno.test("parsePyProject() returns every script when there are several (reference returned none)", () => {
  assert.deepEqual(names(`[tool.poetry.scripts]\na = "m:a"\nb = "m:b"\n`), ["a", "b"]);
});

Deno.test("parsePyProject() has no scripts for a project without script tables (reference case)", () => {
  assert.deepEqual(names(`[tool.poetry]\nname = "app"\n`), []);
  assert.deepEqual(names(""), []);
});

Deno.test("parsePyProject() rejects a script table that is an array (reference: incompatible types)", () => {
  assert.throws(
    () => parsePyProject(`[tool.poetry]\nscripts = [ "a value", "another" ]\n`),
    (e: unknown) => {
      assert.ok(e instanceof BuildpackError);
      assert.equal(
        e.message,
        'pyproject.toml: [tool.poetry.scripts] must be a table of name = "module:function" entries, but it is an array; fix or remove it',
      );
      return true;
    },
  );
});

Deno.test("parsePyProject() reads [project.scripts] (PEP 621, Poetry 2)", () => {
  const project = parsePyProject(
    `[project]\nname = "app"\n[project.scripts]\nserve = "app.main:run"\n`,
  );
  assert.deepEqual(project.scripts, [
    { name: "serve", table: "project.scripts", reference: "app.main:run", form: "string" },
  ]);
});

Deno.test("parsePyProject() accepts every [tool.poetry.scripts] form Poetry accepts", () => {
  const project = parsePyProject(`
[tool.poetry.scripts]
plain = "pkg.mod:func"
legacy = { callable = "pkg.mod:legacy", extras = ["x"] }
console = { reference = "pkg.mod:console", type = "console" }
tool = { reference = "bin/tool.sh", type = "file" }
`);
  assert.deepEqual(project.scripts.map((s) => [s.name, s.form, s.reference]), [
    ["plain", "string", "pkg.mod:func"],
    ["legacy", "callable", "pkg.mod:legacy"],
    ["console", "reference", "pkg.mod:console"],
  ]);
  assert.deepEqual(project.fileScripts, ["tool"]);
});

Deno.test("parsePyProject() lets [project.scripts] win a name declared in both tables", () => {
  const project = parsePyProject(`
[project.scripts]
web = "new.app:main"
[tool.poetry.scripts]
web = "old.app:main"
worker = "old.app:work"
`);
  assert.deepEqual(project.scripts.map((s) => [s.name, s.table, s.reference]), [
    ["web", "project.scripts", "new.app:main"],
    ["worker", "tool.poetry.scripts", "old.app:work"],
  ]);
  assert.deepEqual(project.conflicts, ["web"]);
});

Deno.test("parsePyProject() reads package-mode, default true", () => {
  assert.equal(parsePyProject("").packageMode, true);
  assert.equal(parsePyProject("[tool.poetry]\npackage-mode = false\n").packageMode, false);
  assert.throws(
    () => parsePyProject(`[tool.poetry]\npackage-mode = "no"\n`),
    /package-mode must be true or false, but it is a string/,
  );
});

Deno.test("parsePyProject() reports malformed TOML as pyproject.toml:LINE:COL", () => {
  assert.throws(
    () => parsePyProject(`[tool.poetry]\nname = "x"\nscripts = = 1\n`),
    (e: unknown) => {
      assert.ok(e instanceof BuildpackError);
      assert.match(e.message, /^pyproject\.toml:3:11: invalid value; fix the TOML syntax$/);
      assert.ok(!e.message.includes("\n"), "one line");
      return true;
    },
  );
});

Deno.test("parsePyProject() accepts a leading byte-order mark", () => {
  assert.deepEqual(names(`\uFEFF[project.scripts]\nweb = "a:b"\n`), ["web"]);
});

Deno.test("parsePyProject() rejects [project.scripts] that is not a table", () => {
  assert.throws(
    () => parsePyProject(`[project]\nscripts = "web"\n`),
    /\[project\.scripts\] must be a table .* but it is a string/,
  );
});

Deno.test("parsePyProject() rejects script values of the wrong type, naming the script", () => {
  assert.throws(
    () => parsePyProject(`[project.scripts]\nweb = { reference = "a:b" }\n`),
    /\[project\.scripts\] "web" must be a string .* but it is a table/,
  );
  assert.throws(
    () => parsePyProject(`[tool.poetry.scripts]\nweb = 3\n`),
    /\[tool\.poetry\.scripts\] "web" must be a string .* but it is a number/,
  );
  assert.throws(
    () => parsePyProject(`[tool.poetry.scripts]\nweb = ["a:b"]\n`),
    /"web" must be a string .* but it is an array/,
  );
  assert.throws(
    () => parsePyProject(`[tool.poetry.scripts]\nweb = { extras = ["x"] }\n`),
    /"web" must have a string "reference" or "callable" key/,
  );
  assert.throws(
    () => parsePyProject(`[tool.poetry.scripts]\nweb = { reference = "a:b", type = "gui" }\n`),
    /"web" has type = "gui"; use "console" or "file"/,
  );
});

Deno.test("parsePyProject() survives 10,000 levels of nesting with a clear error", () => {
  const deep = `x = ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`;
  assert.throws(() => parsePyProject(deep), (e: unknown) => {
    assert.ok(e instanceof BuildpackError);
    assert.match(e.message, /^pyproject\.toml:1:\d+: .*nested/);
    return true;
  });
});

Deno.test("parsePyProject() handles a 10 MB file", () => {
  const filler = Array.from({ length: 250_000 }, (_, i) => `k${i} = "${"v".repeat(33)}"`).join(
    "\n",
  );
  const text = `[tool.other]\n${filler}\n[project.scripts]\nweb = "app:main"\n`;
  assert.ok(text.length > 10_000_000);
  assert.deepEqual(names(text), ["web"]);
});

Deno.test("parsePyProject() parses the whole file: a syntax error in a table it does not read is reported", () => {
  assert.throws(
    () => parsePyProject(`[project.scripts]\nweb = "a:b"\n\n[tool.black]\nline-length = = 88\n`),
    (e: unknown) =>
      e instanceof BuildpackError &&
      /^pyproject\.toml:5:\d+: .*; fix the TOML syntax$/.test(e.message),
  );
});

Deno.test("parsePyProject() rejects a no-break space before a header instead of dropping the table", () => {
  // The section scanner used to skip such a table and choose another script.
  const text = `[tool.poetry.scripts]\nworker = "a:w"\n\u00a0[project.scripts]\nweb = "a:b"\n`;
  assert.throws(() => parsePyProject(text), /^BuildpackError: pyproject\.toml:3:\d+: /);
});

Deno.test("parsePyProject() keeps the file's order, but integer-like names first in numeric order", () => {
  assert.deepEqual(names(`[project.scripts]\nweb = "a:b"\n"2" = "a:c"\n"1" = "a:d"\n`), [
    "1",
    "2",
    "web",
  ]);
  assert.deepEqual(
    names(`[project]\nscripts = { b = "x:y", "10" = "x:z", a = "x:w", "3" = "x:v" }\n`),
    ["3", "10", "b", "a"],
  );
  assert.deepEqual(
    names(
      `project.scripts.z = "a:b"\nproject.scripts."7" = "a:c"\n[tool.poetry.scripts."5"]\ncallable = "a:d"\n[tool.poetry.scripts.q]\ncallable = "a:e"\n`,
    ),
    ["7", "z", "5", "q"],
  );
});

Deno.test("parsePyProject() refuses a script with an empty name", () => {
  for (const table of ["project.scripts", "tool.poetry.scripts"]) {
    assert.throws(
      () => parsePyProject(`[${table}]\n"" = "a:b"\n`),
      (e: unknown) =>
        e instanceof BuildpackError &&
        e.message ===
          `pyproject.toml: [${table}] has a script with an empty name ("" = ...); give it a name`,
    );
  }
});
