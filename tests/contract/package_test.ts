/**
 * The packaged buildpack, as users make it (`deno task package`) and as the
 * lifecycle runs it: `bin/detect` / `bin/build` with positional arguments,
 * CNB_* variables, cwd = the app, and a filtered environment.
 *
 * The `--runtime deno` package is real (the Deno CLI from npm, the bundled
 * program). A real `deno compile` needs `denort`, which no registry serves;
 * `DENORT_BIN=$(deno)` makes a real compile that behaves as the Deno CLI, so
 * the denort tests check the bytes, the layout and reproducibility, not the
 * program's behaviour.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseToml } from "../../src/cnb/toml.ts";
import { REFERENCE_PLAN } from "../_harness/helpers.ts";
import { denoTaskArgs } from "../../kit/paths.ts";
import { MY_SCRIPT, PACKAGED_CASES, packagedApp, runPackaged } from "../../kit/packaged.ts";
import { fileArch } from "../../kit/package/elf.ts";
import { phasePermissionFlags } from "../../kit/package/permissions.ts";
import { REPO_ROOT } from "../../kit/paths.ts";
import { tempDir } from "../../kit/files.ts";

const dec = new TextDecoder();
const cleanup: (() => Promise<void>)[] = [];
Deno.test.afterAll(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

async function packageInto(
  output: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const vars: Record<string, string> = { ...Deno.env.toObject(), PACK: "/nonexistent/pack" };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete vars[k];
    else vars[k] = v;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: denoTaskArgs("package", ["--version", "1.2.3", "--output", output, ...args]),
    env: vars,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(600_000),
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

let denoPackage: Promise<string> | undefined;
/** `deno task package --runtime deno --target linux/amd64`, once. */
function packagedWithDeno(): Promise<string> {
  denoPackage ??= (async () => {
    const out = await Deno.makeTempDir({ prefix: "poetry-run-pkg-" });
    cleanup.push(() => Deno.remove(out, { recursive: true }));
    const r = await packageInto(out, ["--runtime", "deno", "--target", "linux/amd64"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return join(out, "buildpack");
  })();
  return denoPackage;
}

Deno.test("--runtime deno: the layout, with only the built target and its files listed", async () => {
  const bp = await packagedWithDeno();
  assert.equal(await Deno.readLink(join(bp, "bin")), "linux/amd64/bin");
  assert.equal(await fileArch(join(bp, "linux/amd64/lib/deno")), "amd64");
  const toml = parseToml(await Deno.readTextFile(join(bp, "buildpack.toml")));
  assert.equal((toml.buildpack as { version: string }).version, "1.2.3");
  assert.deepEqual(JSON.parse(JSON.stringify(toml.targets)), [{ os: "linux", arch: "amd64" }]);
  assert.deepEqual((toml.metadata as Record<string, unknown>)["include-files"], [
    "bin",
    "buildpack.toml",
    "linux/amd64/bin/build",
    "linux/amd64/bin/detect",
    "linux/amd64/buildpack.toml",
    "linux/amd64/lib/deno",
    "linux/amd64/lib/infer.js",
    "linux/amd64/lib/program.js",
    "linux/amd64/lib/run.js",
  ]);
  for (const phase of ["detect", "build"]) {
    const script = await Deno.readTextFile(join(bp, "linux/amd64/bin", phase));
    assert.match(script, /^#!\/bin\/sh\n/);
    assert.ok(script.includes(` "$here/../lib/run.js" ${phase} "$@"\n`), script);
    assert.ok(script.includes("DENO_DIR=/dev/null/deno "), script);
  }
});

Deno.test("--runtime deno: detect loads lib/infer.js only for an app with no script, and infers its command", async () => {
  const bp = await packagedWithDeno();
  await using app = await packagedApp({
    "pyproject.toml": `[project]\nname = "a"\ndependencies = ["flask", "gunicorn"]\n`,
    "app.py": "from flask import Flask\napp = Flask(__name__)\n",
  });
  const d = await runPackaged(bp, "detect", app);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.stderr, "");
  assert.equal(d.plan, REFERENCE_PLAN);
  // Without the lazy module, an app with a script still detects (it is never imported)…
  await Deno.rename(join(bp, "linux/amd64/lib/infer.js"), join(bp, "linux/amd64/lib/gone.js"));
  try {
    await using scripted = await packagedApp({ "pyproject.toml": MY_SCRIPT });
    assert.equal((await runPackaged(bp, "detect", scripted)).code, 0);
    // …and one with no script cannot.
    assert.notEqual((await runPackaged(bp, "detect", app)).code, 0);
  } finally {
    await Deno.rename(join(bp, "linux/amd64/lib/gone.js"), join(bp, "linux/amd64/lib/infer.js"));
  }
});

Deno.test("--runtime deno: bin/detect and bin/build run as the lifecycle runs them", async () => {
  const bp = await packagedWithDeno();
  await using app = await packagedApp({ "pyproject.toml": MY_SCRIPT });
  const d = await runPackaged(bp, "detect", app);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.stderr, "", "nothing from Deno about its cache or permissions");
  assert.equal(d.plan, REFERENCE_PLAN);
  const b = await runPackaged(bp, "build", app);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stderr, "");
  assert.ok(
    b.stdout.startsWith(
      "Paketo Buildpack for Poetry Run 1.2.3\n  Assigning launch processes:\n    web (default): poetry run my script\n\n",
    ),
    b.stdout,
  );
  assert.match(b.launch, /command = "poetry"\nargs = \[ "run", "my script" \]\ndirect = true/);
  // Through the linux/amd64/bin path too (what pack makes the root of the .cnb).
  const direct = await runPackaged(join(bp, "linux/amd64"), "detect", app, {
    BP_POETRY_RUN_DIRECT: "true",
  });
  assert.equal(direct.code, 0, direct.stderr);
  assert.doesNotMatch(direct.plan, /"poetry"/);
});

