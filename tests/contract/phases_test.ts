import assert from "node:assert/strict";
import { join } from "node:path";
import { parseToml } from "../../src/cnb/toml.ts";
import { REFERENCE_PLAN as PLAN } from "../_harness/helpers.ts";
import { denoTaskArgs } from "../../kit/paths.ts";
import { buildIn, detectIn, runPhase, workspace } from "../../kit/phase.ts";

const MY_SCRIPT =
  `[tool.poetry]\nname = "default_app"\n\n[tool.poetry.scripts]\n"my script" = "default_app.server:run"\n`;
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

for (const api of ["0.7", "0.8", "0.12"] as const) {
  Deno.test(`detect (API ${api}) passes on one script and writes the reference plan`, async () => {
    await using ws = await workspace(api);
    await Deno.writeTextFile(join(ws.app, "pyproject.toml"), MY_SCRIPT);
    const r = await detectIn(ws, api);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(await Deno.readTextFile(ws.detectPlan), PLAN);
  });
}

Deno.test("detect (API 0.8) fails with exit 100 and a message, writing no plan", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(
    join(ws.app, "pyproject.toml"),
    `[project.scripts]\na = "x:y"\nb = "x:z"\n`,
  );
  const r = await detectIn(ws);
  assert.equal(r.code, 100);
  assert.equal(
    r.stderr,
    `pyproject.toml has 2 scripts ("a", "b") and none is named web, start, serve, server; set BP_POETRY_RUN_TARGET to the one to run\n`,
  );
  assert.equal(await Deno.readTextFile(ws.detectPlan), "");
});

Deno.test("detect (API 0.8) fails without pyproject.toml", async () => {
  await using ws = await workspace();
  const r = await detectIn(ws);
  assert.equal(r.code, 100);
  assert.match(
    r.stderr,
    /^No pyproject\.toml in the app directory and BP_POETRY_RUN_TARGET is not set; /,
  );
});

Deno.test("detect (API 0.12) requires watchexec with BP_LIVE_RELOAD_ENABLED=true", async () => {
  await using ws = await workspace("0.12");
  const r = await detectIn(ws, "0.12", {
    BP_POETRY_RUN_TARGET: "python -m app",
    BP_LIVE_RELOAD_ENABLED: "true",
  });
  assert.equal(r.code, 0, r.stderr);
  const plan = parseToml(await Deno.readTextFile(ws.detectPlan));
  assert.deepEqual(plain(plan), {
    requires: ["cpython", "poetry", "poetry-venv", "watchexec"].map((name) => ({
      name,
      metadata: { launch: true },
    })),
  });
});

Deno.test("detect errors (exit 1) on a bad BP_LIVE_RELOAD_ENABLED", async () => {
  await using ws = await workspace();
  const r = await detectIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "x", BP_LIVE_RELOAD_ENABLED: "yes" });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `failed to parse BP_LIVE_RELOAD_ENABLED value yes: strconv.ParseBool: parsing "yes": invalid syntax\n`,
  );
});

Deno.test("detect through a bin/detect argv[0], no phase argument: API 0.8 (the inputs decide) and 0.7 (argv[0] decides)", async () => {
  for (const api of ["0.8", "0.7"] as const) {
    await using ws = await workspace(api);
    await Deno.writeTextFile(join(ws.app, "pyproject.toml"), MY_SCRIPT);
    const r = await detectIn(ws, api, {}, { argv0: join(ws.buildpack, "bin", "detect") });
    assert.equal(r.code, 0, `${api}: ${r.stderr}`);
    assert.equal(await Deno.readTextFile(ws.detectPlan), PLAN);
  }
});

Deno.test("build through a bin/build argv[0] with the lifecycle's API 0.8 inputs", async () => {
  await using ws = await workspace("0.8");
  await Deno.writeTextFile(join(ws.app, "pyproject.toml"), MY_SCRIPT);
  const r = await buildIn(ws, "0.8", {}, { argv0: join(ws.buildpack, "bin", "build") });
  assert.equal(r.code, 0, r.stderr);
  assert.match(await Deno.readTextFile(join(ws.layers, "launch.toml")), /"run", "my script"/);
});

Deno.test("build (API 0.8) writes the reference launch.toml and logs", async () => {
  await using ws = await workspace("0.8");
  await Deno.writeTextFile(join(ws.app, "pyproject.toml"), MY_SCRIPT);
  const r = await buildIn(ws, "0.8");
  assert.equal(r.code, 0, r.stderr);
  assert.ok(
    r.stdout.startsWith(
      "Paketo Buildpack for Poetry Run 1.2.3\n  Assigning launch processes:\n    web (default): poetry run my script\n\n",
    ),
    r.stdout,
  );
  assert.deepEqual(plain(parseToml(await Deno.readTextFile(join(ws.layers, "launch.toml")))), {
    processes: [{
      type: "web",
      command: "poetry",
      args: ["run", "my script"],
      direct: true,
      default: true,
    }],
  });
});

