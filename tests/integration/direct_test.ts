import assert from "node:assert/strict";
import { join } from "node:path";
import { launchRequirements, lifecycleBuild, plainToml } from "../../kit/lifecycle.ts";
import { httpBody, launch, launchCommand } from "../../kit/launcher.ts";
import { integrationTest } from "../_harness/suites.ts";

const DIRECT = { BP_POETRY_RUN_DIRECT: "true" };

const layerToml = async (layers: string, bp: string, layer: string) =>
  plainToml(await Deno.readTextFile(join(layers, bp, `${layer}.toml`))) as {
    types?: { launch?: boolean };
  };

integrationTest(
  "BP_POETRY_RUN_DIRECT=true, example app: no launch requirement for poetry, the script starts and serves",
  async () => {
    await using build = await lifecycleBuild("default_app", { env: DIRECT });
    assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
    assert.deepEqual(launchRequirements(build.plan), ["cpython", "poetry-venv"], build.plan);
    assert.equal(
      (await layerToml(build.layers, "test_poetry", "poetry")).types?.launch,
      false,
      "the Poetry layer is not a launch layer",
    );
    assert.ok(build.buildOutput.includes("    web (default): my script\n\n"), build.buildOutput);
    const md = plainToml(build.metadata) as { processes: { type: string; command: string[] }[] };
    assert.deepEqual(md.processes.map((p) => [p.type, ...p.command]), [["web", "my script"]]);
    await using web = await launch(build, "web");
    const body = await httpBody(web);
    assert.match(body, /^hello from default_app v1/);
  },
);

integrationTest(
  "BP_POETRY_RUN_DIRECT: Poetry is absent from the launch environment; with poetry run it is importable",
  async () => {
    // cleo is one of Poetry's own packages, never declared by the app.
    const probe = ["python3", "-c", "import cleo; print('cleo importable')"];
    await using direct = await lifecycleBuild("default_app", { env: DIRECT });
    assert.equal(direct.buildCode, 0, direct.buildOutput);
    const withoutPoetry = await launchCommand(direct, probe);
    assert.notEqual(withoutPoetry.code, 0, withoutPoetry.output);
    assert.match(withoutPoetry.output, /ModuleNotFoundError: No module named 'cleo'/);
    const noPoetryCommand = await launchCommand(direct, ["sh", "-c", "command -v poetry"]);
    assert.notEqual(
      noPoetryCommand.code,
      0,
      `poetry on the launch PATH: ${noPoetryCommand.output}`,
    );

    await using viaPoetry = await lifecycleBuild("default_app");
    assert.equal(viaPoetry.buildCode, 0, viaPoetry.buildOutput);
    const withPoetry = await launchCommand(viaPoetry, probe);
    assert.equal(withPoetry.code, 0, withPoetry.output);
    assert.match(withPoetry.output, /cleo importable/);

    // What the app sees: poetry run adds VIRTUAL_ENV; a direct start does not.
    const venv = [
      "python3",
      "-c",
      "import os; print('VIRTUAL_ENV=' + str(os.environ.get('VIRTUAL_ENV')))",
    ];
    const underPoetry = await launchCommand(viaPoetry, ["poetry", "run", ...venv]);
    assert.match(underPoetry.output, /VIRTUAL_ENV=\/.*poetry-venv\//, underPoetry.output);
    const directly = await launchCommand(direct, venv);
    assert.match(directly.output, /VIRTUAL_ENV=None/, directly.output);
  },
);

integrationTest("BP_POETRY_RUN_DIRECT=true, [project.scripts] app starts and serves", async () => {
  await using build = await lifecycleBuild("project_scripts", { env: DIRECT });
  assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
  assert.deepEqual(launchRequirements(build.plan), ["cpython", "poetry-venv"]);
  await using web = await launch(build, "web");
  assert.match(
    await httpBody(web),
    /^hello/,
  );
});

integrationTest(
  "BP_POETRY_RUN_DIRECT=true starts the { reference } app that poetry run cannot",
  async () => {
    await using build = await lifecycleBuild("reference_form", { env: DIRECT });
    assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
    assert.doesNotMatch(build.buildOutput, /KeyError/, "no warning: the direct start works");
    await using web = await launch(build, "web");
    assert.match(
      await httpBody(web),
      /^hello/,
    );
  },
);

integrationTest(
  "BP_POETRY_RUN_DIRECT=true with [project.scripts] and package-mode = false: build fails in one clear line",
  async () => {
    await using build = await lifecycleBuild("no_package_mode", { env: DIRECT });
    assert.equal(build.detectCode, 0, build.detectOutput);
    assert.equal(build.buildCode, 51, build.buildOutput);
    assert.match(
      build.buildOutput,
      /pyproject\.toml \[project\.scripts\] "web" cannot be started directly or by poetry run: .*remove package-mode = false so that Poetry installs the project\n/,
    );
  },
);

integrationTest(
  "BP_POETRY_RUN_DIRECT=true with live reload: reload-web restarts the directly started server",
  async () => {
    await using build = await lifecycleBuild("default_app", {
      env: { ...DIRECT, BP_LIVE_RELOAD_ENABLED: "true" },
    });
    assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
    assert.deepEqual(launchRequirements(build.plan), ["cpython", "poetry-venv", "watchexec"]);
    await using proc = await launch(build, "reload-web");
    const first = await httpBody(proc);
    const server = join(build.app, "default_app", "server.py");
    await Deno.writeTextFile(
      server,
      (await Deno.readTextFile(server)).replace('VERSION = "v1"', 'VERSION = "v2"'),
    );
    const second = await httpBody(proc, 30_000, first);
    assert.match(second, /^hello from default_app v2/);
  },
);

integrationTest(
  "the poetry-venv looks like the real poetry-install's: one site-packages, the cpython layer's Python",
  async () => {
    await using build = await lifecycleBuild("default_app");
    assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
    const venvs = join(build.layers, "test_poetry-install", "poetry-venv");
    const [venv] = [...Deno.readDirSync(venvs)].filter((e) => e.isDirectory && e.name !== "env");
    assert.ok(venv, `no venv in ${venvs}`);
    const lib = join(venvs, venv.name, "lib");
    const packages = [...Deno.readDirSync(lib)].flatMap((py) =>
      [...Deno.readDirSync(join(lib, py.name))].map((e) => e.name).filter((n) =>
        n.endsWith("-packages")
      )
    );
    assert.deepEqual(packages, ["site-packages"], "Debian's python3 adds dist-packages");
    const version = await launchCommand(build, [
      "python3",
      "-c",
      "import sys; print(sys.version.split()[0], sys.base_prefix)",
    ]);
    assert.match(version.output, /^3\.11\.7 \/.*\/cpython\n/, version.output);
  },
);
