import assert from "node:assert/strict";
import { join } from "node:path";
import { packageBuildpack } from "../../kit/package.ts";
import { type PackageOptions, parsePackageArgs, UsageError } from "../../kit/package/args.ts";
import {
  bundleArgs,
  compileArgs,
  type DenoRunner,
  linkLazyImport,
} from "../../kit/package/deno_commands.ts";
import { denortCachePath, findDenorts } from "../../kit/package/denort.ts";
import { elfArch } from "../../kit/package/elf.ts";
import { LOADER, programScript } from "../../kit/package/program_script.ts";
import { permissionFlags, phasePermissionFlags } from "../../kit/package/permissions.ts";
import { stampBuildpackToml } from "../../kit/package/buildpack_toml.ts";
import { buildpackageFiles, packArgs } from "../../kit/package/pack.ts";
import { parseToml } from "../../src/cnb/toml.ts";
import { readTar } from "../../kit/tar.ts";
import { tempDir } from "../../kit/files.ts";

/** The first 20 bytes of a little-endian 64-bit ELF executable for a machine. */
function elfHeader(machine: number): Uint8Array {
  const h = new Uint8Array(64);
  h.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  new DataView(h.buffer).setUint16(18, machine, true);
  return h;
}
const X86_64 = 62;
const AARCH64 = 183;

/** A compile double: writes an ELF file for `machineOf(--target)` at --output. */
function fakeCompile(machineOf: (triple: string) => number): {
  compile: DenoRunner;
  calls: { args: string[]; denortBin: string | undefined }[];
} {
  const calls: { args: string[]; denortBin: string | undefined }[] = [];
  const compile: DenoRunner = async (args, opts) => {
    calls.push({ args: [...args], denortBin: opts?.env?.DENORT_BIN });
    const out = args[args.indexOf("--output") + 1] as string;
    const triple = args[args.indexOf("--target") + 1] as string;
    await Deno.writeFile(out, elfHeader(machineOf(triple)));
  };
  return { compile, calls };
}
const correctMachine = (triple: string) => triple.startsWith("x86_64") ? X86_64 : AARCH64;

/** Runtime files of the right (or wrong) architecture in a temp dir, and an env naming them. */
async function runtimes(dir: string, vars: Record<string, number>) {
  const env: Record<string, string> = { HOME: dir, DENO_DIR: join(dir, "deno_dir") };
  for (const [name, machine] of Object.entries(vars)) {
    const path = join(dir, name.toLowerCase());
    await Deno.writeFile(path, elfHeader(machine));
    env[name] = path;
  }
  return (name: string) => env[name];
}

const opts = (args: string[]): PackageOptions => {
  const o = parsePackageArgs(args, "/");
  if (o === "help") throw new Error("unexpected --help");
  return o;
};

Deno.test("parsePackageArgs() applies defaults relative to the caller's directory", () => {
  assert.deepEqual(parsePackageArgs(["--version", "1.2.3"], "/caller"), {
    version: "1.2.3",
    output: "/caller/build",
    targets: ["linux/amd64", "linux/arm64"],
    runtime: "denort",
    engine: "v8",
    download: false,
  });
  assert.deepEqual(
    parsePackageArgs(
      [
        "--version",
        "2.0.0-rc.1",
        "--output",
        "out",
        "--target",
        "linux/arm64",
        "--runtime",
        "deno",
      ],
      "/c",
    ),
    {
      version: "2.0.0-rc.1",
      output: "/c/out",
      targets: ["linux/arm64"],
      runtime: "deno",
      engine: "v8",
      download: false,
    },
  );
});

Deno.test("parsePackageArgs() returns help for --help and -h, whatever else is given", () => {
  assert.equal(parsePackageArgs(["--help"], "/"), "help");
  assert.equal(parsePackageArgs(["-h", "--version", "x"], "/"), "help");
});

