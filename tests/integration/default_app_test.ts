import assert from "node:assert/strict";
import { lifecycleBuild, plainToml } from "../../kit/lifecycle.ts";
import { httpBody, launch } from "../../kit/launcher.ts";
import { integrationTest } from "../_harness/suites.ts";

integrationTest(
  "default app: detected, built and started by the real launcher (reference case)",
  async () => {
    await using build = await lifecycleBuild("default_app");
    assert.equal(build.detectCode, 0, build.detectOutput);
    assert.equal(build.buildCode, 0, build.buildOutput);
    assert.match(build.group, /id = "paketo-buildpacks\/poetry-run"/);
    assert.doesNotMatch(build.group, /test\/watchexec/, "watchexec (optional) is not needed");
    assert.ok(
      build.buildOutput.includes(
        "Paketo Buildpack for Poetry Run 0.0.1\n  Assigning launch processes:\n    web (default): poetry run my script\n\n",
      ),
      build.buildOutput,
    );
    const md = plainToml(build.metadata);
    assert.equal(md["buildpack-default-process-type"], "web");
    await using web = await launch(build, "web");
    const body = await httpBody(web);
    assert.match(body, /^hello from default_app v1 \(pid \d+\)/);
  },
);

integrationTest("default app with BP_POETRY_RUN_TARGET: starts (reference case)", async () => {
  await using build = await lifecycleBuild("default_app", {
    env: { BP_POETRY_RUN_TARGET: "'my script'" },
  });
  assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
  assert.ok(
    build.buildOutput.includes("    web (default): poetry run my script\n"),
    build.buildOutput,
  );
  await using web = await launch(build, "web");
  assert.match(await httpBody(web), /^hello from default_app v1/);
});
