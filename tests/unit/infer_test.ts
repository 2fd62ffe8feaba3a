import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { inferStart } from "../../src/poetry/infer.ts";
import { parsePyProject } from "../../src/poetry/pyproject.ts";
import { REPO_ROOT } from "../../kit/paths.ts";
import { tempDir } from "../../kit/files.ts";

type Files = Readonly<Record<string, string | Uint8Array>>;

/** Writes an app and infers its start command. */
async function infer(
  files: Files,
  env: Record<string, string> = {},
  limits?: { entries: number; depth: number },
) {
  await using dir = await tempDir("poetry-run-infer-");
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir.path, name);
    await Deno.mkdir(dirname(path), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
  }
  const project = parsePyProject(files["pyproject.toml"] as string);
  return inferStart({
    appDir: dir.path,
    project,
    env: (n) => env[n],
    ...(limits === undefined ? {} : { limits }),
  });
}

/** The command words, or the reason. */
async function command(files: Files, env: Record<string, string> = {}): Promise<string> {
  const r = await infer(files, env);
  return r.certain ? [r.command.server.name, ...r.command.args].join(" ") : `no: ${r.reason}`;
}

const deps = (...names: string[]) =>
  `[project]\nname = "app"\nversion = "1"\nrequires-python = ">=3.10"\ndependencies = ${
    JSON.stringify(names)
  }\n[tool.poetry]\npackage-mode = false\n`;

const FLASK =
  `from flask import Flask\n\napp = Flask(__name__)\n\n@app.get("/")\ndef hello():\n    return "hi"\n`;
const FASTAPI =
  `from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get("/")\ndef root():\n    return {}\n`;

Deno.test("inferStart(): Flask + gunicorn, FastAPI + uvicorn, Starlette, Quart, Litestar, Falcon, Bottle, FastHTML, APIFlask", async () => {
  const cases: [Files, string][] = [
    [{ "pyproject.toml": deps("flask", "gunicorn"), "app.py": FLASK }, "gunicorn app:app"],
    [{ "pyproject.toml": deps("fastapi", "uvicorn"), "main.py": FASTAPI }, "uvicorn main:app"],
    [
      {
        "pyproject.toml": deps("fastapi", "uvicorn"),
        "app/__init__.py": "",
        "app/main.py": FASTAPI,
      },
      "uvicorn app.main:app",
    ],
    [
      {
        "pyproject.toml": deps("starlette", "hypercorn"),
        "server.py": "from starlette.applications import Starlette\napp = Starlette(routes=[])\n",
      },
      "hypercorn server:app",
    ],
    [{
      "pyproject.toml": deps("quart"),
      "app.py": "from quart import Quart\napp = Quart(__name__)\n",
    }, "hypercorn app:app"],
    [
      {
        "pyproject.toml": deps("quart", "uvicorn"),
        "app.py": "import quart\napp = quart.Quart(__name__)\n",
      },
      "uvicorn app:app",
    ],
    [
      {
        "pyproject.toml": deps("litestar[standard]"),
        "app.py": "from litestar import Litestar\napp = Litestar([])\n",
      },
      "uvicorn app:app",
    ],
    [
      {
        "pyproject.toml": deps("falcon", "uvicorn"),
        "api.py": "import falcon.asgi\napp = falcon.asgi.App()\n",
      },
      "uvicorn api:app",
    ],
    [
      {
        "pyproject.toml": deps("falcon", "waitress"),
        "api.py": "import falcon\napplication = falcon.App()\n",
      },
      "waitress api:application",
    ],
    [{
      "pyproject.toml": deps("bottle", "gunicorn"),
      "web.py": "from bottle import Bottle\napp = Bottle()\n",
    }, "gunicorn web:app"],
    [
      {
        "pyproject.toml": deps("python-fasthtml", "uvicorn"),
        "main.py":
          "from fasthtml.common import *\n\napp, rt = fast_app()\n\n@rt('/')\ndef get(): return P('hi')\n",
      },
      "uvicorn main:app",
    ],
    [{ "pyproject.toml": deps("fastapi", "daphne"), "main.py": FASTAPI }, "daphne main:app"],
    // uvicorn-worker requires gunicorn and uvicorn; without a lock that is known.
    [
      { "pyproject.toml": deps("fastapi", "uvicorn-worker"), "main.py": FASTAPI },
      "uvicorn main:app",
    ],
    [{
      "pyproject.toml": deps("apiflask", "gunicorn"),
      "app.py": "from apiflask import APIFlask\napp = APIFlask(__name__)\n",
    }, "gunicorn app:app"],
  ];
  for (const [files, expected] of cases) {
    assert.equal(await command(files), expected, Object.keys(files).join(" "));
  }
});

