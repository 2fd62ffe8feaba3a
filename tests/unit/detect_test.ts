import assert from "node:assert/strict";
import { openLayerStore } from "../../src/cnb/layer_store.ts";
import { BuildpackError } from "../../src/cnb/errors.ts";
import { buildPlanToml } from "../../src/cnb/plan.ts";
import { poetryDetect as detect, requiredPlan } from "../../src/poetry/detect.ts";
import type { PoetryContext } from "../../src/poetry/resolve.ts";
import { parsePyProject, type PyProject } from "../../src/poetry/pyproject.ts";
import { recordingLogger, REFERENCE_PLAN } from "../_harness/helpers.ts";

function context(opts: {
  target?: string;
  liveReload?: string;
  direct?: string;
  pyproject?: string | null;
}): PoetryContext & { loads: () => number; err: () => string; out: () => string } {
  const { logger, err, out } = recordingLogger(true);
  let loads = 0;
  return {
    appDir: "/nonexistent-app",
    env: (name: string) =>
      ({
        BP_POETRY_RUN_TARGET: opts.target,
        BP_LIVE_RELOAD_ENABLED: opts.liveReload,
        BP_POETRY_RUN_DIRECT: opts.direct,
      } as Record<string, string | undefined>)[name],
    logger,
    loadPyProject: (): Promise<PyProject | null> => {
      loads++;
      const text = opts.pyproject ?? null;
      return Promise.resolve(text === null ? null : parsePyProject(text));
    },
    loads: () => loads,
    err,
    out,
  };
}

// Ported from the reference's detect_test.go, as behaviour.
Deno.test("detect() passes on BP_POETRY_RUN_TARGET without reading pyproject.toml (reference case)", async () => {
  const ctx = context({ target: "some-target", pyproject: "this is = = not toml" });
  const result = await detect(ctx);
  assert.deepEqual(result, { pass: true, plan: requiredPlan(false) });
  assert.equal(ctx.loads(), 0);
});

Deno.test("detect() passes with one pyproject.toml script (reference case)", async () => {
  const result = await detect(
    context({ pyproject: `[tool.poetry.scripts]\nsome-script = "a:b"\n` }),
  );
  assert.ok(result.pass);
  assert.equal(buildPlanToml(result.plan), REFERENCE_PLAN);
});

Deno.test("detect() requires watchexec when live reload is on (reference cases true, 1, T)", async () => {
  for (const v of ["true", "1", "T"]) {
    const result = await detect(context({ target: "x", liveReload: v }));
    assert.ok(result.pass);
    assert.deepEqual(result.plan.requires.map((r) => r.name), [
      "cpython",
      "poetry",
      "poetry-venv",
      "watchexec",
    ]);
    assert.ok(result.plan.requires.every((r) => r.metadata.launch));
    assert.deepEqual(result.plan.provides, []);
  }
});

Deno.test("detect() does not require watchexec when live reload is off (reference cases F, unset)", async () => {
  for (const v of ["F", undefined]) {
    const result = await detect(
      context({ target: "x", ...(v === undefined ? {} : { liveReload: v }) }),
    );
    assert.ok(result.pass);
    assert.equal(buildPlanToml(result.plan), REFERENCE_PLAN);
  }
});

Deno.test("detect() errors on an unparsable BP_LIVE_RELOAD_ENABLED (reference case)", async () => {
  await assert.rejects(() => detect(context({ target: "x", liveReload: "hi" })), (e: unknown) => {
    assert.ok(e instanceof BuildpackError);
    assert.equal(
      e.message,
      'failed to parse BP_LIVE_RELOAD_ENABLED value hi: strconv.ParseBool: parsing "hi": invalid syntax',
    );
    return true;
  });
});

Deno.test("detect() fails without pyproject.toml, saying what it looked for (reference case)", async () => {
  const result = await detect(context({ pyproject: null }));
  assert.equal(result.pass, false);
  assert.ok(
    !result.pass && /No pyproject\.toml .* BP_POETRY_RUN_TARGET is not set/.test(result.reason),
  );
});

Deno.test("detect() errors on a malformed pyproject.toml (reference case)", async () => {
  await assert.rejects(
    () => detect(context({ pyproject: "[tool.poetry\n" })),
    /^BuildpackError: pyproject\.toml:1:\d+:/,
  );
});

Deno.test("detect() fails on zero scripts (reference behaviour kept)", async () => {
  const result = await detect(context({ pyproject: "[tool.poetry]\nname='x'\n" }));
  assert.equal(result.pass, false);
});

Deno.test("detect() passes on several scripts with a conventional name (reference failed)", async () => {
  const result = await detect(
    context({ pyproject: `[project.scripts]\nworker = "a:b"\nstart = "a:c"\n` }),
  );
  assert.ok(result.pass);
});