Deno.test("build (API 0.12) writes array commands without direct", async () => {
  await using ws = await workspace("0.12");
  const r = await buildIn(ws, "0.12", {
    BP_POETRY_RUN_TARGET: `gunicorn -b "0.0.0.0:8080" 'app:create()'`,
    BP_LIVE_RELOAD_ENABLED: "1",
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(plain(parseToml(await Deno.readTextFile(join(ws.layers, "launch.toml")))), {
    processes: [
      {
        type: "reload-web",
        command: [
          "watchexec",
          "--restart",
          "--watch",
          ws.app,
          "--shell",
          "none",
          "--",
          "poetry",
          "run",
          "gunicorn",
          "-b",
          "0.0.0.0:8080",
          "app:create()",
        ],
        default: true,
      },
      {
        type: "web",
        command: ["poetry", "run", "gunicorn", "-b", "0.0.0.0:8080", "app:create()"],
        default: false,
      },
    ],
  });
});

Deno.test("build (API 0.7) works from positional arguments alone", async () => {
  await using ws = await workspace("0.7");
  const r = await buildIn(ws, "0.7", { BP_POETRY_RUN_TARGET: "serve" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    await Deno.readTextFile(join(ws.layers, "launch.toml")),
    /command = "poetry"\nargs = \[ "run", "serve" \]\ndirect = true/,
  );
});

Deno.test("build dispatches on argv[0] and finds buildpack.toml two levels up", async () => {
  await using ws = await workspace("0.8");
  const r = await runPhase("build", {
    appDir: ws.app,
    api: "0.7",
    args: [ws.layers, ws.platform, ws.buildPlan],
    cnb: {},
    buildpackDir: "",
    bp: { BP_POETRY_RUN_TARGET: "x" },
    argv0: join(ws.buildpack, "bin", "build"),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Paketo Buildpack for Poetry Run 1\.2\.3\n/);
});

Deno.test("an unknown phase is a usage error (exit 2)", async () => {
  await using ws = await workspace();
  const r = await runPhase("detect", {
    appDir: ws.app,
    api: "0.8",
    args: ["frobnicate"],
    cnb: {},
    buildpackDir: ws.buildpack,
    argv0: "/x/bin/run",
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^unknown phase "frobnicate"; usage: /);
});

Deno.test("BP_LOG_LEVEL=debug prints the debug lines; INFO does not", async () => {
  await using ws = await workspace();
  const dbg = await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "a b", BP_LOG_LEVEL: "debug" });
  assert.match(
    dbg.stdout,
    / {2}Finding the poetry run target\n {4}Found BP_POETRY_RUN_TARGET=a b\n/,
  );
  const info = await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "a b", BP_LOG_LEVEL: "INFO" });
  assert.doesNotMatch(info.stdout, /Finding/);
});

Deno.test("deno task phase runs in the caller's directory (the app), as the lifecycle would", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(join(ws.app, "pyproject.toml"), MY_SCRIPT);
  const out = await new Deno.Command(Deno.execPath(), {
    args: denoTaskArgs("phase", ["detect", ws.platform, "../detect/plan.toml"]),
    cwd: ws.app,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "/" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(await Deno.readTextFile(ws.detectPlan), PLAN);
});

Deno.test("BP_POETRY_RUN_DIRECT=true (API 0.8): plan without poetry, launch.toml runs the script itself", async () => {
  await using ws = await workspace("0.8");
  await Deno.writeTextFile(join(ws.app, "pyproject.toml"), MY_SCRIPT);
  const bp = { BP_POETRY_RUN_DIRECT: "true" };
  const d = await detectIn(ws, "0.8", bp);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(
    await Deno.readTextFile(ws.detectPlan),
    PLAN.replace(
      `[[requires]]\n  name = "poetry"\n  [requires.metadata]\n    launch = true\n\n`,
      "",
    ),
  );
  const b = await buildIn(ws, "0.8", bp);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(plain(parseToml(await Deno.readTextFile(join(ws.layers, "launch.toml")))), {
    processes: [{ type: "web", command: "my script", args: [], direct: true, default: true }],
  });
  assert.match(b.stdout, /\n {4}web \(default\): my script\n\n/);
  assert.match(b.stdout, /\n {2}BP_POETRY_RUN_DIRECT: web starts directly/);
});

Deno.test("BP_POETRY_RUN_DIRECT=true (API 0.12): array commands without poetry", async () => {
  await using ws = await workspace("0.12");
  const bp = { BP_POETRY_RUN_DIRECT: "1", BP_POETRY_RUN_TARGET: "gunicorn -b :8080 app:app" };
  const b = await buildIn(ws, "0.12", bp);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(plain(parseToml(await Deno.readTextFile(join(ws.layers, "launch.toml")))), {
    processes: [{ type: "web", command: ["gunicorn", "-b", ":8080", "app:app"], default: true }],
  });
});

Deno.test("detect fails (100), not errors, on a bad switch when the buildpack does not apply", async () => {
  await using ws = await workspace();
  for (const bp of [{ BP_LIVE_RELOAD_ENABLED: "yes" }, { BP_POETRY_RUN_DIRECT: "yes" }]) {
    const r = await detectIn(ws, "0.8", bp);
    assert.equal(r.code, 100, r.stderr);
    assert.match(r.stderr, /^No pyproject\.toml in the app directory/);
  }
});