Deno.test("inferStart(): a Dash app is served through the Flask server it binds at module level", async () => {
  const dash = deps("dash", "gunicorn");
  const DASH = "from dash import Dash, html\n\napp = Dash(__name__)\n";
  const cases: [Files, string | RegExp][] = [
    [{ "pyproject.toml": dash, "app.py": `${DASH}server = app.server\n` }, "gunicorn app:server"],
    [
      {
        "pyproject.toml": dash,
        "board.py":
          "import dash\napp = dash.Dash(__name__)\nserver = app.server\napp.layout = dash.html.Div()\n" +
          "if __name__ == '__main__':\n    app.run(debug=True)\n",
      },
      "gunicorn board:server",
    ],
    // Dash on a Flask app of the user's: that Flask app is what is served.
    [
      {
        "pyproject.toml": dash,
        "app.py":
          "from flask import Flask\nfrom dash import Dash\nserver = Flask(__name__)\napp = Dash(__name__, server=server)\n",
      },
      "gunicorn app:server",
    ],
    [
      { "pyproject.toml": deps("dash", "waitress"), "app.py": `${DASH}server = app.server\n` },
      "waitress app:server",
    ],
    [
      { "pyproject.toml": dash, "app.py": DASH },
      /^no: no application is certain \(app\.py:3: Dash app app is served through app\.server, which no module-level name binds: add server = app\.server\)/,
    ],
    [
      { "pyproject.toml": deps("dash", "uvicorn"), "app.py": `${DASH}server = app.server\n` },
      /^no: Dash app server at app\.py:4, but no production WSGI server \(gunicorn, waitress\)/,
    ],
  ];
  for (const [files, expected] of cases) {
    const got = await command(files);
    if (typeof expected === "string") assert.equal(got, expected, files["app.py"] as string);
    else assert.match(got, expected);
  }
  const r = await infer({ "pyproject.toml": dash, "app.py": `${DASH}server = app.server\n` });
  assert.ok(r.certain);
  assert.equal(r.command.app.distribution, "dash");
  assert.match(r.command.app.how ?? "", /the Flask server of Dash app app \(line 3\)/);
});

Deno.test("inferStart(): factories: served as a call where the server can; an object made by a factory is one application", async () => {
  const factory =
    `from flask import Flask\n\ndef create_app(config=None):\n    app = Flask(__name__)\n    from . import views\n    app.register_blueprint(views.bp)\n    return app\n`;
  const src = (server: string) => ({
    "pyproject.toml":
      `[project]\nname = "shop"\nversion = "1"\ndependencies = ["flask", "${server}"]\n`,
    "src/shop/__init__.py": factory,
    "src/shop/views.py": "from flask import Blueprint\nbp = Blueprint('v', __name__)\n",
  });
  assert.equal(await command(src("gunicorn")), "gunicorn shop:create_app()");
  assert.equal(await command(src("waitress")), "waitress --call shop:create_app");
  assert.equal(
    await command({
      "pyproject.toml": deps("fastapi", "uvicorn"),
      "app/__init__.py": "",
      "app/factory.py": "from fastapi import FastAPI\ndef make():\n    return FastAPI()\n",
    }),
    "uvicorn --factory app.factory:make",
  );
  const r = await infer({
    "pyproject.toml": deps("flask", "gunicorn"),
    "shop/__init__.py": factory,
    "wsgi.py": "from shop import create_app\n\napp = create_app()\n",
  });
  assert.ok(r.certain);
  assert.deepEqual(r.command.args, ["wsgi:app"]);
  assert.match(r.command.app.how ?? "", /made by create_app at shop\/__init__\.py:3/);
  // package-mode = false: src/ is not installed, so its factory cannot be imported.
  const noPackage = await command({
    ...src("gunicorn"),
    "pyproject.toml": deps("flask", "gunicorn"),
  });
  assert.match(
    noPackage,
    /^no: no module on the import path .*Flask factory create_app at src\/shop\/__init__\.py:3 is under src\/, which Poetry does not install \(package-mode = false\)/,
  );
});