Deno.test("detect() fails on several unconventional scripts, listing them", async () => {
  const result = await detect(
    context({ pyproject: `[project.scripts]\nworker = "a:b"\nmigrate = "a:c"\n` }),
  );
  assert.ok(
    !result.pass && result.reason.includes(`"worker", "migrate"`) &&
      result.reason.includes("BP_POETRY_RUN_TARGET"),
  );
});

Deno.test("detect() treats a blank BP_POETRY_RUN_TARGET as unset, with one warning", async () => {
  const ctx = context({ target: "  ", pyproject: `[project.scripts]\nweb = "a:b"\n` });
  const result = await detect(ctx);
  assert.ok(result.pass);
  assert.equal(ctx.loads(), 1);
  assert.equal(
    ctx.err(),
    "Warning: BP_POETRY_RUN_TARGET is set but blank, so it is ignored; pyproject.toml decides\n",
  );
});

Deno.test("detect() errors on an unterminated quote in BP_POETRY_RUN_TARGET", async () => {
  await assert.rejects(
    () => detect(context({ target: "'abc" })),
    /BP_POETRY_RUN_TARGET has an unterminated single quote at column 1/,
  );
});

Deno.test("detect() warns once per script declared in both tables", async () => {
  const ctx = context({
    pyproject: `[project.scripts]\nweb = "a:b"\n[tool.poetry.scripts]\nweb = "a:c"\n`,
  });
  assert.ok((await detect(ctx)).pass);
  assert.match(
    ctx.err(),
    /^Warning: pyproject\.toml declares script "web" in both \[project\.scripts\] and \[tool\.poetry\.scripts\]; the \[project\.scripts\] entry wins/,
  );
  assert.equal(ctx.err().split("\n").length, 2);
});

Deno.test("detect() mentions skipped file scripts at debug level only", async () => {
  const text = `[tool.poetry.scripts]\nweb = "a:b"\ntool = { reference = "t.sh", type = "file" }\n`;
  const ctx = context({ pyproject: text });
  assert.ok((await detect(ctx)).pass);
  assert.match(ctx.out(), /Skipping \[tool\.poetry\.scripts\] "tool": type = "file"/);
  const quiet = recordingLogger(false);
  await detect({ ...context({ pyproject: text }), logger: quiet.logger });
  assert.doesNotMatch(quiet.out(), /Skipping/);
});

Deno.test("detect() passes on a loader error unchanged (reference: parser error is returned)", async () => {
  const ctx = context({});
  const failing = { ...ctx, loadPyProject: () => Promise.reject(new Error("some error")) };
  await assert.rejects(() => detect(failing), /some error/);
});

Deno.test("detect() with BP_POETRY_RUN_DIRECT=true does not require poetry at launch", async () => {
  const result = await detect(
    context({ direct: "true", pyproject: `[project.scripts]\nweb = "a:b"\n` }),
  );
  assert.ok(result.pass);
  assert.deepEqual(result.plan.requires.map((r) => r.name), ["cpython", "poetry-venv"]);
  assert.equal(
    buildPlanToml(result.plan),
    REFERENCE_PLAN.replace(
      `[[requires]]\n  name = "poetry"\n  [requires.metadata]\n    launch = true\n\n`,
      "",
    ),
  );
});

Deno.test("detect() with BP_POETRY_RUN_DIRECT and live reload requires watchexec, not poetry", async () => {
  const result = await detect(
    context({ direct: "T", liveReload: "1", target: "gunicorn app:app", pyproject: null }),
  );
  assert.ok(result.pass);
  assert.deepEqual(result.plan.requires.map((r) => r.name), [
    "cpython",
    "poetry-venv",
    "watchexec",
  ]);
});

Deno.test("detect() with BP_POETRY_RUN_DIRECT keeps poetry when a process falls back to poetry run", async () => {
  const fallback = await detect(context({
    direct: "true",
    pyproject: `[tool.poetry]\npackage-mode = false\n[tool.poetry.scripts]\nweb = "a:b"\n`,
  }));
  assert.ok(fallback.pass);
  assert.deepEqual(fallback.plan, requiredPlan(false));
  // BP_POETRY_RUN_TARGET naming such a script: pyproject.toml is read in direct mode.
  const ctx = context({
    direct: "true",
    target: "web --port 80",
    pyproject: `[tool.poetry]\npackage-mode = false\n[tool.poetry.scripts]\nweb = "a:b"\n`,
  });
  const viaTarget = await detect(ctx);
  assert.ok(viaTarget.pass);
  assert.deepEqual(viaTarget.plan, requiredPlan(false));
  assert.equal(ctx.loads(), 1);
  // An extra process type that falls back also needs poetry.
  const extra = await detect(context({
    direct: "true",
    pyproject: `[project.scripts]\nstart = "a:b"\n[tool.poetry.scripts]\nlegacy = "a:c"\n`,
  }));
  assert.ok(extra.pass);
  assert.deepEqual(extra.plan, requiredPlan(false));
});

