/**
 * The daemon flow a laptop user takes: the `.cnb` file and the stand-ins by
 * `-b`, a trusted local builder, images kept in the daemon; then the images
 * in real containers.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fixtureCopy } from "../../kit/fixtures.ts";
import { join } from "node:path";
import { waitForHttp } from "../../kit/http.ts";
import { REPO_ROOT } from "../../kit/paths.ts";
import { runPack } from "../../kit/package/pack.ts";
import { imageSize, launchLayers, PACK, packBuild, serve, writtenPycs } from "../../kit/e2e.ts";
import { tempDir } from "../../kit/files.ts";
import { type E2e } from "../_harness/suites.ts";

const EXAMPLE = join(REPO_ROOT, "examples", "default_app");
const BYTECODE_LAYER = "paketo-buildpacks/poetry-run:bytecode";

/**
 * Registers the daemon-flow tests.
 *
 * @param e2e The suite.
 */
export function daemonCases(e2e: E2e): void {
  e2e.test(
    "pack build: the example app, started by the image's default process, serves HTTP 200",
    async (s) => {
      const built = await packBuild(s, "poetry-run-e2e/example", { app: EXAMPLE });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      assert.ok(
        built.stdout.includes(
          "Paketo Buildpack for Poetry Run 0.0.1\n  Assigning launch processes:\n    web (default): poetry run web\n",
        ),
        built.stdout,
      );
      assert.match(built.stdout, /Setting default process type 'web'/);
      const [c, body] = await serve(s, "poetry-run-e2e/example");
      await using _c = c;
      assert.match(body, /^hello from default_app/);
      const layers = await launchLayers(s, "poetry-run-e2e/example");
      assert.ok(layers.includes("test/poetry:poetry"), "poetry run needs the Poetry layer");
      assert.ok(layers.includes(BYTECODE_LAYER), layers.join(", "));
      assert.deepEqual(await writtenPycs(s, c), [], "a new container compiles nothing");
      await imageSize(
        s,
        "poetry-run-e2e/example",
        "example app, poetry run (the reference's start)",
      );
    },
  );

  e2e.test(
    "pack build with BP_POETRY_RUN_DIRECT=true: no Poetry layer in the image, and it serves",
    async (s) => {
      const built = await packBuild(s, "poetry-run-e2e/example-direct", {
        app: EXAMPLE,
        env: { BP_POETRY_RUN_DIRECT: "true" },
      });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      assert.ok(built.stdout.includes("    web (default): web\n"), built.stdout);
      const layers = await launchLayers(s, "poetry-run-e2e/example-direct");
      assert.ok(!layers.includes("test/poetry:poetry"), layers.join(", "));
      assert.ok(layers.includes("test/poetry-install:poetry-venv"), layers.join(", "));
      assert.ok(layers.includes(BYTECODE_LAYER), layers.join(", "));
      const [c, body] = await serve(s, "poetry-run-e2e/example-direct");
      await using _c = c;
      assert.match(body, /^hello from default_app/);
      assert.deepEqual(await writtenPycs(s, c), [], "a new container compiles nothing");
      const direct = await imageSize(
        s,
        "poetry-run-e2e/example-direct",
        "example app, BP_POETRY_RUN_DIRECT=true",
      );
      const viaPoetry = await imageSize(s, "poetry-run-e2e/example");
      assert.ok(direct < viaPoetry, `direct ${direct} B, poetry run ${viaPoetry} B`);
      console.log(
        `    [e2e] BP_POETRY_RUN_DIRECT image is ${
          ((viaPoetry - direct) / 1024 / 1024).toFixed(1)
        } MiB smaller`,
      );
    },
  );

  e2e.test(
    "pack build with BP_POETRY_RUN_BYTECODE=false: no bytecode layer; a new container compiles its modules",
    async (s) => {
      const built = await packBuild(s, "poetry-run-e2e/example-no-bytecode", {
        app: EXAMPLE,
        env: { BP_POETRY_RUN_BYTECODE: "false" },
      });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      assert.doesNotMatch(built.stdout, /Compiling bytecode/);
      const layers = await launchLayers(s, "poetry-run-e2e/example-no-bytecode");
      assert.ok(!layers.includes(BYTECODE_LAYER), layers.join(", "));
      const [c, body] = await serve(s, "poetry-run-e2e/example-no-bytecode");
      await using _c = c;
      assert.match(body, /^hello from default_app/);
      const written = await writtenPycs(s, c);
      assert.ok(
        written.some((l) => l.includes("/home/cnb/.pycache/")),
        `the cpython stand-in's exec.d prefix under HOME is used: ${
          written.slice(0, 3).join(", ")
        }`,
      );
      await imageSize(
        s,
        "poetry-run-e2e/example-no-bytecode",
        "example app, BP_POETRY_RUN_BYTECODE=false",
      );
    },
  );

  e2e.test("pack build: an app with only [project.scripts] serves HTTP 200", async (s) => {
    await using app = await fixtureCopy("project_scripts");
    const built = await packBuild(s, "poetry-run-e2e/project-scripts", {
      app: app.path,
    });
    assert.equal(built.code, 0, built.stdout + built.stderr);
    assert.ok(built.stdout.includes("    web (default): poetry run serve\n"), built.stdout);
    const [c, body] = await serve(s, "poetry-run-e2e/project-scripts");
    await using _c = c;
    assert.match(body, /^hello/);
    await imageSize(s, "poetry-run-e2e/project-scripts", "[project.scripts] app");
  });

  e2e.test(
    "pack build: several scripts; web serves and docker run --entrypoint worker runs the worker",
    async (s) => {
      await using app = await fixtureCopy("several_scripts");
      const built = await packBuild(s, "poetry-run-e2e/several", {
        app: app.path,
      });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      const [c, body] = await serve(s, "poetry-run-e2e/several");
      await using _c = c;
      assert.match(body, /^hello/);
      const worker = await s.docker([
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "worker",
        "poetry-run-e2e/several",
      ]);
      assert.equal(worker.code, 0, worker.stdout + worker.stderr);
      assert.match(worker.stdout, /^migrated$/m);
      await imageSize(s, "poetry-run-e2e/several", "several scripts");
    },
  );

  e2e.test(
    "pack build with BP_POETRY_RUN_TARGET (quoted words through pack --env) serves HTTP 200",
    async (s) => {
      const target = `python -c 'from default_app.server import run; run()'`;
      await using app = await fixtureCopy("default_app");
      const built = await packBuild(s, "poetry-run-e2e/target", {
        app: app.path,
        env: { BP_POETRY_RUN_TARGET: target },
      });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      assert.ok(
        built.stdout.includes(
          "    web (default): poetry run python -c from default_app.server import run; run()\n",
        ),
        built.stdout,
      );
      const [c, body] = await serve(s, "poetry-run-e2e/target");
      await using _c = c;
      assert.match(body, /^hello from default_app v1/);
      await imageSize(s, "poetry-run-e2e/target", "BP_POETRY_RUN_TARGET");
    },
  );

  e2e.test(
    "pack build with live reload: editing a file in the running container restarts the app",
    async (s) => {
      await using app = await fixtureCopy("default_app");
      const built = await packBuild(s, "poetry-run-e2e/reload", {
        app: app.path,
        env: { BP_LIVE_RELOAD_ENABLED: "true" },
        watchexec: true,
      });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      assert.match(
        built.stdout,
        /reload-web \(default\): watchexec --restart --watch \/workspace --shell none -- poetry run my script/,
      );
      assert.match(built.stdout, /Setting default process type 'reload-web'/);
      const [c, first] = await serve(s, "poetry-run-e2e/reload");
      await using _c = c;
      assert.match(first, /^hello from default_app v1/);
      const edit = await s.docker([
        "exec",
        c.id,
        "sed",
        "-i",
        's/VERSION = "v1"/VERSION = "v2"/',
        "/workspace/default_app/server.py",
      ]);
      assert.equal(edit.code, 0, edit.stdout + edit.stderr);
      const { body: second } = await waitForHttp(c.port, { differentFrom: first }).catch(
        async (e: unknown) => {
          throw new Error(`${e}\n--- container output ---\n${await c.logs()}`);
        },
      );
      assert.match(second, /^hello from default_app v2/);
      assert.notEqual(
        first.match(/pid (\d+)/)?.[1],
        second.match(/pid (\d+)/)?.[1],
        "a new process",
      );
      await imageSize(s, "poetry-run-e2e/reload", "live reload (watchexec layer)");
    },
  );

  e2e.test("pack writes the same linux/amd64 .cnb again from the same package", async (s) => {
    await using dir = await tempDir("pr-cnb-");
    const again = join(dir.path, "again.cnb");
    await runPack(PACK, join(s.packageDir, "buildpack"), { kind: "file", path: again }, [
      "linux/amd64",
    ]);
    assert.deepEqual(await Deno.readFile(again), await Deno.readFile(s.buildpackage));
  });
}