Deno.test("inferStart(): sub-applications, middleware and subclasses stay one application", async () => {
  assert.equal(
    await command({
      "pyproject.toml": deps("fastapi", "uvicorn"),
      "main.py":
        "from fastapi import FastAPI\nfrom admin import admin\napp = FastAPI()\napp.mount('/admin', admin)\n",
      "admin.py": "from fastapi import FastAPI\nadmin = FastAPI()\n",
    }),
    "uvicorn main:app",
  );
  assert.equal(
    await command({
      "pyproject.toml": deps("starlette", "uvicorn"),
      "main.py":
        "from starlette.applications import Starlette\nfrom starlette.routing import Mount\nfrom api import api\napp = Starlette(routes=[Mount('/api', app=api)])\n",
      "api.py": "from starlette.applications import Starlette\napi = Starlette()\n",
    }),
    "uvicorn main:app",
  );
  assert.equal(
    await command({
      "pyproject.toml": deps("fastapi", "uvicorn"),
      "main.py": `${FASTAPI}app = SentryAsgiMiddleware(app)\n`,
    }),
    "uvicorn main:app",
  );
  assert.equal(
    await command({
      "pyproject.toml": deps("flask", "gunicorn"),
      "app.py":
        `${FLASK}application = WhiteNoise(app, root="static/")\nmigrate = Migrate(app, db)\nCORS(app)\n`,
    }),
    "gunicorn app:application",
  );
  assert.equal(
    await command({
      "pyproject.toml": deps("flask", "gunicorn"),
      "app.py": "import flask\nclass MyFlask(flask.Flask):\n    pass\napp = MyFlask(__name__)\n",
    }),
    "gunicorn app:app",
  );
});

Deno.test("inferStart(): Django: settings from manage.py, WSGI_APPLICATION (split settings too), ASGI when asked or when only an ASGI server is there", async () => {
  const manage =
    `#!/usr/bin/env python\nimport os, sys\n\ndef main():\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n\nif __name__ == "__main__":\n    main()\n`;
  const project = (...servers: string[]) => ({
    "pyproject.toml": deps("django", ...servers),
    "manage.py": manage,
    "mysite/__init__.py": "",
    "mysite/settings.py":
      `SECRET_KEY = "x"\nROOT_URLCONF = "mysite.urls"\nWSGI_APPLICATION = "mysite.wsgi.application"\n`,
    "mysite/wsgi.py":
      "import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\napplication = get_wsgi_application()\n",
    "mysite/asgi.py":
      "from django.core.asgi import get_asgi_application\napplication = get_asgi_application()\n",
  });
  assert.equal(await command(project("gunicorn")), "gunicorn mysite.wsgi:application");
  assert.equal(await command(project("uvicorn")), "uvicorn mysite.asgi:application");
  assert.equal(await command(project("gunicorn", "uvicorn")), "gunicorn mysite.wsgi:application");
  const channels = {
    ...project("gunicorn", "uvicorn"),
    "mysite/settings.py":
      `WSGI_APPLICATION = "mysite.wsgi.application"\nASGI_APPLICATION = "mysite.asgi.application"\n`,
  };
  assert.equal(await command(channels), "uvicorn mysite.asgi:application");
  // Channels' own server, daphne, when it is the only ASGI server.
  assert.equal(
    await command({ ...channels, "pyproject.toml": deps("django", "channels", "daphne") }),
    "daphne mysite.asgi:application",
  );
  const split = {
    ...project("gunicorn"),
    "manage.py": manage.replace("mysite.settings", "mysite.settings.production"),
    "mysite/settings.py": "",
    "mysite/settings/__init__.py": "",
    "mysite/settings/base.py": `WSGI_APPLICATION = "mysite.wsgi.application"\n`,
    "mysite/settings/production.py": "from .base import *\nDEBUG = False\n",
  };
  assert.equal(await command(split), "gunicorn mysite.wsgi:application");
  assert.match(
    await command(project()),
    /^no: Django project mysite\.settings \(manage\.py\), but no production WSGI server .* add gunicorn/,
  );
  assert.match(
    await command({
      ...project("gunicorn"),
      "mysite/settings.py": `WSGI_APPLICATION = "mysite.wsgi.app"\n`,
    }),
    /WSGI_APPLICATION in mysite\/settings\.py:1 names mysite\.wsgi\.app, which no module of the app binds/,
  );
});