Deno.test("--runtime deno: user errors keep their exit codes and one-line messages", async () => {
  const bp = await packagedWithDeno();
  await using empty = await packagedApp({});
  const none = await runPackaged(bp, "detect", empty);
  assert.equal(none.code, 100);
  assert.match(none.stderr, /^No pyproject\.toml in the app directory/);
  await using broken = await packagedApp({ "pyproject.toml": "[project\n" });
  const bad = await runPackaged(bp, "build", broken);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trimEnd().split("\n").length, 1, bad.stderr);
  assert.match(bad.stderr, /^pyproject\.toml:1:\d+: /);
});

Deno.test("--runtime deno: every shared packaged case gives its exit codes (arm64 must match these bytes)", async () => {
  const bp = await packagedWithDeno();
  for (const c of PACKAGED_CASES) {
    await using app = await packagedApp(c.files);
    const d = await runPackaged(bp, "detect", app, c.bp);
    assert.equal(d.code, c.detect, `${c.name}: detect: ${d.stdout}${d.stderr}`);
    const b = await runPackaged(bp, "build", app, c.bp);
    assert.equal(b.code, c.build, `${c.name}: build: ${b.stdout}${b.stderr}`);
    if (c.build === 0) assert.notEqual(b.launch, "", `${c.name}: launch.toml`);
  }
});

Deno.test("the permission flags grant exactly what deno run -P=phase grants", async () => {
  await using dir = await tempDir();
  const probe = join(dir.path, "probe.js");
  await Deno.writeTextFile(
    probe,
    `const d = [{name:"read",path:"/etc"},{name:"write",path:"/tmp"},{name:"env",variable:"CNB_LAYERS_DIR"},
     {name:"env",variable:"BP_X"},{name:"env",variable:"INIT_CWD"},{name:"env",variable:"HOME"},
     {name:"env",variable:"PATH"},{name:"net"},{name:"run"},{name:"sys",kind:"hostname"},{name:"ffi"},
     {name:"import",host:"example.com"}];
     console.log(JSON.stringify(d.map((x) => [x.name, x.path ?? x.variable ?? "", Deno.permissions.querySync(x).state])));`,
  );
  const run = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
      .output();
    assert.equal(out.code, 0, dec.decode(out.stderr));
    return JSON.parse(dec.decode(out.stdout));
  };
  const viaSet = await run([
    "run",
    "-q",
    "-P=phase",
    "--config",
    join(REPO_ROOT, "deno.json"),
    probe,
  ]);
  const viaFlags = await run(["run", "-q", "--no-config", ...await phasePermissionFlags(), probe]);
  assert.deepEqual(viaFlags, viaSet);
  assert.ok(
    viaSet.some((r: string[]) => r[0] === "net" && r[2] !== "granted"),
    "net is not granted",
  );
});

