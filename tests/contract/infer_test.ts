/**
 * The inferred start command through the real entry point, run as the
 * lifecycle runs detect and build, with an earlier buildpack's venv (a
 * stand-in: the integration tests install the real packages).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SERVE_PY } from "../../src/python/_embedded.ts";
import { REFERENCE_PLAN } from "../_harness/helpers.ts";
import { earlierVenv } from "../../kit/earlier_layers.ts";
import { buildIn, detectIn, listedProcesses, type Workspace, workspace } from "../../kit/phase.ts";

const FLASK = "from flask import Flask\n\napp = Flask(__name__)\n";
const FASTAPI = "from fastapi import FastAPI\n\napp = FastAPI()\n";

async function app(ws: Workspace, deps: string[], files: Record<string, string>) {
  await Deno.writeTextFile(
    join(ws.app, "pyproject.toml"),
    `[project]\nname = "app"\nversion = "1"\ndependencies = ${JSON.stringify(deps)}\n`,
  );
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(ws.app, name), text);
  }
}

const processes = async (ws: Workspace) =>
  Object.fromEntries(
    listedProcesses(await Deno.readTextFile(join(ws.layers, "launch.toml"))).map((p) => [
      p.type,
      p.argv.join(" "),
    ]),
  );
const read = (path: string) => Deno.readTextFile(path).catch(() => undefined);

for (const api of ["0.7", "0.8", "0.12"] as const) {
  Deno.test(`detect (API ${api}) passes on a Flask app with gunicorn and writes the reference plan`, async () => {
    await using ws = await workspace(api);
    await app(ws, ["flask", "gunicorn"], { "app.py": FLASK });
    const r = await detectIn(ws, api);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "", "detect prints nothing at INFO");
    assert.equal(await Deno.readTextFile(ws.detectPlan), REFERENCE_PLAN);
  });
}

Deno.test("build: gunicorn serves the Flask app; PORT defaults to 8080 for web; the log says what, why and how to choose another", async () => {
  await using ws = await workspace();
  await app(ws, ["flask", "gunicorn"], { "app.py": FLASK });
  await earlierVenv(ws.layersRoot, {
    bins: { gunicorn: "#!/bin/sh\n" },
    dists: ["flask-3.1.0", "gunicorn-23.0.0"],
  });
  const r = await buildIn(ws);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(await processes(ws), { web: "poetry run gunicorn app:app" });
  const start = join(ws.layers, "start");
  assert.equal(await read(join(start, "env.launch", "web", "PORT.default")), "8080");
  assert.equal(await read(join(start, "env.launch", "PYTHONUNBUFFERED.default")), "1");
  assert.equal(await read(join(start, "serve.py")), undefined, "gunicorn reads PORT itself");
  assert.ok(
    r.stdout.includes(
      "  Assigning launch processes:\n    web (default): poetry run gunicorn app:app\n\n" +
        "  Start command poetry run gunicorn app:app is inferred: pyproject.toml has no script and BP_POETRY_RUN_TARGET is not set\n" +
        "    Flask app app at app.py:3\n" +
        "    served by gunicorn: [project.dependencies] gunicorn (no poetry.lock)\n" +
        "    listening on all interfaces, on $PORT (8080 when the platform sets none; gunicorn binds 0.0.0.0:$PORT by itself)\n" +
        "    To run something else, set BP_POETRY_RUN_TARGET, add a [project.scripts] entry or a Procfile web process; BP_POETRY_RUN_INFER=false turns inference off\n",
    ),
    r.stdout,
  );
  assert.match(r.stdout, /Configuring launch environment\n {4}PYTHONUNBUFFERED -> "1" \(default/);
});

Deno.test("build: uvicorn through serve.py, directly with BP_POETRY_RUN_DIRECT, wrapped by watchexec with live reload", async () => {
  await using ws = await workspace("0.12");
  await app(ws, ["fastapi", "uvicorn"], { "main.py": FASTAPI });
  await earlierVenv(ws.layersRoot, {
    bins: { uvicorn: "#!/bin/sh\n" },
    dists: ["fastapi-0.115.0", "uvicorn-0.30.0"],
  });
  const serve = join(ws.layers, "start", "serve.py");
  const bp = { BP_POETRY_RUN_DIRECT: "true", BP_LIVE_RELOAD_ENABLED: "true" };
  const r = await buildIn(ws, "0.12", bp);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(await processes(ws), {
    "reload-web":
      `watchexec --restart --watch ${ws.app} --shell none -- python ${serve} uvicorn main:app`,
    web: `python ${serve} uvicorn main:app`,
  });
  assert.equal(await read(serve), SERVE_PY);
  for (const type of ["web", "reload-web"]) {
    assert.equal(await read(join(ws.layers, "start", "env.launch", type, "PORT.default")), "8080");
  }
  const plan = await detectIn(ws, "0.12", bp);
  assert.equal(plan.code, 0);
  assert.doesNotMatch(await Deno.readTextFile(ws.detectPlan), /"poetry"/, "no Poetry at launch");
});

Deno.test("build fails in one line when the venv the earlier buildpacks made cannot run the inferred command", async () => {
  const cases: [Record<string, string>, string[], RegExp][] = [
    [
      {},
      ["flask-3.1.0"],
      /^The inferred start command runs gunicorn, but the launch PATH has no gunicorn \(\[project\.dependencies\] gunicorn \(no poetry\.lock\), yet the venv does not have it\); add gunicorn to the dependencies poetry-install installs, or set BP_POETRY_RUN_TARGET\n$/,
    ],
    [
      { gunicorn: "#!/bin/sh\n" },
      ["gunicorn-23.0.0"],
      /^app\.py:3: the Flask app app needs flask, which the venv at .* does not have; add flask to the dependencies poetry-install installs, or set BP_POETRY_RUN_TARGET\n$/,
    ],
  ];
  for (const [bins, dists, message] of cases) {
    await using ws = await workspace();
    await app(ws, ["flask", "gunicorn"], { "app.py": FLASK });
    await earlierVenv(ws.layersRoot, { bins, dists });
    const r = await buildIn(ws);
    assert.equal(r.code, 1);
    assert.match(r.stderr, message);
  }
  await using ws = await workspace();
  await app(ws, ["flask", "gunicorn"], {
    "app.py": "from flask import Flask\ndef create_app():\n    return Flask(__name__)\n",
  });
  await earlierVenv(ws.layersRoot, {
    bins: { gunicorn: "#!/bin/sh\n" },
    dists: ["flask-3.1.0", "gunicorn-19.9.0"],
  });
  const r = await buildIn(ws);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "gunicorn 19.9.0 cannot call the factory app:create_app (app.py:2); it needs gunicorn 20.1.0 or later: upgrade it, or set BP_POETRY_RUN_TARGET\n",
  );
});

Deno.test("detect: no certain command fails with 100 as without inference, and says why; DEBUG shows what was found", async () => {
  await using ws = await workspace();
  await app(ws, ["flask"], { "app.py": FLASK });
  const r = await detectIn(ws, "0.8", { BP_LOG_LEVEL: "DEBUG" });
  assert.equal(r.code, 100);
  assert.equal(
    r.stderr,
    "pyproject.toml has no script in [project.scripts] or [tool.poetry.scripts], and no start command can be inferred: Flask app app at app.py:3, but no production WSGI server (gunicorn, waitress) among the main dependencies: add gunicorn, or set BP_POETRY_RUN_TARGET\n",
  );
  assert.match(
    r.stdout,
    /found Flask app app at app\.py:3\n.*No start command inferred: Flask app/s,
  );
});

Deno.test("BP_POETRY_RUN_INFER=false: detect fails as without inference; a malformed value is an error", async () => {
  await using ws = await workspace();
  await app(ws, ["flask", "gunicorn"], { "app.py": FLASK });
  const off = await detectIn(ws, "0.8", { BP_POETRY_RUN_INFER: "false" });
  assert.equal(off.code, 100);
  assert.equal(
    off.stderr,
    "pyproject.toml has no script in [project.scripts] or [tool.poetry.scripts]; add one or set BP_POETRY_RUN_TARGET\n",
  );
  const bad = await detectIn(ws, "0.8", { BP_POETRY_RUN_INFER: "maybe" });
  assert.equal(bad.code, 1);
  assert.equal(
    bad.stderr,
    `failed to parse BP_POETRY_RUN_INFER value maybe: strconv.ParseBool: parsing "maybe": invalid syntax; set it to true or false\n`,
  );
  const scripted = await detectIn(ws, "0.8", {
    BP_POETRY_RUN_TARGET: "web",
    BP_POETRY_RUN_INFER: "maybe",
  });
  assert.equal(scripted.code, 0, "the switch is read only when a command would be inferred");
});

Deno.test("scripts keep priority over inference, and an empty script value is an error or a warning", async () => {
  await using ws = await workspace();
  await app(ws, ["flask", "gunicorn"], { "app.py": FLASK });
  await Deno.writeTextFile(
    join(ws.app, "pyproject.toml"),
    `${await Deno.readTextFile(
      join(ws.app, "pyproject.toml"),
    )}[project.scripts]\nweb = "app:main"\npoetry = ""\n`,
  );
  const r = await buildIn(ws);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await processes(ws), { web: "poetry run web" });
  assert.equal(
    r.stderr,
    `Warning: pyproject.toml [project.scripts] "poetry" is empty, so it gets no process type (its console script could not start); set it to "package.module:function" or remove it\n`,
  );
  assert.equal(
    await read(join(ws.layers, "start", "env.launch", "web", "PORT.default")),
    undefined,
  );
});