Deno.test("parsePackageArgs() rejects bad input with a UsageError", () => {
  const bad: [string[], RegExp][] = [
    [[], /--version is required/],
    [["--version", "1.2"], /not a semantic version/],
    [["--version", "v1.2.3"], /not a semantic version/],
    [["--version", "1.2.3", "--target", "linux/386"], /--target "linux\/386" is not supported/],
    [["--version", "1.2.3", "--runtime", "node"], /--runtime "node" is not supported/],
    [["--version", "1.2.3", "--engine", "spidermonkey"], /--engine "spidermonkey" is not/],
    [["--version", "1.2.3", "--runtime", "deno", "--engine", "quickjs"], /denort only/],
    [["--version", "1.2.3", "--runtime", "deno", "--download"], /denort only/],
    [["--version", "1.2.3", "--frobnicate"], /frobnicate/],
    [["--version", "1.2.3", "--publish", "poetry-run"], /--publish "poetry-run" is not an image/],
    [["--version", "1.2.3", "--publish", "r.example/Poetry-Run:1"], /not an image reference/],
    [["--version", "1.2.3", "--publish", "r.example/p@sha256:ab"], /not an image reference/],
    [["--version", "1.2.3", "--publish", "r.example/p:"], /not an image reference/],
  ];
  for (const [args, message] of bad) {
    assert.throws(
      () => parsePackageArgs(args, "/"),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
      args.join(" "),
    );
  }
});

Deno.test("compileArgs() compiles the bundle without config or lock, with the permission flags", () => {
  assert.deepEqual(compileArgs("aarch64-unknown-linux-gnu", "v8", ["--allow-read"], "/o/run"), [
    "compile",
    "-q",
    "--no-check",
    "--no-config",
    "--no-lock",
    "--allow-read",
    "--target",
    "aarch64-unknown-linux-gnu",
    "--output",
    "/o/run",
    "main.js",
  ]);
  assert.ok(compileArgs("x", "quickjs", [], "/o").join(" ").includes("--engine quickjs"));
});

Deno.test("permissionFlags() converts a deno.json permission set", () => {
  assert.deepEqual(
    permissionFlags({ read: true, write: false, env: ["CNB_*", "BP_*"], net: ["a:1"] }),
    ["--allow-read", "--allow-env=CNB_*,BP_*", "--allow-net=a:1"],
  );
  assert.throws(() => permissionFlags({ read: true, frob: true }), TypeError);
  assert.throws(() => permissionFlags({ env: [1] }), TypeError);
});

Deno.test("phasePermissionFlags() is the phase set of deno.json", async () => {
  assert.deepEqual(await phasePermissionFlags(), [
    "--allow-read",
    "--allow-write",
    "--allow-env=CNB_*,BP_*,INIT_CWD,PATH,HOME,LD_LIBRARY_PATH",
    "--allow-run",
  ]);
});

Deno.test("elfArch() reads the machine of 64-bit ELF files", () => {
  assert.equal(elfArch(elfHeader(X86_64)), "amd64");
  assert.equal(elfArch(elfHeader(AARCH64)), "arm64");
  assert.equal(elfArch(elfHeader(40)), "other:40");
  assert.equal(elfArch(new TextEncoder().encode("#!/bin/sh\necho not an ELF file\n")), undefined);
  assert.equal(elfArch(new Uint8Array([0x7f, 0x45])), undefined);
});

Deno.test("findDenorts(): one DENORT_BIN serves only its own architecture", async () => {
  await using dir = await tempDir();
  const env = await runtimes(dir.path, { DENORT_BIN: X86_64 });
  const one = await findDenorts(["linux/amd64"], "v8", false, env);
  assert.deepEqual(one.get("linux/amd64"), {
    kind: "file",
    path: env("DENORT_BIN"),
    variable: "DENORT_BIN",
  });
  await assert.rejects(
    findDenorts(["linux/amd64", "linux/arm64"], "v8", false, env),
    (e: Error) =>
      e.message.includes("for linux/arm64 (aarch64-unknown-linux-gnu)") &&
      e.message.includes("so it serves only linux/amd64") &&
      e.message.includes("set DENORT_BIN_ARM64 to a denort executable") &&
      !e.message.includes("DENORT_BIN_AMD64") && !e.message.includes("\n"),
  );
});

