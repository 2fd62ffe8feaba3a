/**
 * versions.env is the one place versions are pinned: what else names a
 * version must agree with it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SUPPORTED_APIS } from "../../src/cnb/api.ts";
import { DENO_CLI } from "../../kit/package/deno_cli.ts";
import { DENO_VERSION } from "../../kit/package/denort.ts";
import { parseVersions, version } from "../../kit/versions.ts";
import { REPO_ROOT } from "../../kit/paths.ts";

Deno.test("versions.env: the Deno running the tests is the pinned one", () => {
  assert.equal(Deno.version.deno, version("DENO"));
  assert.equal(DENO_VERSION, version("DENO"));
});

Deno.test("versions.env: the go.mod files build the pinned lifecycle and pack", async () => {
  const lifecycle = await Deno.readTextFile(join(REPO_ROOT, "tools", "lifecycle", "go.mod"));
  assert.match(
    lifecycle,
    new RegExp(
      `^require github\\.com/buildpacks/lifecycle v${RegExp.escape(version("LIFECYCLE"))}$`,
      "m",
    ),
  );
  const pack = await Deno.readTextFile(join(REPO_ROOT, "tools", "pack", "go.mod"));
  assert.match(
    pack,
    new RegExp(`^require github\\.com/buildpacks/pack v${RegExp.escape(version("PACK"))}$`, "m"),
  );
});

Deno.test("versions.env: the Buildpack API list is src/cnb/api.ts's", () => {
  assert.deepEqual(version("BUILDPACK_APIS").split(" "), [...SUPPORTED_APIS]);
});

Deno.test("versions.env: the pinned Deno CLIs are its versions", () => {
  assert.equal(DENO_CLI["linux/amd64"]?.version, version("DENO"));
  assert.equal(DENO_CLI["linux/arm64"]?.version, version("DENO_ARM64"));
});

Deno.test("parseVersions() reads KEY=value lines, quoted values and comments; refuses anything else", () => {
  assert.deepEqual(parseVersions(`# c\nA=1\n\nB="x y"\n`), { A: "1", B: "x y" });
  assert.throws(() => parseVersions("A = 1\n"), SyntaxError);
  assert.throws(() => parseVersions("export A=1\n"), SyntaxError);
});

Deno.test("versions.env: nothing else pins these versions in scripts or CI", async () => {
  const pinned = ["DENO", "LIFECYCLE", "PACK", "POETRY", "WATCHEXEC", "CPYTHON", "PYFLAKES"].map((
    k,
  ) => version(k as Parameters<typeof version>[0]));
  const files = [".ci/run", "scripts/install-tools.sh", "tests/providers/poetry/bin/build"];
  for (const file of files) {
    const text = await Deno.readTextFile(join(REPO_ROOT, file));
    for (const v of pinned) {
      assert.ok(!text.includes(v), `${file} names ${v}: read it from versions.env`);
    }
  }
});
