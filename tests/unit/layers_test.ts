import assert from "node:assert/strict";
import { join } from "node:path";
import { layerName, layerToml } from "../../src/cnb/layers.ts";
import { openLayerStore, removeLayer, writeLayers } from "../../src/cnb/layer_store.ts";
import { tempDir } from "../../kit/files.ts";

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("layerName() accepts file-name-safe names and refuses the lifecycle's own", () => {
  for (const ok of ["bytecode", "a.b_c-9"]) assert.equal(layerName(ok), ok);
  for (const bad of ["", "build", "launch", "store", "a/b", "..", "my layer"]) {
    assert.throws(() => layerName(bad), TypeError, bad);
  }
});

Deno.test("layerToml() writes [types] with every flag, and [metadata] when given", () => {
  assert.equal(
    layerToml({ name: layerName("x"), types: { launch: true } }),
    "[types]\n  launch = true\n  build = false\n  cache = false\n",
  );
  assert.equal(
    layerToml({
      name: layerName("x"),
      types: { build: true, cache: true },
      metadata: { python: "3.11.7", modules: 3, hash: true },
    }),
    "[types]\n  launch = false\n  build = true\n  cache = true\n\n[metadata]\n" +
      '  "python" = "3.11.7"\n  "modules" = 3\n  "hash" = true\n',
  );
  assert.throws(
    () => layerToml({ name: layerName("x"), types: {}, metadata: { n: NaN } }),
    TypeError,
  );
});

Deno.test("writeLayers() writes the env files, the delimiter and the toml; no temporary files", async () => {
  await using dir = await tempDir();
  writeLayers(dir.path, [{
    name: layerName("bytecode"),
    types: { launch: true },
    env: [
      { scope: "env.launch", name: "PYTHONPYCACHEPREFIX", action: "default", value: "/x/pycache" },
      { scope: "env", name: "PATH", action: "prepend", value: "/x/bin", delim: ":" },
      { scope: "env.launch", process: "web", name: "PORT", action: "default", value: "8080" },
    ],
  }]);
  assert.deepEqual(names(dir.path), ["bytecode", "bytecode.toml"]);
  assert.equal(
    await Deno.readTextFile(
      join(dir.path, "bytecode", "env.launch", "PYTHONPYCACHEPREFIX.default"),
    ),
    "/x/pycache",
  );
  assert.deepEqual(names(join(dir.path, "bytecode", "env")), ["PATH.delim", "PATH.prepend"]);
  assert.equal(await Deno.readTextFile(join(dir.path, "bytecode", "env", "PATH.delim")), ":");
  assert.equal(
    await Deno.readTextFile(join(dir.path, "bytecode", "env.launch", "web", "PORT.default")),
    "8080",
  );
  assert.match(await Deno.readTextFile(join(dir.path, "bytecode.toml")), /launch = true/);
});

Deno.test("writeLayers() refuses a bad variable name, a delimiter on default, a process dir outside env.launch, a layer twice; before writing anything", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, "kept.toml"), "");
  const base = { scope: "env" as const, action: "default" as const, value: "v" };
  const bad = [
    [{ name: layerName("l"), types: {}, env: [{ ...base, name: "A.B" }] }],
    [{ name: layerName("l"), types: {}, env: [{ ...base, name: "A", delim: ":" }] }],
    [{ name: layerName("l"), types: {}, env: [{ ...base, name: "A", process: "web" }] }],
    [{
      name: layerName("l"),
      types: {},
      env: [{ ...base, scope: "env.launch" as const, name: "A", process: "a b" }],
    }],
    [{ name: layerName("l"), types: {} }, { name: layerName("l"), types: {} }],
  ];
  for (const layers of bad) assert.throws(() => writeLayers(dir.path, layers), TypeError);
  assert.deepEqual(names(dir.path), ["kept.toml"], "nothing written, nothing removed");
});