Deno.test("findDenorts(): DENORT_BIN_<ARCH> must be of that architecture", async () => {
  await using dir = await tempDir();
  const env = await runtimes(dir.path, { DENORT_BIN_AMD64: X86_64, DENORT_BIN_ARM64: X86_64 });
  await assert.rejects(
    findDenorts(["linux/amd64", "linux/arm64"], "v8", false, env),
    (e: Error) =>
      e.message === `DENORT_BIN_ARM64=${env("DENORT_BIN_ARM64")} is for amd64, not arm64`,
  );
  const good = await runtimes(dir.path, { DENORT_BIN_AMD64: X86_64, DENORT_BIN_ARM64: AARCH64 });
  const found = await findDenorts(["linux/amd64", "linux/arm64"], "v8", false, good);
  assert.deepEqual([...found.values()].map((s) => s.kind === "file" && s.variable), [
    "DENORT_BIN_AMD64",
    "DENORT_BIN_ARM64",
  ]);
});

Deno.test("findDenorts(): every missing runtime is named in one line, with the cache paths", async () => {
  await using dir = await tempDir();
  const env = await runtimes(dir.path, {});
  await assert.rejects(
    findDenorts(["linux/amd64", "linux/arm64"], "v8", false, env),
    (e: Error) => {
      const m = e.message;
      return !m.includes("\n") &&
        m.includes("linux/amd64 (x86_64-unknown-linux-gnu) and linux/arm64") &&
        m.includes("DENORT_BIN_AMD64 / DENORT_BIN_ARM64") &&
        m.includes(denortCachePath("linux/amd64", "v8", env)) &&
        m.includes(denortCachePath("linux/arm64", "v8", env)) &&
        m.includes("--download") && m.includes("--runtime deno");
    },
  );
});

Deno.test("findDenorts(): the DENO_DIR cache, then --download", async () => {
  await using dir = await tempDir();
  const env = await runtimes(dir.path, {});
  const zip = denortCachePath("linux/arm64", "quickjs", env);
  assert.match(zip, /dl\/release\/v2\.9\.6\/denort-quickjs-aarch64-unknown-linux-gnu\.zip$/);
  await Deno.mkdir(join(zip, ".."), { recursive: true });
  await Deno.writeFile(zip, new Uint8Array(1));
  const found = await findDenorts(["linux/amd64", "linux/arm64"], "quickjs", true, env);
  assert.deepEqual(found.get("linux/arm64"), { kind: "cache", path: zip });
  assert.deepEqual(found.get("linux/amd64"), { kind: "download" });
});

Deno.test("stampBuildpackToml() writes the version, only the built targets, and the files", () => {
  const source = `api = "0.8"\n[buildpack]\nid = "x"\n[metadata]\ninclude-files = ["old"]\n` +
    `[[stacks]]\nid = "*"\n[[targets]]\nos = "linux"\narch = "amd64"\n` +
    `[[targets]]\nos = "linux"\narch = "arm64"\n`;
  const doc = parseToml(
    stampBuildpackToml(source, {
      version: "1.2.3",
      targets: ["linux/arm64"],
      files: ["buildpack.toml", "linux/arm64/bin/run"],
    }),
  );
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), {
    api: "0.8",
    buildpack: { id: "x", version: "1.2.3" },
    metadata: { "include-files": ["buildpack.toml", "linux/arm64/bin/run"] },
    stacks: [{ id: "*" }],
    targets: [{ os: "linux", arch: "arm64" }],
  });
  const dev = parseToml(stampBuildpackToml(source, { version: "0.0.1", api: "0.12" }));
  assert.equal(dev.api, "0.12");
  assert.deepEqual(JSON.parse(JSON.stringify(dev.targets)).length, 2, "targets kept");
  assert.deepEqual(JSON.parse(JSON.stringify(dev.metadata)), { "include-files": ["old"] });
});

