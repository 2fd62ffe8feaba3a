/**
 * The bytecode layer through the real entry point, run as the lifecycle runs
 * build, with an earlier buildpack's launch layer holding a console script.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { buildIn, type PhaseResult, type Workspace, workspace } from "../../kit/phase.ts";
import { earlierVenv } from "../../kit/earlier_layers.ts";

const dec = new TextDecoder();
const PYTHON = dec.decode(
  new Deno.Command("python3", { args: ["-c", "import sys; print(sys.executable)"] }).outputSync()
    .stdout,
).trim();
const TAG = dec.decode(
  new Deno.Command(PYTHON, { args: ["-c", "import sys; print(sys.implementation.cache_tag)"] })
    .outputSync().stdout,
).trim();

/** The earlier buildpack's venv: `bin/web` imports `webapp`, which imports `json`. */
function withVenv(ws: Workspace, opts: { env?: Record<string, string> } = {}) {
  return earlierVenv(ws.layersRoot, {
    bins: { web: `#!${PYTHON}\nimport webapp\n` },
    site: { "webapp/__init__.py": "from . import views\n", "webapp/views.py": "import json\n" },
    ...(opts.env === undefined ? {} : { env: opts.env }),
  });
}

const DIRECT = { BP_POETRY_RUN_TARGET: "web", BP_POETRY_RUN_DIRECT: "true" };
const read = (path: string) => Deno.readTextFile(path).catch(() => undefined);
const layerFiles = (ws: Workspace) => [...Deno.readDirSync(ws.layers)].map((e) => e.name).sort();
/** What build leaves without the bytecode layers: launch.toml and the start layer (launch defaults). */
const NO_BYTECODE = ["launch.toml", "start", "start.toml"];

function assertBuilt(r: PhaseResult): void {
  assert.equal(r.code, 0, r.stdout + r.stderr);
}

for (const api of ["0.7", "0.8", "0.12"] as const) {
  Deno.test(`build (API ${api}) contributes the bytecode launch layer; launch.toml is as without it`, async () => {
    await using ws = await workspace(api);
    const { site } = await withVenv(ws);
    const r = await buildIn(ws, api, DIRECT);
    assertBuilt(r);
    assert.equal(r.stderr, "");
    const layer = join(ws.layers, "bytecode");
    const metadata = '\n[metadata]\n  "layout" = 1\n';
    assert.equal(
      await read(join(ws.layers, "bytecode.toml")),
      `[types]\n  launch = true\n  build = false\n  cache = true\n${metadata}`,
    );
    assert.equal(
      await read(join(ws.layers, "bytecode-deps.toml")),
      `[types]\n  launch = true\n  build = false\n  cache = true\n${metadata}`,
    );
    assert.equal(
      await read(join(ws.layers, "bytecode-index.toml")),
      `[types]\n  launch = false\n  build = false\n  cache = true\n${metadata}`,
    );
    assert.equal(
      await read(join(layer, "env.launch", "PYTHONPYCACHEPREFIX.default")),
      join(layer, "pycache"),
    );
    for (const module of ["__init__", "views"]) {
      const pyc = await Deno.readFile(
        join(layer, "pycache", site.slice(1), "webapp", `${module}.${TAG}.pyc`),
      );
      assert.equal(new DataView(pyc.buffer).getUint32(4, true), 0b11, "checked hash-based");
    }
    assert.match(
      r.stdout,
      /\n {2}Compiling bytecode \(BP_POETRY_RUN_BYTECODE=false turns this off\)\n {4}web \(Python 3\.\d+\.\d+\): (\d+) modules, \1 compiled\n {4}\1 modules compiled \(\d+\.\d MiB\), 0 kept, in \d+\.\d\d s: .*\/bytecode\/pycache\n\n$/,
    );
    const withLayer = await read(join(ws.layers, "launch.toml"));
    assertBuilt(await buildIn(ws, api, { ...DIRECT, BP_POETRY_RUN_BYTECODE: "false" }));
    assert.equal(await read(join(ws.layers, "launch.toml")), withLayer);
    assert.deepEqual(layerFiles(ws), NO_BYTECODE, "the layer is gone again");
  });
}

Deno.test("BP_POETRY_RUN_BYTECODE=false removes a bytecode layer restored from an earlier image", async () => {
  await using ws = await workspace();
  await withVenv(ws);
  await Deno.mkdir(join(ws.layers, "bytecode", "pycache"), { recursive: true });
  await Deno.writeTextFile(join(ws.layers, "bytecode.toml"), "[types]\nlaunch = true\n");
  const r = await buildIn(ws, "0.8", { ...DIRECT, BP_POETRY_RUN_BYTECODE: "false" });
  assertBuilt(r);
  assert.doesNotMatch(r.stdout, /Compiling bytecode/);
  assert.deepEqual(layerFiles(ws), NO_BYTECODE);
});

