/**
 * Web apps with no script, their dependencies real packages from PyPI synced
 * by the poetry-install stand-in (real Poetry), built by the real lifecycle
 * and started by the real launcher: the inferred command serves HTTP 200 on
 * the PORT the platform sets, and where none is set on 8080 on all interfaces.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fixtureCopy } from "../../kit/fixtures.ts";
import { DEFAULT_PORT, listeningOn } from "../../kit/http.ts";
import { httpBody, launch } from "../../kit/launcher.ts";
import { launchRequirements, lifecycleBuild } from "../../kit/lifecycle.ts";
import { listedProcesses } from "../../kit/phase.ts";
import { PYTHON_ORDER } from "../../kit/providers.ts";
import { integrationTest } from "../_harness/suites.ts";

interface Case {
  readonly fixture: string;
  /** The fixture with other dependencies (`[project] dependencies`), and the test's name for it. */
  readonly dependencies?: readonly [string, readonly string[]];
  readonly web: RegExp;
  readonly body: RegExp;
  readonly log: RegExp;
}

const CASES: readonly Case[] = [
  {
    fixture: "flask_gunicorn",
    web: /^poetry run gunicorn app:app$/,
    body: /^hello from flask/,
    log:
      /Flask app app at app\.py:6\n {4}served by gunicorn: poetry\.lock: gunicorn \S+ \(main\)\n/,
  },
  {
    fixture: "fastapi_uvicorn",
    web: /^poetry run python \S+\/start\/serve\.py uvicorn app\.main:app$/,
    body: /^hello from fastapi/,
    log: /FastAPI app app at app\/main\.py:7\n {4}served by uvicorn: poetry\.lock: uvicorn \S+/,
  },
  {
    fixture: "django_gunicorn",
    web: /^poetry run gunicorn mysite\.wsgi:application$/,
    body: /^hello from django/,
    log:
      /Django project mysite\.settings, WSGI application mysite\.wsgi\.application at mysite\/wsgi\.py:6 \(WSGI_APPLICATION in mysite\/settings\.py:8\)/,
  },
  {
    fixture: "django_gunicorn",
    dependencies: ["django_daphne", ["django>=4.2", "daphne>=4"]],
    web: /^poetry run python \S+\/start\/serve\.py daphne mysite\.asgi:application$/,
    body: /^hello from django/,
    log:
      /Django project mysite\.settings, ASGI application mysite\.asgi\.application at mysite\/asgi\.py:6 \(startproject's asgi\.py\)\n {4}served by daphne: poetry\.lock: daphne \S+ \(main\)\n/,
  },
  {
    fixture: "flask_factory",
    web: /^poetry run gunicorn shop:create_app\(\)$/,
    body: /^hello from the shop factory/,
    log: /Flask factory create_app at src\/shop\/__init__\.py:5\n/,
  },
  {
    fixture: "dash_gunicorn",
    web: /^poetry run gunicorn app:server$/,
    body: /^hello from dash/,
    log: /Dash app server at app\.py:7 \(the Flask server of Dash app app \(line 6\)\)\n/,
  },
];

for (const c of CASES) {
  integrationTest(
    `inferred: ${
      c.dependencies?.[0] ?? c.fixture
    } (real packages from PyPI) serves on the PORT it is given, and on 8080 on all interfaces without one`,
    async () => {
      // A fixture with other dependencies is copied and edited; lifecycleBuild copies it again.
      await using app = c.dependencies === undefined ? undefined : await fixtureCopy(c.fixture);
      if (app !== undefined && c.dependencies !== undefined) {
        const path = join(app.path, "pyproject.toml");
        const text = await Deno.readTextFile(path);
        const replaced = text.replace(
          /^dependencies = .*$/m,
          `dependencies = ${JSON.stringify(c.dependencies[1])}`,
        );
        assert.notEqual(replaced, text, "the fixture lists its dependencies on one line");
        await Deno.writeTextFile(path, replaced);
      }
      await using build = await lifecycleBuild(app?.path ?? c.fixture, { fromPyPI: true });
      assert.equal(build.detectCode, 0, build.detectOutput);
      assert.equal(build.buildCode, 0, build.buildOutput);
      const web = listedProcesses(build.metadata).find((p) => p.type === "web");
      assert.match(web?.argv.join(" ") ?? "", c.web);
      assert.match(build.buildOutput, c.log);
      {
        await using proc = await launch(build, "web");
        const body = await httpBody(proc, 90_000);
        assert.match(body, c.body);
        assert.match(body, new RegExp(`PORT ${proc.port}\\)`));
      }
      await using proc = await launch(build, "web", { port: "unset" });
      const body = await httpBody(proc, 90_000);
      assert.match(body, c.body);
      assert.match(body, /PORT 8080\)/, "the app sees the PORT it serves on");
      assert.deepEqual(await listeningOn(DEFAULT_PORT), ["0.0.0.0"], proc.output());
    },
  );
}

integrationTest(
  "inferred, BP_POETRY_RUN_DIRECT=true: uvicorn starts without Poetry (serve.py), and Poetry is not required at launch",
  async () => {
    await using build = await lifecycleBuild("fastapi_uvicorn", {
      fromPyPI: true,
      env: { BP_POETRY_RUN_DIRECT: "true" },
    });
    assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
    assert.match(
      listedProcesses(build.metadata).find((p) => p.type === "web")?.argv.join(" ") ?? "",
      /^python \S+\/start\/serve\.py uvicorn app\.main:app$/,
    );
    assert.deepEqual(launchRequirements(build.plan), ["cpython", "poetry-venv"]);
    await using proc = await launch(build, "web");
    assert.match(await httpBody(proc, 90_000), /^hello from fastapi/);
  },
);

integrationTest(
  "inferred: a server only in the dev group is not in the image: detect fails (the fallback group runs), and with BP_POETRY_INSTALL_ONLY=main,dev it serves",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "poetry-run-devgroup-" });
    try {
      await Deno.writeTextFile(
        `${dir}/pyproject.toml`,
        `[project]\nname = "devgroup"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n` +
          `dependencies = ["flask>=3"]\n\n[tool.poetry]\npackage-mode = false\n\n` +
          `[tool.poetry.group.dev.dependencies]\ngunicorn = ">=22"\n`,
      );
      await Deno.writeTextFile(
        `${dir}/app.py`,
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get('/')\ndef hi():\n    return 'hello from the dev group\\n'\n",
      );
      await using without = await lifecycleBuild(dir, {
        fromPyPI: true,
        detectOnly: true,
        groups: PYTHON_ORDER,
      });
      assert.equal(without.detectCode, 0, without.detectOutput);
      assert.match(
        without.detectOutput,
        /Output: paketo-buildpacks\/poetry-run@0\.0\.1 =+\n.*no production WSGI server \(gunicorn, waitress\) among the main dependencies: add gunicorn/,
      );
      assert.match(without.group, /test\/python-start/, "the fallback group (python-start) runs");
      await using withDev = await lifecycleBuild(dir, {
        fromPyPI: true,
        env: { BP_POETRY_INSTALL_ONLY: "main,dev" },
      });
      assert.equal(withDev.buildCode, 0, withDev.detectOutput + withDev.buildOutput);
      await using proc = await launch(withDev, "web");
      assert.match(await httpBody(proc, 90_000), /^hello from the dev group/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
