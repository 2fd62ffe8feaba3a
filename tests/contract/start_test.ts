import assert from "node:assert/strict";
import { join } from "node:path";
import { denoTaskArgs } from "../../kit/paths.ts";
import { REPO_ROOT } from "../../kit/paths.ts";
import { tempDir } from "../../kit/files.ts";

async function start(args: string[], cwd = REPO_ROOT): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: denoTaskArgs("start", args),
    cwd,
    // A fresh shell: no INIT_CWD inherited from the `deno task test` running us.
    clearEnv: true,
    env: Object.fromEntries(
      ["PATH", "HOME", "DENO_DIR"].flatMap((k) => {
        const v = Deno.env.get(k);
        return v === undefined ? [] : [[k, v]];
      }),
    ),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

Deno.test("deno task start runs detect and build on the example app", async () => {
  const r = await start([]);
  assert.equal(r.code, 0, r.out);
  assert.match(
    r.out,
    /App: .*examples\/default_app \(the example app\)\nDetect: pass \(exit 0\)\n/,
  );
  assert.match(r.out, /Requires at launch: cpython, poetry, poetry-venv\n/);
  assert.match(r.out, /\n {4}web \(default\): \["poetry","run","web"\]\n/);
});

Deno.test("deno task start resolves the app dir from the caller and writes --env as platform env", async () => {
  await using app = await tempDir();
  await Deno.writeTextFile(
    join(app.path, "pyproject.toml"),
    `[project.scripts]\na = "x:y"\nb = "x:z"\n`,
  );
  const failed = await start(["."], app.path);
  assert.equal(failed.code, 100, failed.out);
  assert.match(failed.out, /Detect: fail \(exit 100\)\n.*none is named web, start, serve, server/);
  const r = await start([
    ".",
    "--env",
    "BP_POETRY_RUN_TARGET=b --flag 'x y'",
    "--env",
    "BP_LIVE_RELOAD_ENABLED=true",
  ], app.path);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /Requires at launch: cpython, poetry, poetry-venv, watchexec\n/);
  assert.match(
    r.out,
    /reload-web \(default\): \["watchexec","--restart","--watch",".*","--shell","none","--","poetry","run","b","--flag","x y"\]/,
  );
});

Deno.test("deno task start rejects bad usage with exit 2", async () => {
  assert.equal((await start(["--env", "NOEQUALS"])).code, 2);
  assert.equal((await start(["/does/not/exist"])).code, 2);
  assert.equal((await start(["--bogus"])).code, 2);
});

Deno.test("deno task start says what BP_POETRY_RUN_DIRECT=true would save, when it would", async () => {
  const r = await start([]);
  assert.equal(r.code, 0, r.out);
  assert.match(
    r.out,
    /\nWith BP_POETRY_RUN_DIRECT=true, web as \["web"\] would start without Poetry, and Poetry would stay out of the image \(.*\)\n$/,
  );
  const direct = await start(["--env", "BP_POETRY_RUN_DIRECT=true"]);
  assert.equal(direct.code, 0, direct.out);
  assert.match(direct.out, /Requires at launch: cpython, poetry-venv\n/);
  assert.match(direct.out, / {4}web \(default\): \["web"\]\n$/);
  assert.doesNotMatch(direct.out, /would start without Poetry/);
});

Deno.test("deno task start: no saving line when no process could start directly; a partial one otherwise", async () => {
  const none = await start([join(REPO_ROOT, "tests", "fixtures", "apps", "no_package_mode")]);
  assert.equal(none.code, 1, "[project.scripts] with package-mode = false cannot start either way");
  assert.doesNotMatch(none.out, /would start without Poetry/);
  await using app = await tempDir();
  await Deno.writeTextFile(
    join(app.path, "pyproject.toml"),
    `[project.scripts]\nstart = "a:b"\n[tool.poetry.scripts]\nlegacy = "a:c"\n`,
  );
  const partial = await start(["."], app.path);
  assert.equal(partial.code, 0, partial.out);
  assert.match(
    partial.out,
    /With BP_POETRY_RUN_DIRECT=true, web as \["start"\] would start without Poetry; other processes keep poetry run, so Poetry stays in the image\n$/,
  );
});

Deno.test("deno task start shows warnings where they were written, not after the result", async () => {
  await using app = await tempDir();
  await Deno.writeTextFile(
    join(app.path, "pyproject.toml"),
    `[project.scripts]\nweb = "a:b"\n[tool.poetry.scripts]\nweb = "a:c"\n`,
  );
  const r = await start(["."], app.path);
  assert.equal(r.code, 0, r.out);
  const title = r.out.indexOf("Paketo Buildpack for Poetry Run");
  const warning = r.out.indexOf(`Warning: pyproject.toml declares script "web" in both`, title);
  const table = r.out.indexOf("Assigning launch processes:");
  // Build warns after its title and before the process table, as it writes them.
  assert.ok(warning > title && warning < table, r.out);
});