Deno.test("inferStart(): fastapi[standard] through its lock; the server only in a dev group is not installed, unless BP_POETRY_INSTALL_ONLY says so", async () => {
  const dir = join(REPO_ROOT, "tests", "fixtures", "locks");
  const read = (app: string, f: string) => Deno.readTextFile(join(dir, app, f));
  assert.equal(
    await command({
      "pyproject.toml": await read("fastapi_standard", "pyproject.toml"),
      "poetry.lock": await read("fastapi_standard", "poetry.lock"),
      "main.py": FASTAPI,
    }),
    "uvicorn main:app",
  );
  const dev = {
    "pyproject.toml": await read("dev_gunicorn", "pyproject.toml"),
    "poetry.lock": await read("dev_gunicorn", "poetry.lock"),
    "app.py": FLASK,
  };
  assert.match(
    await command(dev),
    /^no: .*Flask app app at app\.py:3, but no production WSGI server \(gunicorn, waitress\) among the main dependencies: add gunicorn, or set BP_POETRY_RUN_TARGET$/,
  );
  assert.equal(await command(dev, { BP_POETRY_INSTALL_ONLY: "main,dev" }), "gunicorn app:app");
});

Deno.test("inferStart(): what is not an application: strings, comments, functions, main guards, tests, venvs, vendored and hidden trees", async () => {
  const none = /^no: .*no module of the app makes a web application/;
  const pyproject = deps("flask", "gunicorn");
  const cases: Files[] = [
    {
      "app.py":
        `"""\napp = Flask(__name__)\n"""\n# app = Flask(__name__)\nx = "app = Flask(__name__)"\nfrom flask import Flask\n`,
    },
    {
      "app.py":
        "from flask import Flask\n\ndef main():\n    app = Flask(__name__)\n    app.run()\n",
    },
    {
      "app.py":
        "from flask import Flask\n\nif __name__ == '__main__':\n    app = Flask(__name__)\n    app.run()\n",
    },
    {
      "tests/test_app.py": FLASK,
      "tests/conftest.py": FLASK,
      "test_main.py": FLASK,
      "main_test.py": FLASK,
    },
    {
      ".venv/pyvenv.cfg": "",
      ".venv/lib/app.py": FLASK,
      "env2/pyvenv.cfg": "",
      "env2/app.py": FLASK,
    },
    {
      "vendor/app.py": FLASK,
      "_vendor/app.py": FLASK,
      "node_modules/x/app.py": FLASK,
      "docs/conf.py": FLASK,
    },
    { "my-app/app.py": FLASK, "build/app.py": FLASK, "app.txt": FLASK },
    { "app.py": "import flask\nclass Config:\n    app = flask.Flask('in a class')\n" },
  ];
  for (const files of cases) {
    assert.match(
      await command({ "pyproject.toml": pyproject, ...files }),
      none,
      Object.keys(files).join(" "),
    );
  }
});