Deno.test("parsePackageArgs() takes --publish with a registry image reference and a tag", () => {
  for (const ref of ["127.0.0.1:5000/poetry-run:1.2.3", "r.example/a/b_c:v1", "poetry-run:x"]) {
    const o = parsePackageArgs(["--version", "1.2.3", "--publish", ref], "/");
    assert.ok(o !== "help" && o.publish === ref, ref);
  }
  const none = parsePackageArgs(["--version", "1.2.3"], "/");
  assert.ok(none !== "help" && !("publish" in none));
});

Deno.test("packArgs(): a package.toml and --target flags; --format file, or --publish", () => {
  assert.deepEqual(
    packArgs({ kind: "file", path: "/o/buildpackage.cnb" }, "/t/package.toml", [
      "linux/amd64",
    ]),
    [
      "buildpack",
      "package",
      "/o/buildpackage.cnb",
      "--config",
      "/t/package.toml",
      "--target",
      "linux/amd64",
      "--format",
      "file",
    ],
  );
  assert.deepEqual(
    packArgs({ kind: "image", ref: "r.example/p:1" }, "/t/package.toml", [
      "linux/amd64",
      "linux/arm64",
    ]),
    [
      "buildpack",
      "package",
      "r.example/p:1",
      "--config",
      "/t/package.toml",
      "--target",
      "linux/amd64",
      "--target",
      "linux/arm64",
      "--publish",
    ],
  );
});

Deno.test("packageBuildpack() --publish without pack fails at once, before any work", async () => {
  await using out = await tempDir();
  await using rt = await tempDir();
  const env = await runtimes(rt.path, { DENORT_BIN_AMD64: X86_64, DENORT_BIN_ARM64: AARCH64 });
  const { compile, calls } = fakeCompile(correctMachine);
  await assert.rejects(
    packageBuildpack(
      opts(["--version", "1.2.3", "--output", out.path, "--publish", "r.example/p:1"]),
      { compile, env, log: () => {}, pack: () => Promise.resolve(undefined) },
    ),
    /^Error: --publish r\.example\/p:1 needs pack, which was not found/,
  );
  assert.equal(calls.length, 0, "nothing compiled");
});

Deno.test("buildpackageFiles() names pack's outputs: one file, or one per target", () => {
  assert.deepEqual(buildpackageFiles("/o", ["linux/amd64"]), ["/o/buildpackage.cnb"]);
  assert.deepEqual(buildpackageFiles("/o", ["linux/amd64", "linux/arm64"]), [
    "/o/buildpackage-linux-amd64.cnb",
    "/o/buildpackage-linux-arm64.cnb",
  ]);
});

