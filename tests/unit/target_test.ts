import assert from "node:assert/strict";
import { BuildpackError } from "../../src/cnb/errors.ts";
import { parsePyProject } from "../../src/poetry/pyproject.ts";
import { hasTargetOverride, targetFromEnv, targetFromScripts } from "../../src/poetry/target.ts";

const choose = (text: string) => targetFromScripts(parsePyProject(text));

Deno.test("hasTargetOverride() treats unset and blank as no override", () => {
  assert.equal(hasTargetOverride(undefined), false);
  assert.equal(hasTargetOverride(""), false);
  assert.equal(hasTargetOverride(" \t\n"), false);
  assert.equal(hasTargetOverride("x"), true);
});

Deno.test("targetFromEnv() splits with shell rules (reference split on single spaces)", () => {
  assert.deepEqual(targetFromEnv("a custom command").argv, ["a", "custom", "command"]);
  assert.deepEqual(targetFromEnv("'my script'").argv, ["my script"]);
  assert.deepEqual(targetFromEnv(`gunicorn -b "0.0.0.0:8080"  app:app`).argv, [
    "gunicorn",
    "-b",
    "0.0.0.0:8080",
    "app:app",
  ]);
});

Deno.test("targetFromEnv() names the variable and column of an unterminated quote", () => {
  assert.throws(() => targetFromEnv(`gunicorn "app`), (e: unknown) => {
    assert.ok(e instanceof BuildpackError);
    assert.equal(
      e.message,
      "BP_POETRY_RUN_TARGET has an unterminated double quote at column 10: close the quote, or escape it with a backslash",
    );
    return true;
  });
});

Deno.test("targetFromScripts() picks the only script, keeping spaces in one argument", () => {
  const t = choose(`[tool.poetry.scripts]\n"my script" = "a:b"\n`);
  assert.ok(!("reason" in t));
  assert.deepEqual(t.argv, ["my script"]);
  assert.equal(t.source, "single-script");
});

Deno.test("targetFromScripts() prefers web, start, serve, server in that order", () => {
  const pick = (names: string[]) => {
    const t = choose(`[project.scripts]\n${names.map((n) => `${n} = "a:b"`).join("\n")}\n`);
    return "reason" in t ? t.reason : t.argv.join(" ");
  };
  assert.equal(pick(["worker", "server", "start"]), "start");
  assert.equal(pick(["server", "serve"]), "serve");
  assert.equal(pick(["server", "web", "start"]), "web");
  assert.equal(pick(["migrate", "server"]), "server");
});

Deno.test("targetFromScripts() explains several unconventional scripts", () => {
  const t = choose(`[project.scripts]\nmigrate = "a:b"\nworker = "a:c"\n`);
  assert.ok("reason" in t);
  assert.equal(
    t.reason,
    'pyproject.toml has 2 scripts ("migrate", "worker") and none is named web, start, serve, server; set BP_POETRY_RUN_TARGET to the one to run',
  );
});

Deno.test("targetFromScripts() explains zero scripts, mentioning file scripts", () => {
  const none = choose(`[tool.poetry]\nname = "x"\n`);
  assert.ok("reason" in none);
  assert.match(
    none.reason,
    /has no script in \[project\.scripts\] or \[tool\.poetry\.scripts\]; add one or set BP_POETRY_RUN_TARGET/,
  );
  const files = choose(`[tool.poetry.scripts]\ntool = { reference = "bin/t.sh", type = "file" }\n`);
  assert.ok("reason" in files);
  assert.match(files.reason, /type = "file" entries "tool" cannot be run by poetry run/);
});

Deno.test("targetFromEnv() refuses a target with no words or an empty first word", () => {
  for (const value of ["''", '""', "\\\n", "'' web"]) {
    assert.throws(() => targetFromEnv(value), (e: unknown) =>
      e instanceof BuildpackError &&
      /^BP_POETRY_RUN_TARGET (has no words|starts with an empty word)/.test(e.message), value);
  }
  // An empty word later is an empty argument, as in a shell.
  assert.deepEqual(targetFromEnv("web ''").argv, ["web", ""]);
});

Deno.test("targetFromEnv() says what is wrong with a trailing backslash, not to close a quote", () => {
  assert.throws(() => targetFromEnv("web \\"), (e: unknown) =>
    e instanceof BuildpackError &&
    e.message ===
      "BP_POETRY_RUN_TARGET ends with a backslash that escapes nothing at column 5: remove it, or write \\\\ for a backslash");
});