Deno.test("detect() without BP_POETRY_RUN_DIRECT still does not read pyproject.toml for BP_POETRY_RUN_TARGET", async () => {
  const ctx = context({ direct: "false", target: "web", pyproject: "not = = toml" });
  assert.deepEqual(await detect(ctx), { pass: true, plan: requiredPlan(false) });
  assert.equal(ctx.loads(), 0);
});

Deno.test("detect() rejects an invalid BP_POETRY_RUN_DIRECT", async () => {
  await assert.rejects(
    detect(context({ direct: "on", target: "x" })),
    /failed to parse BP_POETRY_RUN_DIRECT value on: strconv\.ParseBool: parsing "on": invalid syntax; set it to true or false/,
  );
});

Deno.test("detect() with BP_POETRY_RUN_DIRECT keeps poetry for a BP_POETRY_RUN_TARGET that runs poetry", async () => {
  const result = await detect(
    context({ direct: "true", target: "poetry run web", pyproject: null }),
  );
  assert.deepEqual(result, { pass: true, plan: requiredPlan(false) });
});

Deno.test("detect() decides participation before reading the switches, as the reference does", async () => {
  // No pyproject.toml and a malformed switch: the buildpack does not apply (fail), no error.
  for (const bad of [{ liveReload: "maybe" }, { direct: "maybe" }]) {
    const result = await detect(context({ pyproject: null, ...bad }));
    assert.equal(result.pass, false);
    const none = await detect(context({ pyproject: `[tool.poetry]\nname = "x"\n`, ...bad }));
    assert.equal(none.pass, false);
  }
  // When it applies, the malformed switch is an error.
  await assert.rejects(
    detect(context({ pyproject: `[project.scripts]\nweb = "a:b"\n`, liveReload: "maybe" })),
    /failed to parse BP_LIVE_RELOAD_ENABLED value maybe/,
  );
});

Deno.test("detect() prints nothing at INFO; at DEBUG the reference's heading and Found line", async () => {
  const quiet = recordingLogger(false);
  const info = await detect({
    ...context({ pyproject: `[project.scripts]\nweb = "a:b"\n` }),
    logger: quiet.logger,
  });
  assert.ok(info.pass);
  assert.equal(quiet.out(), "");
  const loud = recordingLogger(true);
  await detect({
    ...context({
      pyproject:
        `[project.scripts]\nweb = "a:b"\n[tool.poetry.scripts]\nf = { reference = "f.sh", type = "file" }\n`,
    }),
    logger: loud.logger,
  });
  assert.equal(
    loud.out(),
    `  Finding the poetry run target\n` +
      `    Skipping [tool.poetry.scripts] "f": type = "file" scripts are not start targets\n` +
      `    Found pyproject.toml script=web\n`,
  );
});

Deno.test("detect() and build() of mod.ts refuse a target no process argument can hold", async () => {
  const { build: modBuild, detect: modDetect, run } = await import("../../mod.ts");
  for (
    const [target, what] of [
      ["web\u0000x", "a NUL character at position 4"],
      ["web\ud800", "a lone surrogate (it is not Unicode text)"],
    ]
  ) {
    const ctx = {
      appDir: "/nonexistent",
      env: (n: string) => n === "BP_POETRY_RUN_TARGET" ? target : undefined,
      stdout: () => {},
      stderr: () => {},
    };
    const message =
      `BP_POETRY_RUN_TARGET has ${what}, which no command argument can hold; remove it`;
    await assert.rejects(() => modDetect(ctx), { name: "BuildpackError", message });
    await assert.rejects(
      () =>
        modBuild({
          ...ctx,
          layersDir: "/nonexistent/layers",
          layers: openLayerStore("/nonexistent/layers"),
          buildpack: { api: "0.8", id: "x", name: "x", version: "1" },
        }),
      { name: "BuildpackError", message },
    );
    let err = "";
    const code = await run(["detect", "/p", "/nonexistent/plan.toml"], {
      ...ctx,
      cwd: "/nonexistent",
      stderr: (t: string) => void (err += t),
    });
    assert.equal(code, 1);
    assert.equal(err, `${message}\n`);
  }
});

Deno.test("detect() reads BP_LIVE_RELOAD_ENABLED before BP_POETRY_RUN_DIRECT, with or without BP_POETRY_RUN_TARGET", async () => {
  const both = { liveReload: "yes", direct: "maybe" };
  for (
    const ctx of [
      context({ ...both, target: "web" }),
      context({ ...both, pyproject: `[project.scripts]\nweb = "a:b"\n` }),
    ]
  ) {
    await assert.rejects(
      detect(ctx),
      (e: unknown) =>
        e instanceof BuildpackError &&
        e.message.startsWith("failed to parse BP_LIVE_RELOAD_ENABLED value yes"),
    );
  }
});