Deno.test("packageBuildpack() lays out both targets, each with its own runtime, reproducibly", async () => {
  await using a = await tempDir();
  await using b = await tempDir();
  await using rt = await tempDir();
  const env = await runtimes(rt.path, { DENORT_BIN_AMD64: X86_64, DENORT_BIN_ARM64: AARCH64 });
  const { compile, calls } = fakeCompile(correctMachine);
  const log: string[] = [];
  const r = await packageBuildpack(opts(["--version", "1.2.3", "--output", a.path]), {
    compile,
    env,
    log: (l) => log.push(l),
    pack: () => Promise.resolve(undefined),
  });
  assert.deepEqual(
    calls.map((c) => [c.args[c.args.indexOf("--target") + 1], c.denortBin]),
    [
      ["x86_64-unknown-linux-gnu", env("DENORT_BIN_AMD64")],
      ["aarch64-unknown-linux-gnu", env("DENORT_BIN_ARM64")],
    ],
    "each target compiled with its own architecture's runtime",
  );
  assert.equal(await Deno.readLink(join(r.dir, "linux/amd64/bin/detect")), "run");
  assert.equal(await Deno.readLink(join(r.dir, "linux/arm64/bin/build")), "run");
  const toml = parseToml(await Deno.readTextFile(join(r.dir, "buildpack.toml")));
  assert.deepEqual(JSON.parse(JSON.stringify(toml.targets)), [
    { os: "linux", arch: "amd64" },
    { os: "linux", arch: "arm64" },
  ]);
  const items = readTar(await Deno.readFile(r.tarball));
  assert.deepEqual(items.map((i) => `${i.type} ${i.name} ${i.mode.toString(8)} ${i.link}`), [
    "0 buildpack.toml 644 ",
    "5 linux/ 755 ",
    "5 linux/amd64/ 755 ",
    "5 linux/amd64/bin/ 755 ",
    "2 linux/amd64/bin/build 777 run",
    "2 linux/amd64/bin/detect 777 run",
    "0 linux/amd64/bin/run 755 ",
    "0 linux/amd64/buildpack.toml 644 ",
    "5 linux/arm64/ 755 ",
    "5 linux/arm64/bin/ 755 ",
    "2 linux/arm64/bin/build 777 run",
    "2 linux/arm64/bin/detect 777 run",
    "0 linux/arm64/bin/run 755 ",
    "0 linux/arm64/buildpack.toml 644 ",
  ]);
  // Each target's directory is a whole buildpack for that target alone (what pack publishes).
  for (const arch of ["amd64", "arm64"]) {
    const own = parseToml(await Deno.readTextFile(join(r.dir, "linux", arch, "buildpack.toml")));
    assert.deepEqual(JSON.parse(JSON.stringify(own.targets)), [{ os: "linux", arch }]);
    assert.deepEqual((own.metadata as Record<string, unknown>)["include-files"], [
      "bin/build",
      "bin/detect",
      "bin/run",
      "buildpack.toml",
    ]);
    assert.deepEqual(own.buildpack, toml.buildpack, "the same id, name, version");
  }
  assert.deepEqual((toml.metadata as Record<string, unknown>)["include-files"], [
    "buildpack.toml",
    "linux/amd64/bin/build",
    "linux/amd64/bin/detect",
    "linux/amd64/bin/run",
    "linux/amd64/buildpack.toml",
    "linux/arm64/bin/build",
    "linux/arm64/bin/detect",
    "linux/arm64/bin/run",
    "linux/arm64/buildpack.toml",
  ]);
  assert.ok(items.every((i) => i.uid === 0 && i.gid === 0 && i.mtime === 0));
  assert.ok(log.some((l) => l.includes("linux/arm64/bin/run") && l.includes("arm64 executable")));
  assert.ok(log.some((l) => l.includes("make it with pack buildpack package")));

  const again = await packageBuildpack(opts(["--version", "1.2.3", "--output", b.path]), {
    compile: fakeCompile(correctMachine).compile,
    env,
    log: () => {},
    pack: () => Promise.resolve(undefined),
  });
  assert.deepEqual(await Deno.readFile(again.tarball), await Deno.readFile(r.tarball));
});

Deno.test("packageBuildpack() refuses an executable for the wrong machine, keeping the previous package", async () => {
  await using out = await tempDir();
  await using rt = await tempDir();
  const env = await runtimes(rt.path, { DENORT_BIN_AMD64: X86_64, DENORT_BIN_ARM64: AARCH64 });
  const deps = { env, log: () => {}, pack: () => Promise.resolve(undefined) };
  const good = await packageBuildpack(opts(["--version", "1.0.0", "--output", out.path]), {
    ...deps,
    compile: fakeCompile(correctMachine).compile,
  });
  const before = await Deno.readFile(good.tarball);
  // What one x86-64 runtime for both targets used to produce silently.
  await assert.rejects(
    packageBuildpack(opts(["--version", "2.0.0", "--output", out.path]), {
      ...deps,
      compile: fakeCompile(() => X86_64).compile,
    }),
    /^Error: linux\/arm64\/bin\/run is for amd64, not arm64: the runtime used for linux\/arm64 is for another architecture$/,
  );
  assert.deepEqual(await Deno.readFile(good.tarball), before, "previous tarball untouched");
  assert.match(await Deno.readTextFile(join(good.dir, "buildpack.toml")), /version = "1\.0\.0"/);
  assert.deepEqual(
    [...Deno.readDirSync(out.path)].map((e) => e.name).sort(),
    ["buildpack", "buildpack.tgz"],
    "no staging directory left",
  );
});