Deno.test("a malformed BP_POETRY_RUN_BYTECODE fails the build in one line", async () => {
  await using ws = await workspace();
  await withVenv(ws);
  const r = await buildIn(ws, "0.8", { ...DIRECT, BP_POETRY_RUN_BYTECODE: "sometimes" });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `failed to parse BP_POETRY_RUN_BYTECODE value sometimes: strconv.ParseBool: parsing "sometimes": invalid syntax; set it to true or false\n`,
  );
});

Deno.test("an app file that does not compile is one warning; the rest is compiled and the build passes", async () => {
  await using ws = await workspace();
  await withVenv(ws);
  await Deno.mkdir(join(ws.app, "pkg"));
  await Deno.writeTextFile(join(ws.app, "pkg", "bad.py"), "def f(:\n    pass\n");
  await Deno.writeTextFile(join(ws.app, "pkg", "good.py"), "X = 1\n");
  const r = await buildIn(ws, "0.8", DIRECT);
  assertBuilt(r);
  assert.match(
    r.stderr,
    /^Warning: 1 file of the app does not compile and is left out of the bytecode: pkg\/bad\.py \(SyntaxError: [^\n]+\)\n$/,
  );
  const tree = join(ws.layers, "bytecode", "pycache", ws.app.slice(1), "pkg");
  assert.deepEqual([...Deno.readDirSync(tree)].map((e) => e.name), [`good.${TAG}.pyc`]);
});

Deno.test("no python3 on the build PATH: one warning, no layer, the build passes", async () => {
  await using ws = await workspace();
  await withVenv(ws);
  const r = await buildIn(ws, "0.8", { ...DIRECT, PATH: "/nonexistent" });
  assertBuilt(r);
  assert.equal(
    r.stderr,
    "Warning: Bytecode not compiled for every process: python3 is not on the build PATH; the image starts without it\n",
  );
  assert.deepEqual(layerFiles(ws), NO_BYTECODE);
});

Deno.test("an earlier launch layer that sets PYTHONPYCACHEPREFIX: a warning and no layer", async () => {
  await using ws = await workspace();
  await withVenv(ws, { env: { "PYTHONPYCACHEPREFIX.override": "/elsewhere" } });
  const r = await buildIn(ws, "0.8", DIRECT);
  assertBuilt(r);
  assert.match(
    r.stderr,
    /^Warning: No precompiled bytecode: a launch layer of an earlier buildpack sets PYTHONPYCACHEPREFIX=\/elsewhere, so Python would not read this buildpack's; set BP_POETRY_RUN_BYTECODE=false to skip this step\n$/,
  );
  assert.deepEqual(layerFiles(ws), NO_BYTECODE);
});

Deno.test("a process that starts no Python: nothing to compile, no layer", async () => {
  await using ws = await workspace();
  await withVenv(ws);
  const r = await buildIn(ws, "0.8", {
    BP_POETRY_RUN_TARGET: "sh -c true",
    BP_POETRY_RUN_DIRECT: "true",
  });
  assertBuilt(r);
  assert.match(r.stdout, /\n {4}No process starts Python: nothing to compile\n\n$/);
  assert.deepEqual(layerFiles(ws), NO_BYTECODE);
});

Deno.test("a rebuild with the layers restored from the cache compiles only what changed, and keeps the rest byte for byte", async () => {
  await using ws = await workspace();
  const { site } = await withVenv(ws);
  await Deno.writeTextFile(join(ws.app, "app.py"), "X = 1\n");
  assertBuilt(await buildIn(ws, "0.8", DIRECT));
  const deps = join(ws.layers, "bytecode-deps", "pycache");
  const pyc = join(deps, site.slice(1), "webapp", `views.${TAG}.pyc`);
  const before = await Deno.readFile(pyc);
  // The lifecycle restores cache = true layers with their content (and their toml's metadata).
  await Deno.writeTextFile(join(ws.app, "app.py"), "X = 2\n");
  const r = await buildIn(ws, "0.8", DIRECT);
  assertBuilt(r);
  assert.match(r.stdout, /Keeping the previous build's bytecode where its sources did not change/);
  assert.match(
    r.stdout,
    /web \(Python [\d.]+\): \d+ modules, 1 compiled\n {4}1 module compiled \(0\.0 MiB\), \d+ kept, in/,
  );
  assert.deepEqual(await Deno.readFile(pyc), before);
  // A layer restored with another layout starts over.
  await Deno.writeTextFile(join(ws.layers, "bytecode-deps.toml"), "[metadata]\n  layout = 0\n");
  const over = await buildIn(ws, "0.8", DIRECT);
  assertBuilt(over);
  assert.match(over.stdout, /web \(Python [\d.]+\): (\d+) modules, (?!0 compiled)\d+ compiled/);
});
