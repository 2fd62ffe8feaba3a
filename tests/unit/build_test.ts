import assert from "node:assert/strict";
import { build, type BuildContext } from "../../src/poetry/build.ts";
import type { BuildpackInfo } from "../../src/cnb/buildpack_toml.ts";
import { BuildpackError } from "../../src/cnb/errors.ts";
import { parsePyProject, type PyProject } from "../../src/poetry/pyproject.ts";
import { recordingLogger } from "../_helpers.ts";

const INFO: BuildpackInfo = {
  api: "0.8",
  id: "paketo-buildpacks/poetry-run",
  name: "Paketo Buildpack for Poetry Run",
  version: "1.2.3",
};

function context(
  opts: { target?: string; liveReload?: string; pyproject?: string | null; debug?: boolean },
) {
  const rec = recordingLogger(opts.debug ?? false);
  let loads = 0;
  const ctx: BuildContext = {
    appDir: "/workspace",
    buildpack: INFO,
    target: opts.target,
    liveReload: opts.liveReload,
    logger: rec.logger,
    loadPyProject: (): Promise<PyProject | null> => {
      loads++;
      const text = opts.pyproject ?? null;
      return Promise.resolve(text === null ? null : parsePyProject(text));
    },
  };
  return { ctx, out: rec.out, err: rec.err, loads: () => loads };
}

const argvOf = (p: { command: string; args: readonly string[] }) => [p.command, ...p.args];

// Ported from the reference's build_test.go, as behaviour.
Deno.test("build() runs BP_POETRY_RUN_TARGET words (reference case 'a custom command')", async () => {
  const { ctx, loads } = context({ target: "a custom command" });
  const { processes } = await build(ctx);
  assert.deepEqual(processes, [
    { type: "web", command: "poetry", args: ["run", "a", "custom", "command"], default: true },
  ]);
  assert.equal(loads(), 0);
});

Deno.test("build() runs the pyproject.toml script (reference case)", async () => {
  const { ctx, out } = context({
    pyproject: `[tool.poetry.scripts]\n"my script" = "default_app.server:run"\n`,
  });
  const { processes } = await build(ctx);
  assert.deepEqual(processes.map(argvOf), [["poetry", "run", "my script"]]);
  assert.ok(
    out().startsWith(
      "Paketo Buildpack for Poetry Run 1.2.3\n" +
        "  Assigning launch processes:\n" +
        "    web (default): poetry run my script\n" +
        "\n",
    ),
    out(),
  );
});

Deno.test("build() with live reload gives reload-web (default) then web (reference case)", async () => {
  const { ctx, out } = context({
    liveReload: "true",
    pyproject: `[tool.poetry.scripts]\n"my script" = "a:b"\n`,
  });
  const { processes } = await build(ctx);
  assert.deepEqual(processes, [
    {
      type: "reload-web",
      command: "watchexec",
      args: [
        "--restart",
        "--watch",
        "/workspace",
        "--shell",
        "none",
        "--",
        "poetry",
        "run",
        "my script",
      ],
      default: true,
    },
    { type: "web", command: "poetry", args: ["run", "my script"], default: false },
  ]);
  assert.ok(
    out().includes(
      "  Assigning launch processes:\n" +
        "    reload-web (default): watchexec --restart --watch /workspace --shell none -- poetry run my script\n" +
        "    web:                  poetry run my script\n" +
        "\n",
    ),
    out(),
  );
});

Deno.test("build() errors on an unparsable BP_LIVE_RELOAD_ENABLED (reference case)", async () => {
  await assert.rejects(() => build(context({ target: "x", liveReload: "hi" }).ctx), {
    message:
      'failed to parse BP_LIVE_RELOAD_ENABLED value hi: strconv.ParseBool: parsing "hi": invalid syntax',
  });
});

Deno.test("build() prints debug lines only with debug on (reference format)", async () => {
  const dbg = context({ target: "my-target", debug: true });
  await build(dbg.ctx);
  assert.ok(
    dbg.out().includes(
      "  Finding the poetry run target\n    Found BP_POETRY_RUN_TARGET=my-target\n",
    ),
  );
  const info = context({ target: "my-target" });
  await build(info.ctx);
  assert.ok(!info.out().includes("Finding"));
  const script = context({ pyproject: `[project.scripts]\nweb = "a:b"\n`, debug: true });
  await build(script.ctx);
  assert.ok(script.out().includes("    Found pyproject.toml script=web\n"));
});

