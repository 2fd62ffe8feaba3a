import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import {
  compileArgs,
  type DenoRunner,
  packageBuildpack,
  parsePackageArgs,
  UsageError,
} from "../../scripts/package.ts";
import { REPO_ROOT, tempDir } from "../_helpers.ts";

/** A deno double: records calls; `compile` writes a small executable at --output. */
function fakeDeno(): { deno: DenoRunner; calls: string[][] } {
  const calls: string[][] = [];
  const deno: DenoRunner = async (args) => {
    calls.push([...args]);
    if (args[0] === "compile") {
      const out = args[args.indexOf("--output") + 1] as string;
      const target = args[args.indexOf("--target") + 1] as string;
      await Deno.writeTextFile(out, `#!/bin/sh\necho fake run for ${target}\n`);
    }
  };
  return { deno, calls };
}

const withDenort = (name: string) => name === "DENORT_BIN" ? Deno.execPath() : undefined;

interface TarItem {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  type: string;
  link: string;
  size: number;
}

function readTar(gz: Uint8Array): TarItem[] {
  const tar = gunzipSync(gz);
  const dec = new TextDecoder();
  const str = (o: number, l: number) => dec.decode(tar.subarray(o, o + l)).replace(/\0.*$/s, "");
  const num = (o: number, l: number) => parseInt(str(o, l).trim() || "0", 8);
  const items: TarItem[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    if (tar.subarray(off, off + 512).every((b) => b === 0)) break;
    const size = num(off + 124, 12);
    items.push({
      name: str(off, 100),
      mode: num(off + 100, 8),
      uid: num(off + 108, 8),
      gid: num(off + 116, 8),
      mtime: num(off + 136, 12),
      type: str(off + 156, 1),
      link: str(off + 157, 100),
      size,
    });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return items;
}

Deno.test("parsePackageArgs() applies defaults relative to the caller's directory", () => {
  const o = parsePackageArgs(["--version", "1.2.3"], "/caller");
  assert.deepEqual(o, {
    version: "1.2.3",
    output: "/caller/build",
    targets: ["linux/amd64", "linux/arm64"],
    engine: "v8",
    download: false,
  });
  const q = parsePackageArgs([
    "--version",
    "2.0.0-rc.1",
    "--output",
    "out",
    "--target",
    "linux/arm64",
    "--engine",
    "quickjs",
  ], "/c");
  assert.deepEqual(q, {
    version: "2.0.0-rc.1",
    output: "/c/out",
    targets: ["linux/arm64"],
    engine: "quickjs",
    download: false,
  });
});

Deno.test("parsePackageArgs() rejects bad input with a UsageError", () => {
  const bad: [string[], RegExp][] = [
    [[], /--version is required/],
    [["--version", "1.2"], /not a semantic version/],
    [["--version", "v1.2.3"], /not a semantic version/],
    [["--version", "1.2.3", "--target", "linux/386"], /--target "linux\/386" is not supported/],
    [
      ["--version", "1.2.3", "--engine", "spidermonkey"],
      /--engine "spidermonkey" is not supported/,
    ],
    [["--version", "1.2.3", "--frobnicate"], /frobnicate/],
  ];
  for (const [args, message] of bad) {
    assert.throws(
      () => parsePackageArgs(args, "/"),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
  }
});

Deno.test("compileArgs() uses the phase permission set, --no-check and the target triple", () => {
  assert.deepEqual(compileArgs("aarch64-unknown-linux-gnu", "v8", "/o/run"), [
    "compile",
    "--no-check",
    "--bundle",
    "-q",
    "-P=phase",
    "--config",
    join(REPO_ROOT, "deno.json"),
    "--target",
    "aarch64-unknown-linux-gnu",
    "--output",
    "/o/run",
    join(REPO_ROOT, "src", "main.ts"),
  ]);
  assert.ok(
    compileArgs("x86_64-unknown-linux-gnu", "quickjs", "/o").join(" ").includes("--engine quickjs"),
  );
});

Deno.test("packageBuildpack() lays out both targets, stamps the version and writes a reproducible tarball", async () => {
  await using a = await tempDir();
  await using b = await tempDir();
  const { deno, calls } = fakeDeno();
  const log: string[] = [];
  const r = await packageBuildpack(
    parsePackageArgs(["--version", "1.2.3", "--output", a.path], "/"),
    {
      deno,
      env: withDenort,
      log: (l) => log.push(l),
    },
  );
  assert.deepEqual(
    calls.map((c) => [c[0], c.includes("--target") ? c[c.indexOf("--target") + 1] : "-"]),
    [
      ["check", "-"],
      ["compile", "x86_64-unknown-linux-gnu"],
      ["compile", "aarch64-unknown-linux-gnu"],
    ],
  );
  assert.equal(await Deno.readLink(join(r.dir, "linux/amd64/bin/detect")), "run");
  assert.equal(await Deno.readLink(join(r.dir, "linux/arm64/bin/build")), "run");
  assert.match(
    await Deno.readTextFile(join(r.dir, "buildpack.toml")),
    /\[buildpack\]\n {2}version = "1\.2\.3"\n/,
  );
  const items = readTar(await Deno.readFile(r.tarball));
  assert.deepEqual(items.map((i) => `${i.type} ${i.name} ${i.mode.toString(8)} ${i.link}`), [
    "0 buildpack.toml 644 ",
    "5 linux/ 755 ",
    "5 linux/amd64/ 755 ",
    "5 linux/amd64/bin/ 755 ",
    "2 linux/amd64/bin/build 777 run",
    "2 linux/amd64/bin/detect 777 run",
    "0 linux/amd64/bin/run 755 ",
    "5 linux/arm64/ 755 ",
    "5 linux/arm64/bin/ 755 ",
    "2 linux/arm64/bin/build 777 run",
    "2 linux/arm64/bin/detect 777 run",
    "0 linux/arm64/bin/run 755 ",
  ]);
  assert.ok(items.every((i) => i.uid === 0 && i.gid === 0 && i.mtime === 0));
  assert.ok(log.some((l) => l.startsWith("[2/4] Compiling for linux/arm64")));
  console.log("sizes in this run:", JSON.stringify(r.sizes));

  const again = await packageBuildpack(
    parsePackageArgs(["--version", "1.2.3", "--output", b.path], "/"),
    { deno: fakeDeno().deno, env: withDenort, log: () => {} },
  );
  assert.deepEqual(
    await Deno.readFile(again.tarball),
    await Deno.readFile(r.tarball),
    "byte-for-byte reproducible",
  );
});

Deno.test("packageBuildpack() with one target also writes bin/ at the root", async () => {
  await using out = await tempDir();
  const r = await packageBuildpack(
    parsePackageArgs(["--version", "0.1.0", "--output", out.path, "--target", "linux/amd64"], "/"),
    { deno: fakeDeno().deno, env: withDenort, log: () => {} },
  );
  assert.equal(await Deno.readLink(join(r.dir, "bin/detect")), "run");
  assert.match(
    await Deno.readTextFile(join(r.dir, "bin/run")),
    /fake run for x86_64-unknown-linux-gnu/,
  );
  const names = readTar(await Deno.readFile(r.tarball)).map((i) => i.name);
  assert.ok(
    names.includes("bin/run") && names.includes("linux/amd64/bin/run") &&
      !names.includes("linux/arm64/"),
  );
});

Deno.test("deno task package fails within seconds offline, naming the three ways to get denort", async () => {
  await using denoDir = await tempDir();
  await using out = await tempDir();
  const started = Date.now();
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "task",
      "-q",
      "--config",
      join(REPO_ROOT, "deno.json"),
      "package",
      "--version",
      "1.2.3",
      "--output",
      out.path,
    ],
    // An empty DENO_DIR (no cached denort) and no DENORT_BIN, everything else as inherited.
    clearEnv: true,
    env: {
      ...Object.fromEntries(
        Object.entries(Deno.env.toObject()).filter(([k]) => k !== "DENORT_BIN" && k !== "INIT_CWD"),
      ),
      DENO_DIR: denoDir.path,
    },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  const stderr = new TextDecoder().decode(r.stderr);
  assert.equal(r.code, 1, stderr);
  assert.ok(Date.now() - started < 20_000, "fails within seconds");
  assert.match(stderr, /set DENORT_BIN/);
  assert.match(
    stderr,
    new RegExp(`${denoDir.path}/dl/release/v2\\.9\\.6/denort-x86_64-unknown-linux-gnu\\.zip`),
  );
  assert.match(stderr, /--download to fetch it from dl\.deno\.land/);
});

const denortBin = Deno.env.get("DENORT_BIN");
if (denortBin === undefined) {
  console.log("skipping the real compile test: DENORT_BIN is not set (no denort on this machine)");
}
Deno.test({
  name: "a real compile for the host gives bin/detect and bin/build that match deno task phase",
  ignore: denortBin === undefined,
  fn: async () => {
    await using out = await tempDir();
    await using ws = await tempDir();
    const r = await packageBuildpack(
      parsePackageArgs(
        ["--version", "1.2.3", "--output", out.path, "--target", "linux/amd64"],
        "/",
      ),
    );
    const app = join(ws.path, "app");
    await Deno.mkdir(join(ws.path, "layers"), { recursive: true });
    await Deno.mkdir(app);
    await Deno.writeTextFile(join(app, "pyproject.toml"), `[project.scripts]\nweb = "a:b"\n`);
    const run = await new Deno.Command(join(r.dir, "bin", "build"), {
      args: [join(ws.path, "layers"), ws.path, join(ws.path, "p.toml")],
      cwd: app,
    }).output();
    assert.equal(run.code, 0);
    assert.match(
      await Deno.readTextFile(join(ws.path, "layers", "launch.toml")),
      /args = \[ "run", "web" \]/,
    );
  },
});
