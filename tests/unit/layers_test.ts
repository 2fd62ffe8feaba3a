import assert from "node:assert/strict";
import { join } from "node:path";
import { layerName, layerToml, removeLayer, resetLayer, writeLayer } from "../../src/cnb/layers.ts";
import { tempDir } from "../_harness/helpers.ts";

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

Deno.test("writeLayer() writes the env files, the delimiter and the toml; no temporary files", async () => {
  await using dir = await tempDir();
  writeLayer(dir.path, {
    name: layerName("bytecode"),
    types: { launch: true },
    env: [
      { scope: "env.launch", name: "PYTHONPYCACHEPREFIX", action: "default", value: "/x/pycache" },
      { scope: "env", name: "PATH", action: "prepend", value: "/x/bin", delim: ":" },
    ],
  });
  assert.deepEqual(names(dir.path), ["bytecode", "bytecode.toml"]);
  assert.equal(
    await Deno.readTextFile(
      join(dir.path, "bytecode", "env.launch", "PYTHONPYCACHEPREFIX.default"),
    ),
    "/x/pycache",
  );
  assert.deepEqual(names(join(dir.path, "bytecode", "env")), ["PATH.delim", "PATH.prepend"]);
  assert.equal(await Deno.readTextFile(join(dir.path, "bytecode", "env", "PATH.delim")), ":");
  assert.match(await Deno.readTextFile(join(dir.path, "bytecode.toml")), /launch = true/);
});

Deno.test("writeLayer() refuses a variable name a shell could not hold, and a delimiter on default", async () => {
  await using dir = await tempDir();
  const base = { scope: "env" as const, action: "default" as const, value: "v" };
  assert.throws(
    () =>
      writeLayer(dir.path, { name: layerName("l"), types: {}, env: [{ ...base, name: "A.B" }] }),
    TypeError,
  );
  assert.throws(
    () =>
      writeLayer(dir.path, {
        name: layerName("l"),
        types: {},
        env: [{ ...base, name: "A", delim: ":" }],
      }),
    TypeError,
  );
});

Deno.test("resetLayer() removes a restored toml, old content and SBOM files; removeLayer() is fine with nothing", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "bytecode", "pycache"), { recursive: true });
  await Deno.writeTextFile(join(dir.path, "bytecode", "pycache", "old.pyc"), "old");
  await Deno.writeTextFile(join(dir.path, "bytecode.toml"), "[types]\nlaunch = true\n");
  await Deno.writeTextFile(join(dir.path, "bytecode.sbom.cdx.json"), "{}");
  await Deno.writeTextFile(join(dir.path, "other.toml"), "");
  const fresh = resetLayer(dir.path, layerName("bytecode"));
  assert.equal(fresh, join(dir.path, "bytecode"));
  assert.deepEqual(names(dir.path), ["bytecode", "other.toml"]);
  assert.deepEqual(names(fresh), []);
  removeLayer(dir.path, layerName("bytecode"));
  assert.deepEqual(names(dir.path), ["other.toml"]);
  removeLayer(dir.path, layerName("bytecode"));
  removeLayer(join(dir.path, "no-such-dir"), layerName("bytecode"));
});
