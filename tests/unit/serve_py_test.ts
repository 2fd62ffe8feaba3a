/**
 * serve.py, run by CPython with stand-in server modules that report what
 * they were given: the address from PORT (8080 without it), a value the
 * environment already sets kept, the server's arguments after it, and the
 * working directory first on sys.path, as `python -m` has it. And the
 * embedded copy is the file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SERVE_PY } from "../../src/python/_embedded.ts";
import { EMBEDDED } from "../../kit/embed.ts";
import { output } from "../../kit/command.ts";
import { REPO_ROOT } from "../../kit/paths.ts";
import { tempDir } from "../../kit/files.ts";

const REPORT = `import json, os, sys
keys = [k for k in os.environ if k.split("_")[0] in ("UVICORN", "STREAMLIT", "GRADIO")]
print(json.dumps({"argv": sys.argv, "env": {k: os.environ[k] for k in sorted(keys)},
                  "path0": sys.path[0], "name": __name__}))
`;

async function serve(args: string[], env: Record<string, string> = {}) {
  await using dir = await tempDir("poetry-run-serve-");
  const stubs = join(dir.path, "stubs");
  const app = join(dir.path, "app");
  for (const server of ["uvicorn", "hypercorn", "daphne", "waitress", "streamlit"]) {
    await Deno.mkdir(join(stubs, server), { recursive: true });
    await Deno.writeTextFile(join(stubs, server, "__init__.py"), "");
    await Deno.writeTextFile(join(stubs, server, "__main__.py"), REPORT);
  }
  await Deno.mkdir(app);
  await Deno.writeTextFile(join(app, "demo.py"), REPORT);
  const serve = join(dir.path, "layer", "serve.py");
  await Deno.mkdir(join(dir.path, "layer"));
  await Deno.writeTextFile(serve, SERVE_PY);
  // The stand-ins on PYTHONPATH, where a venv's site-packages put the real servers.
  const run = await output("python3", [serve, ...args], {
    cwd: app,
    env: { PATH: "/usr/bin:/bin", PYTHONPATH: stubs, PYTHONDONTWRITEBYTECODE: "1", ...env },
    clearEnv: true,
  });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as {
    argv: string[];
    env: Record<string, string>;
    path0: string;
    name: string;
  };
  return { ...report, app };
}

Deno.test("serve.py: uvicorn gets UVICORN_HOST/PORT from PORT (8080 without it); values already set are kept", async () => {
  const a = await serve(["uvicorn", "main:app", "--factory"], { PORT: "5000" });
  assert.match(a.argv[0] ?? "", /\/uvicorn\/__main__\.py$/, "argv[0] as python -m gives it");
  assert.deepEqual(a.argv.slice(1), ["main:app", "--factory"]);
  assert.deepEqual(a.env, { UVICORN_HOST: "0.0.0.0", UVICORN_PORT: "5000" });
  assert.equal(a.path0, a.app, "the working directory first, as python -m");
  assert.equal(a.name, "__main__");
  const b = await serve(["uvicorn", "main:app"]);
  assert.equal(b.env.UVICORN_PORT, "8080");
  const c = await serve(["uvicorn", "main:app"], { PORT: "5000", UVICORN_PORT: "7000" });
  assert.equal(c.env.UVICORN_PORT, "7000");
});

Deno.test("serve.py: hypercorn, daphne and waitress get their address as arguments; Streamlit and Gradio as variables", async () => {
  assert.deepEqual((await serve(["hypercorn", "main:app"], { PORT: "5001" })).argv.slice(1), [
    "--bind",
    "0.0.0.0:5001",
    "main:app",
  ]);
  assert.deepEqual((await serve(["daphne", "site.asgi:application"])).argv.slice(1), [
    "--bind",
    "0.0.0.0",
    "--port",
    "8080",
    "site.asgi:application",
  ]);
  assert.deepEqual((await serve(["waitress", "--call", "app:make"])).argv.slice(1), [
    "--listen=0.0.0.0:8080",
    "--call",
    "app:make",
  ]);
  const st = await serve(["streamlit", "run", "demo.py"], { PORT: "5002" });
  assert.deepEqual(st.argv.slice(1), ["run", "demo.py"]);
  assert.deepEqual(st.env, {
    STREAMLIT_SERVER_ADDRESS: "0.0.0.0",
    STREAMLIT_SERVER_HEADLESS: "true",
    STREAMLIT_SERVER_PORT: "5002",
  });
  const gr = await serve(["gradio", "demo.py"]);
  assert.deepEqual(gr.argv, ["demo.py"]);
  assert.deepEqual(gr.env, { GRADIO_SERVER_NAME: "0.0.0.0", GRADIO_SERVER_PORT: "8080" });
  assert.equal(gr.path0, gr.app, "the script's directory, as python <script>");
  assert.equal(gr.name, "__main__");
});

Deno.test("serve.py: an unknown server is a usage error", async () => {
  await using dir = await tempDir("poetry-run-serve-");
  const serve = join(dir.path, "serve.py");
  await Deno.writeTextFile(serve, SERVE_PY);
  const out = await output("python3", [serve, "flask", "run"]);
  assert.equal(out.code, 1);
  assert.match(
    out.stderr,
    /^usage: serve\.py daphne\|gradio\|hypercorn\|streamlit\|uvicorn\|waitress <arguments>\n$/,
  );
});

Deno.test("the embedded Python programs are the files (deno task embed writes them), and CPython compiles each", async () => {
  const embedded = await import("../../src/python/_embedded.ts") as Record<string, string>;
  for (const [name, file] of Object.entries(EMBEDDED)) {
    const path = join(REPO_ROOT, "src", "python", file);
    assert.equal(embedded[name], await Deno.readTextFile(path), `${file}: run deno task embed`);
    const compiled = await output("python3", [
      "-c",
      "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')",
      path,
    ]);
    assert.equal(compiled.code, 0, compiled.stderr);
  }
});
