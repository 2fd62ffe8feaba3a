import assert from "node:assert/strict";
import { join } from "node:path";
import { lifecycleBuild, planEntries } from "../../kit/lifecycle.ts";
import { integrationTest } from "../_harness/suites.ts";

async function appWith(pyproject: string): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "poetry-run-app-" });
  await Deno.writeTextFile(join(path, "pyproject.toml"), pyproject);
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

integrationTest(
  "zero scripts: the group fails detection with our reason in the detector output",
  async () => {
    await using app = await appWith(`[tool.poetry]\nname = "x"\n`);
    await using build = await lifecycleBuild(app.path, { detectOnly: true });
    assert.equal(build.detectCode, 20, build.detectOutput);
    assert.match(
      build.detectOutput,
      /has no script in \[project\.scripts\] or \[tool\.poetry\.scripts\]/,
    );
    assert.match(build.detectOutput, /fail: paketo-buildpacks\/poetry-run@0\.0\.1/);
  },
);

integrationTest("several unconventional scripts: the group fails, listing them", async () => {
  await using app = await appWith(`[project.scripts]\nmigrate = "a:b"\nworker = "a:c"\n`);
  await using build = await lifecycleBuild(app.path, { detectOnly: true });
  assert.equal(build.detectCode, 20, build.detectOutput);
  assert.match(
    build.detectOutput,
    /2 scripts \("migrate", "worker"\) and none is named web, start, serve, server/,
  );
});

integrationTest(
  "malformed pyproject.toml: detect errors with file:line:col in the detector output",
  async () => {
    await using app = await appWith(`[project]\nname = "x"\n[project.scripts\nweb = "a:b"\n`);
    await using build = await lifecycleBuild(app.path, { detectOnly: true });
    assert.equal(build.detectCode, 21, build.detectOutput);
    assert.match(build.detectOutput, /pyproject\.toml:3:\d+: .*; fix the TOML syntax/);
    assert.match(build.detectOutput, /err: {2}paketo-buildpacks\/poetry-run@0\.0\.1 \(1\)/);
  },
);

integrationTest(
  "detect for 20 apps in parallel gives the same results as one at a time",
  async () => {
    const texts = Array.from(
      { length: 20 },
      (_, i) =>
        i % 3 === 0
          ? `[project.scripts]\nweb${i} = "a:b"\n`
          : i % 3 === 1
          ? `[project.scripts]\nx = "a:b"\ny = "a:c"\n`
          : `[project.scripts]\nstart = "a:b"\nother${i} = "a:c"\n`,
    );
    const run = async (text: string) => {
      await using app = await appWith(text);
      await using build = await lifecycleBuild(app.path, { detectOnly: true });
      return `${build.detectCode}\n${planEntries(build.plan).join("\n")}`;
    };
    const sequential: string[] = [];
    for (const text of texts) {
      sequential.push(await run(text));
    }
    const parallel = await Promise.all(texts.map(run));
    assert.deepEqual(parallel, sequential);
    assert.deepEqual(
      sequential.map((r) => r.split("\n")[0]),
      texts.map((_, i) => (i % 3 === 1 ? "20" : "0")),
    );
  },
);
