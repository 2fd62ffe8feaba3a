import assert from "node:assert/strict";
import { BuildpackError } from "../../src/cnb/errors.ts";
import { buildPlanToml } from "../../src/cnb/plan.ts";
import { detect, type DetectContext, requiredPlan } from "../../src/poetry/detect.ts";
import { parsePyProject, type PyProject } from "../../src/poetry/pyproject.ts";
import { recordingLogger, REFERENCE_PLAN } from "../_helpers.ts";

function context(opts: {
  target?: string;
  liveReload?: string;
  pyproject?: string | null;
}): DetectContext & { loads: () => number; err: () => string; out: () => string } {
  const { logger, err, out } = recordingLogger(true);
  let loads = 0;
  return {
    target: opts.target,
    liveReload: opts.liveReload,
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
