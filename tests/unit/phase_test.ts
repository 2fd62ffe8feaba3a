import assert from "node:assert/strict";
import { choosePhase, isPhase, phaseFromLifecycleInputs } from "../../src/cnb/phase.ts";
import { runBuildpack } from "../../src/cnb/runner.ts";
import { poetryRun } from "../../src/poetry/buildpack.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];
const DETECT_ENV = { CNB_PLATFORM_DIR: "/p", CNB_BUILD_PLAN_PATH: "/t/plan.toml" };
const BUILD_ENV = {
  CNB_LAYERS_DIR: "/l",
  CNB_PLATFORM_DIR: "/p",
  CNB_BP_PLAN_PATH: "/b/plan.toml",
};
const neverArgv0 = () => Promise.reject(new Error("argv[0] must not be read here"));

Deno.test("isPhase() accepts only detect and build", () => {
  assert.ok(isPhase("detect") && isPhase("build"));
  for (const v of ["run", "Detect", "", undefined, "bin/detect"]) assert.equal(isPhase(v), false);
});

Deno.test("phaseFromLifecycleInputs() recognises exactly what lifecycle v0.21 passes (API >= 0.8)", () => {
  assert.equal(phaseFromLifecycleInputs(["/p", "/t/plan.toml"], env(DETECT_ENV)), "detect");
  assert.equal(phaseFromLifecycleInputs(["/l", "/p", "/b/plan.toml"], env(BUILD_ENV)), "build");
  // With CNB_TARGET_* and CNB_EXEC_ENV (API 0.12) as well.
  const extra = { CNB_TARGET_OS: "linux", CNB_EXEC_ENV: "production" };
  assert.equal(phaseFromLifecycleInputs(["/p", "/t"], env({ ...DETECT_ENV, ...extra })), "detect");
});

Deno.test("phaseFromLifecycleInputs() decides nothing when the inputs are not one phase's", () => {
  const cases: [string[], Record<string, string>][] = [
    [["/p", "/t"], {}], // API 0.7: positional arguments only
    [["/l", "/p", "/b"], {}],
    [["/p"], DETECT_ENV], // wrong count
    [["/l", "/p", "/b"], DETECT_ENV], // detect variables, build arguments
    [["/p", "/t"], BUILD_ENV], // build variables, detect arguments
    [["/p", "/t"], { ...DETECT_ENV, CNB_LAYERS_DIR: "/l" }], // a build variable leaked into detect
    [["/l", "/p", "/b"], { ...BUILD_ENV, CNB_BUILD_PLAN_PATH: "/t" }],
    [["/p", "/t"], { CNB_BUILD_PLAN_PATH: "" }], // empty counts as unset
  ];
  for (const [args, vars] of cases) {
    assert.equal(
      phaseFromLifecycleInputs(args, env(vars)),
      undefined,
      JSON.stringify([args, vars]),
    );
  }
});

Deno.test("choosePhase() takes a phase name in the first argument before anything else", async () => {
  assert.deepEqual(await choosePhase(["build", "/l", "/p", "/b"], env(DETECT_ENV), neverArgv0), {
    phase: "build",
    args: ["/l", "/p", "/b"],
  });
});

Deno.test("choosePhase() uses the lifecycle's inputs without reading argv[0]", async () => {
  assert.deepEqual(await choosePhase(["/p", "/t"], env(DETECT_ENV), neverArgv0), {
    phase: "detect",
    args: ["/p", "/t"],
  });
});

Deno.test("choosePhase() falls back to argv[0]'s basename (API 0.7, hand runs)", async () => {
  let reads = 0;
  const argv0 = (name: string) => () => (reads++, Promise.resolve(name));
  assert.deepEqual(await choosePhase(["/p", "/t"], env({}), argv0("/cnb/bp/1.0/bin/detect")), {
    phase: "detect",
    args: ["/p", "/t"],
  });
  assert.equal(
    (await choosePhase(["/l", "/p", "/b"], env({}), argv0("build"))).phase,
    "build",
  );
  assert.equal((await choosePhase(["x"], env({}), argv0("/bp/bin/run"))).phase, undefined);
  assert.equal(reads, 3);
});

Deno.test("run() dispatches lifecycle-shaped detect and build without reading argv[0]", async () => {
  // A detect that fails (no pyproject.toml) and a build that errors (no buildpack.toml):
  // what matters is which phase ran, and that argv[0] was never read.
  const cwd = await Deno.makeTempDir();
  try {
    let err = "";
    const io = (vars: Record<string, string>) => ({
      stdout: () => {},
      stderr: (t: string) => void (err += t),
      env: env(vars),
      cwd,
    });
    assert.equal(await runBuildpack(poetryRun, ["/p", "/t"], io(DETECT_ENV), neverArgv0), 100);
    assert.match(err, /No pyproject\.toml in the app directory/);
    err = "";
    const code = await runBuildpack(
      poetryRun,
      ["/l", "/p", "/b"],
      io({ ...BUILD_ENV, CNB_BUILDPACK_DIR: cwd }),
      neverArgv0,
    );
    assert.equal(code, 1);
    assert.match(err, /buildpack\.toml: cannot be read \(not found\)/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
