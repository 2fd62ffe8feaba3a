/**
 * The bytecode layer through the real lifecycle and launcher: after the build
 * every file gets the exporter's modification time, the layer is made
 * read-only and HOME is new, as in a new container; the start must then read
 * every module from the layer. A writable copy of the tree, named by
 * PYTHONPYCACHEPREFIX as a user would set it, shows any module Python had to
 * compile (it writes the pyc there): none may be missing or rewritten.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { earlierBuildpacks, launchEnvironment } from "../../src/cnb/launch_env.ts";
import { asInAnImage, type Build, lifecycleBuild, planEntries } from "../../kit/lifecycle.ts";
import { httpBody, launch, launchCommand } from "../../kit/launcher.ts";
import { sh } from "../../kit/command.ts";
import { integrationTest } from "../_harness/suites.ts";

const BP = "paketo-buildpacks_poetry-run";

/** Files under a directory with their size and modification time. */
async function snapshot(dir: string): Promise<string[]> {
  return (await sh(`find "$1" -type f -printf '%P %s %T@\\n' | sort`, dir)).split("\n");
}

/** Starts web with a fresh HOME; then again with a writable copy of the tree. */
async function assertNothingCompiledAtStart(
  build: Build,
  body = /^hello from default_app/,
): Promise<void> {
  const tree = await asInAnImage(build);
  const home = join(build.root, "fresh-home");
  await Deno.mkdir(home);
  await sh(`chown 65534:65534 "$1"`, home);
  {
    await using web = await launch(build, "web", { home });
    assert.match(await httpBody(web), body);
  }
  assert.equal((await sh(`find "$1" -name '*.pyc' | wc -l`, home)).trim(), "0", "no pyc in HOME");

  const copy = join(build.root, "tree-copy");
  // -L: the tree's links to the deps layer's tree become the directories they name.
  await sh(`cp -aL "$1" "$2" && chmod -R u+w "$2" && chown -R 65534:65534 "$2"`, tree, copy);
  const before = await snapshot(copy);
  {
    await using web = await launch(build, "web", {
      home,
      env: { PYTHONPYCACHEPREFIX: copy },
    });
    assert.match(await httpBody(web), body);
  }
  const after = await snapshot(copy);
  const added = after.filter((f) => !before.includes(f));
  assert.deepEqual(added, [], "modules the start compiled itself (missing or stale pycs)");
}

integrationTest(
  "bytecode, poetry run: a start with the exporter's mtimes, a read-only layer and a fresh HOME compiles nothing",
  async () => {
    await using build = await lifecycleBuild("default_app");
    assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
    assert.match(
      build.buildOutput,
      /\n {2}Compiling bytecode \(BP_POETRY_RUN_BYTECODE=false turns this off\)\n {4}poetry \(Python [\d.]+\): \d+ modules, \d+ compiled\n {4}my script \(Python [\d.]+\): \d+ modules, \d+ compiled\n {4}\d+ modules compiled \([\d.]+ MiB\), 0 kept, in [\d.]+ s: /,
    );
    await assertNothingCompiledAtStart(build);
  },
);

for (const direct of [false, true]) {
  integrationTest(
    `bytecode, a rebuild after an app edit${
      direct ? ", BP_POETRY_RUN_DIRECT=true" : ""
    }: the cache's pycs are kept, the edited file compiled, and the new image's start compiles nothing`,
    async () => {
      await using first = await lifecycleBuild("default_app", {
        env: direct ? { BP_POETRY_RUN_DIRECT: "true" } : {},
      });
      assert.equal(first.buildCode, 0, first.detectOutput + first.buildOutput);
      const server = join(first.app, "default_app", "server.py");
      await Deno.writeTextFile(
        server,
        (await Deno.readTextFile(server)).replace('VERSION = "v1"', 'VERSION = "v2"'),
      );
      const second = await first.rebuild();
      assert.equal(second.buildCode, 0, second.buildOutput);
      assert.match(second.buildOutput, /Keeping the previous build's bytecode/);
      // The first process's job compiles the whole app directory, so it compiles the edit.
      const compiled = [...second.buildOutput.matchAll(/\): \d+ modules, (\d+) compiled/g)]
        .map((m) => Number(m[1]));
      assert.deepEqual(compiled, direct ? [1] : [1, 0], second.buildOutput);
      assert.match(second.buildOutput, / {4}1 module compiled \(0\.0 MiB\), \d+ kept, in /);
      await assertNothingCompiledAtStart(second, /^hello from default_app v2/);
    },
  );
}

integrationTest(
  "bytecode, BP_POETRY_RUN_DIRECT=true: a start as in a new container compiles nothing",
  async () => {
    await using build = await lifecycleBuild("default_app", {
      env: { BP_POETRY_RUN_DIRECT: "true" },
    });
    assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
    assert.doesNotMatch(build.buildOutput, / {4}poetry \(Python/, "Poetry does not start");
    await assertNothingCompiledAtStart(build);
  },
);

integrationTest(
  "BP_POETRY_RUN_BYTECODE=false: the same launch.toml, plan and processes, and no bytecode layer",
  async () => {
    await using on = await lifecycleBuild("default_app");
    await using off = await lifecycleBuild("default_app", {
      env: { BP_POETRY_RUN_BYTECODE: "false" },
    });
    assert.equal(off.buildCode, 0, off.buildOutput);
    assert.equal(off.launch, on.launch);
    assert.deepEqual(planEntries(off.plan), planEntries(on.plan));
    assert.equal(off.metadata, on.metadata);
    const layers = (b: Build) =>
      [...Deno.readDirSync(join(b.layers, BP))].map((e) => e.name).sort();
    assert.deepEqual(layers(off), ["launch.toml", "start", "start.toml"]);
    assert.deepEqual(layers(on), [
      "bytecode",
      "bytecode-deps",
      "bytecode-deps.toml",
      "bytecode-index.toml",
      "bytecode.toml",
      "launch.toml",
      "start",
      "start.toml",
    ]);
    assert.doesNotMatch(off.buildOutput, /Compiling bytecode/);
  },
);

integrationTest(
  "the launch environment worked out at build is the one the real launcher gives the process",
  async () => {
    await using build = await lifecycleBuild("default_app");
    assert.equal(build.buildCode, 0, build.buildOutput);
    const printed = await launchCommand(build, ["env"]);
    assert.equal(printed.code, 0, printed.output);
    const real = Object.fromEntries(
      printed.output.split("\n").filter((l) => l.includes("=")).map((l) => {
        const i = l.indexOf("=");
        return [l.slice(0, i), l.slice(i + 1)];
      }),
    );
    const { ids } = earlierBuildpacks(build.layers, "paketo-buildpacks/poetry-run");
    const worked = launchEnvironment({
      layersRoot: build.layers,
      buildpacks: ids,
      base: { PATH: "/usr/local/bin:/usr/bin:/bin" },
    });
    for (const name of ["PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "POETRY_VIRTUALENVS_PATH"]) {
      assert.equal(worked[name], real[name], name);
    }
    assert.equal(
      real.PYTHONPYCACHEPREFIX,
      join(build.layers, BP, "bytecode", "pycache"),
      "this layer's .default wins over cpython's exec.d",
    );
  },
);