Deno.test("inferStart(): anything less than certain is no inference, with the reason", async () => {
  const flask = deps("flask", "gunicorn");
  const reasons: [Files, RegExp][] = [
    [
      { "pyproject.toml": flask, "a.py": FLASK, "b.py": FLASK },
      /which application to serve is not certain: Flask app app at a\.py:3; Flask app app at b\.py:3/,
    ],
    [
      {
        "pyproject.toml": deps("flask", "fastapi", "gunicorn", "uvicorn"),
        "a.py": FLASK,
        "b.py": FASTAPI,
      },
      /not certain: Flask app app at a\.py:3; FastAPI app app at b\.py:3/,
    ],
    [
      { "pyproject.toml": deps("flask"), "app.py": FLASK },
      /Flask app app at app\.py:3, but no production WSGI server/,
    ],
    [
      { "pyproject.toml": deps("flask", "uvicorn"), "app.py": FLASK },
      /no production WSGI server \(gunicorn, waitress\)/,
    ],
    [
      { "pyproject.toml": deps("gunicorn"), "app.py": FLASK },
      /but flask is not among the main dependencies/,
    ],
    [
      { "pyproject.toml": deps("flask", "gunicorn; python_version < '3.11'"), "app.py": FLASK },
      /gunicorn is installed only under a marker that is not known before build/,
    ],
    [
      {
        "pyproject.toml": flask,
        "app.py":
          "import os\nfrom flask import Flask\nif os.environ.get('X'):\n    app = Flask(__name__)\n",
      },
      /app\.py:4: Flask app app is assigned under a condition/,
    ],
    [
      {
        "pyproject.toml": flask,
        "app.py": "from flask import Flask\ndef create_app(config):\n    return Flask(__name__)\n",
      },
      /app\.py:2: Flask factory create_app needs arguments, so no server can call it/,
    ],
    [
      {
        "pyproject.toml": deps("fastapi", "daphne"),
        "app.py": "from fastapi import FastAPI\ndef create_app():\n    return FastAPI()\n",
      },
      /FastAPI factory create_app at app\.py:2, but no production ASGI server that calls a factory \(uvicorn, hypercorn\) among the main dependencies: add uvicorn/,
    ],
    [
      { "pyproject.toml": flask, "app.py": `${FLASK}app = None\n` },
      /app\.py:8: Flask app app is rebound to something else/,
    ],
    [
      { "pyproject.toml": flask, "app.py": "from flask import Flask\napp = Flask(__name__\n" },
      /app\.py:2 mentions a web framework but does not parse/,
    ],
    [
      { "pyproject.toml": flask, "app.py": FLASK, "Procfile": "web: gunicorn app:app\n" },
      /the Procfile defines web/,
    ],
    [
      { "pyproject.toml": flask, "app.py": FLASK, "poetry.lock": "not = toml = here" },
      /poetry\.lock does not parse/,
    ],
    // An application off the import path is named, with why it is off it.
    [
      {
        "pyproject.toml": deps("fastapi", "uvicorn"),
        "src/svc/__init__.py": "",
        "src/svc/main.py": FASTAPI,
      },
      /^no: no module on the import path at launch makes a web application: FastAPI app app at src\/svc\/main\.py:3 is under src\/, which Poetry does not install \(package-mode = false\), and a server imports from the app directory; set BP_POETRY_RUN_TARGET/,
    ],
    [
      {
        "pyproject.toml":
          '[project]\nname = "shop"\nversion = "1"\ndependencies = ["flask", "gunicorn"]\n',
        "src/web/__init__.py": FLASK,
      },
      /Flask app app at src\/web\/__init__\.py:3 is under src\/, which Poetry does not install \(no \[tool\.poetry\] packages entry names a package from src\/\), .*add \{ include = "web", from = "src" \} to \[tool\.poetry\] packages/,
    ],
    [
      {
        "pyproject.toml": deps("django", "gunicorn"),
        "site/manage.py":
          'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
        "site/proj/__init__.py": "",
        "site/proj/settings.py": 'WSGI_APPLICATION = "proj.wsgi.application"\n',
      },
      /manage\.py is in site\/, but a server starts in the app directory; set BP_POETRY_RUN_TARGET \(gunicorn --chdir site …\)/,
    ],
  ];
  for (const [files, reason] of reasons) {
    assert.match(await command(files), reason, Object.keys(files).join(" "));
  }
});