Deno.test("packageBuildpack() with one target writes only that target, and bin/ links to it", async () => {
  await using out = await tempDir();
  await using rt = await tempDir();
  const env = await runtimes(rt.path, { DENORT_BIN: AARCH64 });
  const r = await packageBuildpack(
    opts(["--version", "0.1.0", "--output", out.path, "--target", "linux/arm64"]),
    {
      compile: fakeCompile(correctMachine).compile,
      env,
      log: () => {},
      pack: () => Promise.resolve(undefined),
    },
  );
  assert.equal(await Deno.readLink(join(r.dir, "bin")), "linux/arm64/bin");
  const toml = parseToml(await Deno.readTextFile(join(r.dir, "buildpack.toml")));
  assert.deepEqual(JSON.parse(JSON.stringify(toml.targets)), [{ os: "linux", arch: "arm64" }]);
  assert.deepEqual((toml.metadata as Record<string, unknown>)["include-files"], [
    "bin",
    "buildpack.toml",
    "linux/arm64/bin/build",
    "linux/arm64/bin/detect",
    "linux/arm64/bin/run",
    "linux/arm64/buildpack.toml",
  ]);
  const names = readTar(await Deno.readFile(r.tarball)).map((i) => i.name);
  assert.ok(!names.some((n) => n.includes("amd64")), names.join(" "));
});

Deno.test("programScript() turns the ESM bundle into a function body LOADER can run", async () => {
  const bundle =
    `var n=1;async function r(a){return a.length+n}if(import.meta.main){Deno.exit(await r(Deno.args))}export{r as run};`;
  const body = programScript(bundle);
  assert.ok(!body.includes("import.meta") && !body.includes("export{"), body);
  const calls: number[] = [];
  const exit = Deno.exit;
  try {
    // deno-lint-ignore no-explicit-any
    (Deno as any).exit = (code: number) => void calls.push(code);
    await new Function("importMeta", body)({ main: true, url: "file:///x/lib/run.js" });
  } finally {
    // deno-lint-ignore no-explicit-any
    (Deno as any).exit = exit;
  }
  assert.deepEqual(calls, [Deno.args.length + 1]);
  assert.match(LOADER, /new Function\("importMeta", source\)\(import\.meta\)/);
});

Deno.test("programScript() refuses a bundle it cannot turn into a valid body", () => {
  for (
    const bad of [
      "var a=1;",
      "var a=1;export{a as x};export{a as y};",
      `import{b}from"./b.js";var a=b;export{a as run};`,
    ]
  ) {
    assert.throws(() => programScript(bad), TypeError, bad);
  }
});

Deno.test("linkLazyImport() points the program's one import() of the inference at infer.js; programScript() resolves it against the loader", () => {
  const bundle = 'var r=async()=>(await import("./infer.ts")).inferStart;export{r as run};';
  const linked = linkLazyImport(bundle);
  assert.equal(linked, 'var r=async()=>(await import("./infer.js")).inferStart;export{r as run};');
  assert.throws(() => linkLazyImport("var r=1;export{r as run};"), TypeError, "0 import");
  assert.throws(() => linkLazyImport(bundle + bundle), TypeError, "2 import");
  assert.match(
    programScript(linked),
    /await import\(new URL\("\.\/infer\.js",importMeta\.url\)\.href\)/,
  );
  assert.deepEqual(bundleArgs("/o/main.js").slice(7, 9), ["--external", "*/infer.ts"]);
});
