import assert from "node:assert/strict";
import { join } from "node:path";
import {
  applyEnvDir,
  earlierBuildpacks,
  escapeBuildpackId,
  launchEnvironment,
  lookPath,
} from "../../src/cnb/launch_env.ts";
import { tempDir } from "../../kit/files.ts";

async function files(dir: string, entries: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(entries)) {
    await Deno.mkdir(join(dir, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, name), value);
  }
}

/** A buildpack's layer: `<root>/<bp>/<layer>/…` and `<layer>.toml`. */
async function layer(
  root: string,
  bp: string,
  name: string,
  launch: boolean,
  entries: Record<string, string> = {},
): Promise<string> {
  const dir = join(root, escapeBuildpackId(bp), name);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}.toml`, `[types]\nlaunch = ${launch}\n`);
  await files(dir, entries);
  return dir;
}

Deno.test("applyEnvDir() applies suffixes as the lifecycle: no suffix overrides, default fills empty, delim", async () => {
  await using dir = await tempDir();
  await files(dir.path, {
    "A": "a-new",
    "B.default": "b-default",
    "C.default": "c-default",
    "D.prepend": "/d",
    "D.delim": ":",
    "E.append": "e",
    "F.prepend": "f",
    "G.override": "g",
    "H.default": "h",
    "I.frob": "ignored",
  });
  const env: Record<string, string> = { A: "a", C: "set", D: "/old", E: "x", H: "" };
  applyEnvDir(env, dir.path);
  assert.deepEqual(env, {
    A: "a-new",
    B: "b-default",
    C: "set",
    D: "/d:/old",
    E: "xe", // no E.delim: no delimiter
    F: "f",
    G: "g",
    H: "h", // an empty value counts as unset for .default
  });
  applyEnvDir(env, join(dir.path, "missing"));
});

Deno.test("launchEnvironment(): launch layers only, bin/lib first, env then env.launch then the process's", async () => {
  await using root = await tempDir();
  await layer(root.path, "test/cpython", "cpython", true, {
    "bin/python3": "",
    "lib/libpython.so": "",
    "env.launch/PYTHONPYCACHEPREFIX.default": "/home/.pycache",
  });
  await layer(root.path, "test/poetry", "poetry", false, {
    "bin/poetry": "",
    "env/PYTHONPATH.prepend": "/poetry/site",
  });
  const venv = await layer(root.path, "test/poetry-install", "poetry-venv", true, {
    "venv/bin/web": "",
    "env/PATH.prepend": "/venv/bin",
    "env/PATH.delim": ":",
    "env/PYTHONPATH.prepend": "/venv/site",
    "env/PYTHONPATH.delim": ":",
    "env.launch/web/ONLY_WEB": "yes",
  });
  const env = launchEnvironment({
    layersRoot: root.path,
    buildpacks: ["test/cpython", "test/poetry", "test/poetry-install"],
    base: { PATH: "/usr/bin:/bin", HOME: "/home/cnb" },
    processType: "web",
  });
  const cpython = join(root.path, "test_cpython", "cpython");
  assert.deepEqual(env, {
    PATH: `/venv/bin:${cpython}/bin:/usr/bin:/bin`,
    LD_LIBRARY_PATH: `${cpython}/lib`,
    HOME: "/home/cnb",
    PYTHONPYCACHEPREFIX: "/home/.pycache",
    PYTHONPATH: "/venv/site",
    ONLY_WEB: "yes",
  });
  assert.ok(venv.endsWith("poetry-venv"));
  const worker = launchEnvironment({
    layersRoot: root.path,
    buildpacks: ["test/poetry-install"],
    base: {},
    processType: "worker",
  });
  assert.equal(worker.ONLY_WEB, undefined);
});

Deno.test("launchEnvironment(): buildpacks in the order given, layers in name order", async () => {
  await using root = await tempDir();
  await layer(root.path, "a", "z", true, { "env/X": "a/z" });
  await layer(root.path, "a", "b", true, {
    "env/X": "a/b",
    "env/Y.append": "1",
    "env/Y.delim": ",",
  });
  await layer(root.path, "b", "l", true, { "env/Y.append": "2" });
  const env = launchEnvironment({ layersRoot: root.path, buildpacks: ["b", "a"], base: {} });
  assert.deepEqual(env, { X: "a/z", Y: "2,1" });
});

Deno.test("earlierBuildpacks() reads group.toml, else takes the directories in name order", async () => {
  await using root = await tempDir();
  await files(root.path, {
    "group.toml":
      `[[group]]\nid = "p/cpython"\nversion = "1"\napi = "0.8"\n[[group]]\nid = "me/run"\nversion = "1"\napi = "0.8"\n[[group]]\nid = "p/procfile"\nversion = "1"\napi = "0.8"\n`,
  });
  assert.deepEqual(earlierBuildpacks(root.path, "me/run"), { ids: ["p/cpython"], fromGroup: true });
  await Deno.remove(join(root.path, "group.toml"));
  for (const d of ["z_bp", "a_bp", "me_run", "config", "sbom"]) {
    await Deno.mkdir(join(root.path, d));
  }
  assert.deepEqual(earlierBuildpacks(root.path, "me/run"), {
    ids: ["a_bp", "z_bp"],
    fromGroup: false,
  });
});

Deno.test("lookPath() finds executables on PATH, relative names against cwd, not directories", async () => {
  await using dir = await tempDir();
  await files(dir.path, { "a/tool": "", "b/tool": "", "c/tool/x": "", "app/run.sh": "" });
  await Deno.chmod(join(dir.path, "b", "tool"), 0o755);
  await Deno.chmod(join(dir.path, "app", "run.sh"), 0o755);
  const path = [join(dir.path, "a"), join(dir.path, "c"), join(dir.path, "b")].join(":");
  assert.equal(lookPath("tool", path, dir.path), join(dir.path, "b", "tool"));
  assert.equal(lookPath("./run.sh", path, join(dir.path, "app")), join(dir.path, "app", "run.sh"));
  assert.equal(lookPath("run.sh", path, join(dir.path, "app")), undefined);
  assert.equal(lookPath("missing", path, dir.path), undefined);
  assert.equal(lookPath("", path, dir.path), undefined);
});