Deno.test("inferStart(): bad input stays bounded and never throws: binary and unreadable files, huge trees, symlink loops", async () => {
  const flask = deps("flask", "gunicorn");
  const binary = new Uint8Array(4096).map((_, i) => (i * 37) % 256);
  assert.equal(
    await command({ "pyproject.toml": flask, "app.py": FLASK, "blob.py": binary }),
    "gunicorn app:app",
  );
  const big = `${"x = 1\n".repeat(900_000)}`;
  assert.equal(
    await command({ "pyproject.toml": flask, "app.py": FLASK, "big.py": big }),
    "gunicorn app:app",
  );
  const many: Record<string, string> = { "pyproject.toml": flask, "app.py": FLASK };
  for (let i = 0; i < 300; i++) many[`pkg/m${i}.py`] = `import os\nX = ${i}\n`;
  const truncated = await infer(many, {}, { entries: 100, depth: 12 });
  assert.ok(!truncated.certain && /more files than detect reads/.test(truncated.reason));

  await using dir = await tempDir("poetry-run-infer-");
  await Deno.writeTextFile(join(dir.path, "pyproject.toml"), flask);
  await Deno.writeTextFile(join(dir.path, "app.py"), FLASK);
  await Deno.mkdir(join(dir.path, "pkg"));
  await Deno.symlink(dir.path, join(dir.path, "pkg", "loop"));
  await Deno.symlink("missing.py", join(dir.path, "dangling.py"));
  await Deno.writeTextFile(join(dir.path, "secret.py"), FLASK);
  await Deno.chmod(join(dir.path, "secret.py"), 0);
  const r = inferStart({ appDir: dir.path, project: parsePyProject(flask), env: () => undefined });
  // As root the unreadable file is read (and is a second app); as another user it is skipped.
  assert.ok(r.certain || /not certain/.test(r.reason), JSON.stringify(r));
});

Deno.test("inferStart(): Streamlit and Gradio scripts are run by their framework through serve.py", async () => {
  const st = "import streamlit as st\n\nst.title('Hello')\nname = st.text_input('Name')\n";
  assert.equal(
    await command({ "pyproject.toml": deps("streamlit"), "app.py": st, "pages/1_More.py": st }),
    "streamlit run app.py",
  );
  const gr =
    "import gradio as gr\n\ndef greet(name):\n    return 'Hello ' + name\n\ndemo = gr.Interface(fn=greet, inputs='text', outputs='text')\n\nif __name__ == '__main__':\n    demo.launch()\n";
  assert.equal(await command({ "pyproject.toml": deps("gradio"), "app.py": gr }), "gradio app.py");
  const blocks =
    "import gradio as gr\nwith gr.Blocks() as demo:\n    gr.Markdown('hi')\ndemo.launch()\n";
  assert.equal(
    await command({ "pyproject.toml": deps("gradio"), "ui.py": blocks }),
    "gradio ui.py",
  );
  assert.match(
    await command({
      "pyproject.toml": deps("gradio"),
      "app.py": gr.replace("demo.launch()", "demo.launch(server_port=7860)"),
    }),
    /app\.py:9: the Gradio app chooses its own address \(server_port\), not PORT/,
  );
  assert.match(
    await command({ "pyproject.toml": deps(), "app.py": st }),
    /Streamlit app app\.py \(line 3\), but streamlit is not among the main dependencies/,
  );
  assert.match(
    await command({
      "pyproject.toml": deps("streamlit", "flask", "gunicorn"),
      "app.py": st,
      "web.py": FLASK,
    }),
    /not certain: Flask app app at web\.py:3; Streamlit app app\.py \(line 3\)/,
  );
  // Mounted into a FastAPI app: the FastAPI app is what is served.
  assert.equal(
    await command({
      "pyproject.toml": deps("gradio", "fastapi", "uvicorn"),
      "main.py":
        "import gradio as gr\nfrom fastapi import FastAPI\napp = FastAPI()\ndemo = gr.Blocks()\napp = gr.mount_gradio_app(app, demo, path='/ui')\n",
    }),
    "uvicorn main:app",
  );
});