Deno.test("build() says which target it chose and why, after the process table", async () => {
  const env = context({ target: `gunicorn "app:create()"` });
  await build(env.ctx);
  assert.match(
    env.out(),
    /\n\n {2}Start command poetry run gunicorn 'app:create\(\)' comes from BP_POETRY_RUN_TARGET\n$/,
  );
  const one = context({ pyproject: `[project.scripts]\nserve = "a:b"\n` });
  await build(one.ctx);
  assert.match(
    one.out(),
    /Start command poetry run serve runs the only script in pyproject\.toml \[project\.scripts\]\n$/,
  );
  const conv = context({ pyproject: `[project.scripts]\nworker = "a:b"\nstart = "a:c"\n` });
  await build(conv.ctx);
  assert.match(
    conv.out(),
    /runs "start" from pyproject\.toml \[project\.scripts\], the first of web, start, serve, server among 2 scripts/,
  );
});

Deno.test("build() adds each other script as a non-default process, skipping invalid names", async () => {
  const { ctx, err } = context({
    pyproject:
      `[project.scripts]\nworker = "a:w"\nstart = "a:s"\n"bad name" = "a:b"\n"reload-web" = "a:r"\nmigrate = "a:m"\n`,
  });
  const { processes } = await build(ctx);
  assert.deepEqual(processes.map((p) => [p.type, p.default, ...argvOf(p)]), [
    ["web", true, "poetry", "run", "start"],
    ["worker", false, "poetry", "run", "worker"],
    ["migrate", false, "poetry", "run", "migrate"],
  ]);
  assert.match(err(), /script "bad name" gets no process type of its own/);
  assert.match(err(), /script "reload-web" gets no process type of its own/);
});

Deno.test("build() gives single-script projects exactly the reference's processes", async () => {
  const { ctx } = context({ pyproject: `[project.scripts]\nworker = "a:w"\n` });
  assert.deepEqual((await build(ctx)).processes.map((p) => p.type), ["web"]);
});

Deno.test("build() warns about [project.scripts] with package-mode = false", async () => {
  const { ctx, err } = context({
    pyproject: `[tool.poetry]\npackage-mode = false\n[project.scripts]\nweb = "a:b"\n`,
  });
  await build(ctx);
  assert.match(
    err(),
    /package-mode = false, so Poetry does not install \[project\.scripts\] "web" .*Command not found/,
  );
});

Deno.test("build() warns about [tool.poetry.scripts] with package-mode = false", async () => {
  const { ctx, err } = context({
    pyproject: `[tool.poetry]\npackage-mode = false\n[tool.poetry.scripts]\nweb = "a:b"\n`,
  });
  await build(ctx);
  assert.match(err(), /deprecated path for uninstalled scripts/);
});

Deno.test("build() fails clearly when no target can be chosen (reference wrote 'poetry run \"\"')", async () => {
  await assert.rejects(
    () => build(context({ pyproject: `[project.scripts]\na = "x:y"\nb = "x:z"\n` }).ctx),
    BuildpackError,
  );
  await assert.rejects(
    () => build(context({ pyproject: null }).ctx),
    /No pyproject\.toml in the app directory/,
  );
});

Deno.test("build() title has no trailing space when the version is not stamped", async () => {
  const { ctx, out } = context({ target: "x" });
  await build({ ...ctx, buildpack: { ...INFO, version: "" } });
  assert.ok(out().startsWith("Paketo Buildpack for Poetry Run\n"));
});

Deno.test("build() passes on a loader error unchanged (reference: parser error is returned)", async () => {
  const { ctx } = context({});
  await assert.rejects(
    () => build({ ...ctx, loadPyProject: () => Promise.reject(new Error("some error")) }),
    /some error/,
  );
});

Deno.test("build() warns that poetry run cannot start a { reference } [tool.poetry.scripts] entry", async () => {
  const { ctx, err } = context({
    pyproject: `[tool.poetry.scripts]\nweb = { reference = "app.main:run", type = "console" }\n`,
  });
  const { processes } = await build(ctx);
  assert.deepEqual(processes.map(argvOf), [["poetry", "run", "web"]]);
  assert.match(
    err(),
    /\{ reference = \.\.\. \}, which "poetry run web" cannot start \(Poetry fails with KeyError 'callable'\); move it to \[project\.scripts\] as web = "app\.main:run"/,
  );
  const legacy = context({
    pyproject: `[tool.poetry.scripts]\nweb = { callable = "app.main:run" }\n`,
  });
  await build(legacy.ctx);
  assert.equal(legacy.err(), "");
});
