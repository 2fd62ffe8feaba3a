import assert from "node:assert/strict";
import { lifecycleBuild, plainToml } from "../../kit/lifecycle.ts";
import { httpBody, launch, launchCommand, waitForOutput } from "../../kit/launcher.ts";
import { integrationTest } from "../_harness/suites.ts";

integrationTest("Poetry 2 app with only [project.scripts] starts and serves", async () => {
  await using build = await lifecycleBuild("project_scripts");
  assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
  assert.ok(build.buildOutput.includes("    web (default): poetry run serve\n"), build.buildOutput);
  await using web = await launch(build, "web");
  assert.match(
    await httpBody(web),
    /^hello/,
  );
});

integrationTest(
  "package-mode = false with [project.scripts]: the build fails in one line instead of an image that cannot start",
  async () => {
    await using build = await lifecycleBuild("no_package_mode");
    assert.equal(build.detectCode, 0, build.detectOutput);
    assert.equal(build.buildCode, 51, build.buildOutput);
    assert.match(
      build.buildOutput,
      /pyproject\.toml \[project\.scripts\] "web" cannot be started by poetry run: .*"poetry run web" fails with "Command not found"; remove package-mode = false so that Poetry installs the project\n/,
    );
    // What the image would have done: the same app built with the command forced (a
    // program in the venv) starts, and `poetry run web` in it fails as the message says.
    await using forced = await lifecycleBuild("no_package_mode", {
      env: { BP_POETRY_RUN_TARGET: "python -m app.server" },
    });
    assert.equal(forced.buildCode, 0, forced.buildOutput);
    const poetryRun = await launchCommand(forced, ["poetry", "run", "web"]);
    assert.notEqual(poetryRun.code, 0);
    assert.match(poetryRun.output, /Command not found: web/);
  },
);

integrationTest(
  "{ reference, type = console } in [tool.poetry.scripts]: build warns, and Poetry indeed fails",
  async () => {
    await using build = await lifecycleBuild("reference_form");
    assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
    assert.match(
      build.buildOutput,
      /"poetry run web" cannot start \(Poetry fails with KeyError 'callable'\)/,
    );
    await using web = await launch(build, "web");
    await waitForOutput(web, "'callable'", 30_000);
    assert.match(web.output(), /'callable'/);
  },
);

integrationTest(
  "several scripts including start: start is web, the others are process types",
  async () => {
    await using build = await lifecycleBuild("several_scripts");
    assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
    const md = plainToml(build.metadata) as { processes: { type: string; args: string[] }[] };
    assert.deepEqual(md.processes.map((p) => [p.type, ...p.args]).sort(), [
      ["migrate", "run", "migrate"],
      ["web", "run", "start"],
      ["worker", "run", "worker"],
    ]);
    await using web = await launch(build, "web");
    assert.match(await httpBody(web), /^hello/);
  },
);

integrationTest(
  "buildpack.toml api = 0.12: the lifecycle accepts array commands and the app starts",
  async () => {
    await using build = await lifecycleBuild("default_app", { api: "0.12" });
    assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
    assert.match(build.launch, /command = \[ "poetry", "run", "my script" \]/);
    assert.doesNotMatch(build.launch, /direct/);
    await using web = await launch(build, "web");
    assert.match(await httpBody(web), /^hello from default_app v1/);
  },
);
