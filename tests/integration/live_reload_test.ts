import assert from "node:assert/strict";
import { join } from "node:path";
import { lifecycleBuild, plainToml } from "../../kit/lifecycle.ts";
import { httpBody, launch } from "../../kit/launcher.ts";
import { integrationTest } from "../_harness/suites.ts";

integrationTest(
  "live reload: reload-web is the default and restarts the server on a source change",
  async () => {
    await using build = await lifecycleBuild("default_app", {
      env: { BP_LIVE_RELOAD_ENABLED: "true" },
    });
    assert.equal(build.buildCode, 0, build.detectOutput + build.buildOutput);
    assert.match(
      build.group,
      /id = "test\/watchexec"/,
      "the optional watchexec provider takes part",
    );
    const plan = plainToml(build.plan) as { entries: { requires: { name: string }[] }[] };
    assert.ok(plan.entries.some((e) => e.requires.some((r) => r.name === "watchexec")), build.plan);
    assert.ok(
      build.buildOutput.includes(
        "  Assigning launch processes:\n" +
          `    reload-web (default): watchexec --restart --watch ${build.app} --shell none -- poetry run my script\n` +
          "    web:                  poetry run my script\n\n",
      ),
      build.buildOutput,
    );
    assert.equal(plainToml(build.metadata)["buildpack-default-process-type"], "reload-web");

    await using proc = await launch(build, "reload-web");
    const first = await httpBody(proc);
    assert.match(first, /^hello from default_app v1/);
    const server = join(build.app, "default_app", "server.py");
    const source = await Deno.readTextFile(server);
    await Deno.writeTextFile(server, source.replace('VERSION = "v1"', 'VERSION = "v2"'));
    const second = await httpBody(proc, 30_000, first);
    assert.match(second, /^hello from default_app v2 \(pid \d+\)/);
    assert.notEqual(first.match(/pid (\d+)/)?.[1], second.match(/pid (\d+)/)?.[1], "a new process");
  },
);
