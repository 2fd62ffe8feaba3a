import assert from "node:assert/strict";
import { absolutePath, baseName, dirName, joinPath } from "../../src/cnb/posix_path.ts";

Deno.test("posix path helpers agree with node:path on the shapes the phases use", async () => {
  const path = await import("node:path");
  for (
    const p of ["/a/b/c", "/a/b/", "bin/detect", "detect", "/", "/cnb/buildpacks/x/0.1/bin/build"]
  ) {
    assert.equal(baseName(p), path.basename(p), `baseName(${p})`);
    assert.equal(dirName(p), path.dirname(p), `dirName(${p})`);
  }
  assert.equal(joinPath("/layers/", "launch.toml"), "/layers/launch.toml");
  assert.equal(joinPath("/a", "", "b//c"), "/a/b/c");
  assert.equal(absolutePath("/w", "bin/detect"), "/w/bin/detect");
  assert.equal(absolutePath("/w", "/x/bin/detect"), "/x/bin/detect");
});