Deno.test("a real deno compile (DENORT_BIN=$(deno)) gives the same bytes from any directory", async () => {
  await using a = await tempDir();
  await using b = await tempDir();
  const deeper = join(b.path, "some", "deeper", "place");
  const env = { DENORT_BIN: Deno.execPath(), SOURCE_DATE_EPOCH: "1700000000" };
  for (const out of [a.path, deeper]) {
    const r = await packageInto(out, ["--target", "linux/amd64"], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  }
  const run = join("buildpack", "linux/amd64/bin/run");
  assert.equal(await fileArch(join(a.path, run)), "amd64");
  assert.equal(await Deno.readLink(join(a.path, "buildpack/linux/amd64/bin/detect")), "run");
  assert.deepEqual(await Deno.readFile(join(deeper, run)), await Deno.readFile(join(a.path, run)));
  assert.deepEqual(
    await Deno.readFile(join(deeper, "buildpack.tgz")),
    await Deno.readFile(join(a.path, "buildpack.tgz")),
  );
  // The embedded program is the minified bundle, with no path of this machine in it.
  const bytes = await Deno.readFile(join(a.path, run));
  const payload = dec.decode(bytes.subarray(bytes.length - 200_000));
  assert.ok(!payload.includes(REPO_ROOT) && !payload.includes(a.path), "no local paths embedded");
});

Deno.test("deno task package names every missing denort at once, within seconds, offline", async () => {
  await using out = await tempDir();
  await using denoDir = await tempDir();
  const started = Date.now();
  const r = await packageInto(out.path, [], {
    DENORT_BIN: undefined,
    DENORT_BIN_AMD64: undefined,
    DENORT_BIN_ARM64: undefined,
    DENO_DIR: denoDir.path,
  });
  assert.equal(r.code, 1, r.stderr);
  assert.ok(Date.now() - started < 20_000, "fails within seconds");
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /for linux\/amd64 \(x86_64-unknown-linux-gnu\) and linux\/arm64/);
  assert.match(r.stderr, /set DENORT_BIN_AMD64 \/ DENORT_BIN_ARM64/);
  assert.ok(
    r.stderr.includes(`${denoDir.path}/dl/release/v2.9.6/denort-aarch64-unknown-linux-gnu.zip`),
  );
  assert.deepEqual([...Deno.readDirSync(out.path)], [], "nothing written");
});

Deno.test("deno task package --help prints the usage and exits 0", async () => {
  await using out = await tempDir();
  const r = await packageInto(out.path, ["--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^usage: deno task package --version <semver> \[options\]/);
  assert.match(r.stdout, /--runtime <name>/);
  assert.equal(r.stderr, "");
});

Deno.test("--runtime deno for linux/arm64 carries the aarch64 Deno CLI (2.9.5 on npm) and the same layout", async () => {
  await using out = await tempDir();
  const r = await packageInto(out.path, ["--runtime", "deno", "--target", "linux/arm64"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /linux\/arm64: Deno 2\.9\.5 \(@deno\/linux-arm64-glibc\)/);
  const bp = join(out.path, "buildpack");
  assert.equal(await fileArch(join(bp, "linux/arm64/lib/deno")), "arm64");
  assert.equal(await Deno.readLink(join(bp, "bin")), "linux/arm64/bin");
  const toml = parseToml(await Deno.readTextFile(join(bp, "buildpack.toml")));
  assert.deepEqual(JSON.parse(JSON.stringify(toml.targets)), [{ os: "linux", arch: "arm64" }]);
  // The entry scripts and the bundle are the same bytes as for amd64.
  const amd64 = await packagedWithDeno();
  for (const f of ["bin/detect", "bin/build", "lib/program.js", "lib/run.js"]) {
    assert.deepEqual(
      await Deno.readFile(join(bp, "linux/arm64", f)),
      await Deno.readFile(join(amd64, "linux/amd64", f)),
      f,
    );
  }
});
