import assert from "node:assert/strict";
import { poetryBuild as build, type PoetryBuildContext } from "../../src/poetry/build.ts";
import type { BuildpackInfo } from "../../src/cnb/buildpack_toml.ts";
import { BuildpackError } from "../../src/cnb/errors.ts";
import { parsePyProject, type PyProject } from "../../src/poetry/pyproject.ts";
import { recordingLogger } from "../_harness/helpers.ts";
import { poetryDetect as detect } from "../../src/poetry/detect.ts";

const INFO: BuildpackInfo = {
  api: "0.8",
  id: "paketo-buildpacks/poetry-run",
  name: "Paketo Buildpack for Poetry Run",
  version: "1.2.3",
};

function context(
  opts: {
    target?: string;
    liveReload?: string;
    direct?: string;
    pyproject?: string | null;
    debug?: boolean;
  },
) {
  const rec = recordingLogger(opts.debug ?? false);
  let loads = 0;
  const ctx: PoetryBuildContext = {
    appDir: "/workspace",
    buildpack: INFO,
    env: (name: string) =>
      ({
        BP_POETRY_RUN_TARGET: opts.target,
        BP_LIVE_RELOAD_ENABLED: opts.liveReload,
        BP_POETRY_RUN_DIRECT: opts.direct,
      } as Record<string, string | undefined>)[name],
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

/** Whether detect, on the same inputs, requires poetry at launch (what build's processes need). */
async function poetryAtLaunch(opts: Parameters<typeof context>[0]): Promise<boolean> {
  const detected = await detect(context(opts).ctx);
  return detected.pass && detected.plan.requires.some((r) => r.name === "poetry");
}

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
    /\n\n {2}Start command poetry run gunicorn 'app:create\(\)' comes from BP_POETRY_RUN_TARGET\n\n$/,
  );
  const one = context({ pyproject: `[project.scripts]\nserve = "a:b"\n` });
  await build(one.ctx);
  assert.match(
    one.out(),
    /Start command poetry run serve runs the only script in pyproject\.toml \[project\.scripts\]\n\n$/,
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

Deno.test("build() fails for a [project.scripts] target with package-mode = false: it can never start", async () => {
  const { ctx } = context({
    pyproject: `[tool.poetry]\npackage-mode = false\n[project.scripts]\nweb = "a:b"\n`,
  });
  await assert.rejects(build(ctx), (e: unknown) =>
    e instanceof BuildpackError &&
    e.message ===
      `pyproject.toml [project.scripts] "web" cannot be started by poetry run: Poetry installs no ` +
        `scripts with package-mode = false, so "web" is not in the venv, and "poetry run web" fails ` +
        `with "Command not found"; remove package-mode = false so that Poetry installs the project`);
});

Deno.test("build() warns for every process, not only web: extra [project.scripts] with package-mode = false", async () => {
  const { ctx, err } = context({
    pyproject: `[tool.poetry]\npackage-mode = false\n[project.scripts]\nworker = "a:w"\n` +
      `[tool.poetry.scripts]\nweb = "a:b"\nlegacy = { reference = "a:c" }\n`,
  });
  const { processes } = await build(ctx);
  assert.deepEqual(processes.map((p) => [p.type, ...argvOf(p)]), [["web", "poetry", "run", "web"]]);
  const lines = err().trimEnd().split("\n");
  assert.deepEqual(
    lines.map((l) => l.slice(0, 80)),
    [
      `Warning: pyproject.toml [project.scripts] "worker" gets no process type: it cannot be started b`,
      `Warning: pyproject.toml [tool.poetry.scripts] "legacy" gets no process type: it cannot be starte`,
      `Warning: Poetry installs no scripts with package-mode = false, so "web" is not in the venv: pypr`,
    ].map((l) => l.slice(0, 80)),
  );
  assert.match(lines[0] ?? "", /"poetry run worker" fails with "Command not found"/);
  assert.match(lines[1] ?? "", /KeyError 'callable'/);
  assert.match(lines[2] ?? "", /runs through Poetry's deprecated path for uninstalled scripts/);
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
  assert.equal(
    err(),
    `Warning: pyproject.toml [tool.poetry.scripts] "web" is a { reference = ... } entry, which ` +
      `"poetry run web" cannot start (Poetry fails with KeyError 'callable'); set ` +
      `BP_POETRY_RUN_DIRECT=true to start the installed script directly, move it to ` +
      `[project.scripts] as web = "app.main:run", or set BP_POETRY_RUN_TARGET\n`,
  );
  const legacy = context({
    pyproject: `[tool.poetry.scripts]\nweb = { callable = "app.main:run" }\n`,
  });
  await build(legacy.ctx);
  assert.equal(legacy.err(), "");
});

Deno.test("build() with BP_POETRY_RUN_DIRECT unset or false is exactly as without it", async () => {
  const pyproject = `[tool.poetry.scripts]\n"my script" = "default_app.server:run"\n`;
  const plain = await build(context({ pyproject }).ctx);
  for (const direct of ["false", "0", "F"]) {
    const c = context({ pyproject, direct });
    const r = await build(c.ctx);
    assert.deepEqual(r.processes, plain.processes);
    assert.equal(await poetryAtLaunch({ pyproject, direct }), true);
    assert.doesNotMatch(c.out(), /BP_POETRY_RUN_DIRECT/);
  }
});

Deno.test("build() with BP_POETRY_RUN_DIRECT=true starts the installed script itself", async () => {
  const opts = { direct: "true", pyproject: `[tool.poetry.scripts]\n"my script" = "a:b"\n` };
  const c = context(opts);
  const r = await build(c.ctx);
  assert.deepEqual(r.processes, [{ type: "web", command: "my script", args: [], default: true }]);
  assert.equal(await poetryAtLaunch(opts), false);
  assert.ok(
    c.out().includes(
      "  Assigning launch processes:\n    web (default): my script\n\n" +
        "  Start command 'my script' runs the only script in pyproject.toml [tool.poetry.scripts]\n" +
        "  BP_POETRY_RUN_DIRECT: web starts directly (the venv's bin/ is first on the launch PATH)\n",
    ),
    c.out(),
  );
});

Deno.test("build() with BP_POETRY_RUN_DIRECT and BP_POETRY_RUN_TARGET: the words are the command", async () => {
  const c = context({ direct: "1", target: `gunicorn -b 0.0.0.0:8080 "app:create_app()"` });
  const r = await build(c.ctx);
  assert.deepEqual(r.processes.map(argvOf), [[
    "gunicorn",
    "-b",
    "0.0.0.0:8080",
    "app:create_app()",
  ]]);
  assert.equal(c.loads(), 1, "reads pyproject.toml to know what Poetry installs");
});

Deno.test("build() with BP_POETRY_RUN_DIRECT and live reload wraps the direct command", async () => {
  const c = context({
    direct: "true",
    liveReload: "true",
    pyproject: `[project.scripts]\nweb = "a:b"\n`,
  });
  const r = await build(c.ctx);
  assert.deepEqual(r.processes.map((p) => [p.type, p.default, ...argvOf(p)]), [
    [
      "reload-web",
      true,
      "watchexec",
      "--restart",
      "--watch",
      "/workspace",
      "--shell",
      "none",
      "--",
      "web",
    ],
    ["web", false, "web"],
  ]);
  assert.match(c.out(), /BP_POETRY_RUN_DIRECT: reload-web, web start directly/);
});

Deno.test("build() with BP_POETRY_RUN_DIRECT: extra scripts start directly too, or keep poetry run", async () => {
  const opts = {
    direct: "true",
    pyproject: `[project.scripts]\nstart = "a:b"\nworker = "a:c"\n` +
      `[tool.poetry.scripts]\nlegacy = "a:d"\n`,
  };
  const c = context(opts);
  const r = await build(c.ctx);
  assert.deepEqual(r.processes.map((p) => [p.type, ...argvOf(p)]), [
    ["web", "start"],
    ["worker", "worker"],
    ["legacy", "poetry", "run", "legacy"],
  ]);
  assert.equal(await poetryAtLaunch(opts), true);
  assert.match(
    c.out(),
    /\n {2}BP_POETRY_RUN_DIRECT: web, worker start directly \(the venv's bin\/ is first on the launch PATH\); legacy keeps poetry run: Poetry does not install \[tool\.poetry\.scripts\] "legacy" because \[project\.scripts\] has entries\n/,
  );
});

Deno.test("build() with BP_POETRY_RUN_DIRECT: an uninstalled [tool.poetry.scripts] target keeps poetry run", async () => {
  const opts = {
    direct: "true",
    pyproject: `[tool.poetry]\npackage-mode = false\n[tool.poetry.scripts]\nweb = "a:b"\n`,
  };
  const c = context(opts);
  const r = await build(c.ctx);
  assert.deepEqual(r.processes.map(argvOf), [["poetry", "run", "web"]]);
  assert.equal(await poetryAtLaunch(opts), true);
  assert.match(c.out(), /BP_POETRY_RUN_DIRECT: web keeps poetry run: Poetry installs no scripts/);
  assert.match(c.err(), /deprecated path for uninstalled scripts/);
});

Deno.test("build() with BP_POETRY_RUN_DIRECT fails for [project.scripts] with package-mode = false", async () => {
  const c = context({
    direct: "true",
    pyproject: `[project.scripts]\nweb = "a:b"\n[tool.poetry]\npackage-mode = false\n`,
  });
  await assert.rejects(build(c.ctx), (e: unknown) =>
    e instanceof BuildpackError &&
    e.message ===
      `pyproject.toml [project.scripts] "web" cannot be started directly or by poetry run: Poetry installs no ` +
        `scripts with package-mode = false, so "web" is not in the venv, and "poetry run web" fails ` +
        `with "Command not found"; remove package-mode = false so that Poetry installs the project`);
});

Deno.test("build() with BP_POETRY_RUN_DIRECT starts a { reference } script that poetry run cannot", async () => {
  const c = context({
    direct: "true",
    pyproject: `[tool.poetry.scripts]\nweb = { reference = "a:b", type = "console" }\n`,
  });
  const r = await build(c.ctx);
  assert.deepEqual(r.processes.map(argvOf), [["web"]]);
  assert.equal(c.err(), "", "no warning: the direct start works");
});

Deno.test("build() with BP_POETRY_RUN_DIRECT skips, with a warning, an extra script that cannot start", async () => {
  const c = context({
    direct: "true",
    pyproject:
      `[project.scripts]\nstart = "a:b"\n[tool.poetry.scripts]\nref = { reference = "a:c" }\n`,
  });
  const r = await build(c.ctx);
  assert.deepEqual(r.processes.map((p) => p.type), ["web"]);
  assert.match(
    c.err(),
    /^Warning: pyproject\.toml \[tool\.poetry\.scripts\] "ref" gets no process type: it cannot be started directly or by poetry run: .*KeyError 'callable'/m,
  );
});

Deno.test("build() rejects an invalid BP_POETRY_RUN_DIRECT", async () => {
  await assert.rejects(
    build(context({ direct: "yes", target: "web" }).ctx),
    /failed to parse BP_POETRY_RUN_DIRECT value yes: .*; set it to true or false/,
  );
});