Deno.test("writeLayers() removes every layer not declared (restored tomls, cached content, SBOMs) and replaces a declared layer's environment", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "old", "pycache"), { recursive: true });
  await Deno.writeTextFile(join(dir.path, "old.toml"), "[metadata]\nkey = 1\n");
  await Deno.writeTextFile(join(dir.path, "gone.toml"), "");
  await Deno.writeTextFile(join(dir.path, "gone.sbom.cdx.json"), "{}");
  await Deno.writeTextFile(join(dir.path, "launch.toml"), "");
  await Deno.writeTextFile(join(dir.path, "launch.sbom.cdx.json"), "{}");
  await Deno.mkdir(join(dir.path, "kept", "env.launch"), { recursive: true });
  await Deno.writeTextFile(join(dir.path, "kept", "env.launch", "STALE.default"), "x");
  await Deno.writeTextFile(join(dir.path, "kept", "content"), "c");
  writeLayers(dir.path, [{
    name: layerName("kept"),
    types: { launch: true },
    env: [{ scope: "env.launch", name: "NEW", action: "override", value: "1" }],
  }]);
  assert.deepEqual(names(dir.path), ["kept", "kept.toml", "launch.sbom.cdx.json", "launch.toml"]);
  assert.deepEqual(names(join(dir.path, "kept")), ["content", "env.launch"]);
  assert.deepEqual(names(join(dir.path, "kept", "env.launch")), ["NEW.override"]);
});

Deno.test("openLayerStore(): a handle reports the restored metadata and content, resets, writes files and links inside the layer only", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "cached", "pycache"), { recursive: true });
  await Deno.writeTextFile(
    join(dir.path, "cached.toml"),
    '[metadata]\n  key = "abc"\n  count = 3\n  flag = true\n  [metadata.nested]\n    x = 1\n',
  );
  await Deno.writeTextFile(join(dir.path, "bare.toml"), "[metadata]\n  key = 1\n");
  const store = openLayerStore(dir.path);
  const cached = store.layer(layerName("cached"));
  assert.deepEqual(cached.restored, {
    metadata: { key: "abc", count: 3, flag: true },
    hasContent: true,
  });
  assert.deepEqual(store.layer(layerName("bare")).restored, {
    metadata: { key: 1 },
    hasContent: false,
  });
  assert.equal(store.layer(layerName("none")).restored, undefined);

  cached.reset();
  assert.deepEqual(names(cached.path), []);
  assert.ok(!names(dir.path).includes("cached.toml"), "reset removes the restored toml");
  cached.writeFile("a/b/serve.py", "print(1)\n", 0o755);
  assert.equal(await Deno.readTextFile(join(cached.path, "a", "b", "serve.py")), "print(1)\n");
  assert.equal(
    ((await Deno.stat(join(cached.path, "a", "b", "serve.py"))).mode ?? 0) & 0o777,
    0o755,
  );
  cached.symlink("link", "../elsewhere");
  cached.symlink("link", "../again");
  assert.equal(await Deno.readLink(join(cached.path, "link")), "../again");
  cached.makeDir("x/y");
  assert.ok((await Deno.stat(join(cached.path, "x", "y"))).isDirectory);
  for (const bad of ["", "/abs", "../out", "a/../../out", "a//b"]) {
    assert.throws(() => cached.writeFile(bad, ""), TypeError, bad);
  }
});

Deno.test("a handle's reset() removes a restored toml, old content and SBOM files; removeLayer() is fine with nothing", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "bytecode", "pycache"), { recursive: true });
  await Deno.writeTextFile(join(dir.path, "bytecode", "pycache", "old.pyc"), "old");
  await Deno.writeTextFile(join(dir.path, "bytecode.toml"), "[types]\nlaunch = true\n");
  await Deno.writeTextFile(join(dir.path, "bytecode.sbom.cdx.json"), "{}");
  await Deno.writeTextFile(join(dir.path, "other.toml"), "");
  const layer = openLayerStore(dir.path).layer(layerName("bytecode"));
  layer.reset();
  const fresh = layer.path;
  assert.equal(fresh, join(dir.path, "bytecode"));
  assert.deepEqual(names(dir.path), ["bytecode", "other.toml"]);
  assert.deepEqual(names(fresh), []);
  removeLayer(dir.path, layerName("bytecode"));
  assert.deepEqual(names(dir.path), ["other.toml"]);
  removeLayer(dir.path, layerName("bytecode"));
  removeLayer(join(dir.path, "no-such-dir"), layerName("bytecode"));
});
