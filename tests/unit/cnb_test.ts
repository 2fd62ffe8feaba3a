import assert from "node:assert/strict";
import { isSupportedApi, SUPPORTED_APIS, usesCommandArrays } from "../../src/cnb/api.ts";
import { parseBuildpackToml } from "../../src/cnb/buildpack_toml.ts";
import { BuildpackError } from "../../src/cnb/errors.ts";
import { buildLayersDir, detectPlanPath } from "../../src/cnb/inputs.ts";
import { launchToml } from "../../src/cnb/launch.ts";
import { isDebugLevel } from "../../src/paketo/scribe.ts";
import { isProcessType, processType } from "../../src/cnb/process_type.ts";
import { parseToml } from "../../src/cnb/toml.ts";
import { tomlString } from "../../src/cnb/toml_string.ts";
import { recordingLogger } from "../_harness/helpers.ts";
import { stringifyToml } from "../../kit/toml_write.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("processType() accepts the spec charset and rejects everything else", () => {
  for (const ok of ["web", "reload-web", "a.b_c-D9"]) assert.equal(processType(ok), ok);
  for (const bad of ["", "my script", "a/b", "ä", "a:b"]) {
    assert.equal(isProcessType(bad), false);
    assert.throws(() => processType(bad), TypeError);
  }
});

Deno.test("SUPPORTED_APIS are 0.7 to 0.12 and arrays start at 0.9", () => {
  assert.deepEqual([...SUPPORTED_APIS], ["0.7", "0.8", "0.9", "0.10", "0.11", "0.12"]);
  assert.equal(isSupportedApi("0.13"), false);
  assert.deepEqual(SUPPORTED_APIS.map(usesCommandArrays), [false, false, true, true, true, true]);
});

Deno.test("launchToml() writes API 0.8 processes with a string command and direct = true", () => {
  const text = launchToml([{
    type: processType("web"),
    command: "poetry",
    args: ["run", "my script"],
    default: true,
  }], "0.8");
  assert.equal(
    text,
    `[[processes]]\ntype = "web"\ncommand = "poetry"\nargs = [ "run", "my script" ]\ndirect = true\ndefault = true\n`,
  );
});

Deno.test("launchToml() writes API 0.9+ processes with an array command and no direct", () => {
  for (const api of ["0.9", "0.12"] as const) {
    const doc = parseToml(
      launchToml([{
        type: processType("web"),
        command: "poetry",
        args: ["run", "x"],
        default: true,
      }], api),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), {
      processes: [{ type: "web", command: ["poetry", "run", "x"], default: true }],
    });
  }
});

Deno.test("launchToml() refuses two default processes", () => {
  const p = { type: processType("web"), command: "a", args: [], default: true };
  assert.throws(() => launchToml([p, { ...p, type: processType("w2") }], "0.8"), TypeError);
});

Deno.test("parseBuildpackToml() reads api, id, name and version", () => {
  const info = parseBuildpackToml(
    `api = "0.8"\n[buildpack]\nid = "a/b"\nname = "N"\nversion = "1.0.0"\n`,
    "bp.toml",
  );
  assert.deepEqual(info, { api: "0.8", id: "a/b", name: "N", version: "1.0.0" });
});

Deno.test("parseBuildpackToml() names the supported versions for an unknown or missing api", () => {
  assert.throws(() => parseBuildpackToml(`api = "0.13"\n`, "/bp/buildpack.toml"), (e: unknown) => {
    assert.ok(e instanceof BuildpackError);
    assert.equal(
      e.message,
      '/bp/buildpack.toml: api "0.13" is not supported; use one of 0.7, 0.8, 0.9, 0.10, 0.11, 0.12',
    );
    return true;
  });
  assert.throws(() => parseBuildpackToml(`[buildpack]\nid = "a"\n`, "/bp/buildpack.toml"), {
    message:
      '/bp/buildpack.toml: "api" is missing; set it to one of 0.7, 0.8, 0.9, 0.10, 0.11, 0.12',
  });
  assert.throws(() => parseBuildpackToml(`api = 0.8\n`, "b"), /api 0\.8 is not supported/);
});

Deno.test("detectPlanPath() prefers CNB_BUILD_PLAN_PATH, falls back to the second argument", () => {
  assert.equal(detectPlanPath(["/p", "/plan"], env({})), "/plan");
  assert.equal(detectPlanPath(["/p", "/plan"], env({ CNB_BUILD_PLAN_PATH: "/eplan" })), "/eplan");
  assert.equal(detectPlanPath([], env({ CNB_BUILD_PLAN_PATH: "/eplan" })), "/eplan");
  assert.throws(
    () => detectPlanPath(["/p"], env({ CNB_PLATFORM_DIR: "/ep" })),
    /^BuildpackError: detect <platform> <plan>: the build plan path is missing: set CNB_BUILD_PLAN_PATH or pass it as argument 2$/,
  );
});

Deno.test("buildLayersDir() prefers CNB_LAYERS_DIR, falls back to the first argument; nothing else is needed", () => {
  assert.equal(buildLayersDir(["/l", "/p", "/plan"], env({})), "/l");
  assert.equal(buildLayersDir([], env({ CNB_LAYERS_DIR: "/el" })), "/el");
  assert.equal(buildLayersDir(["/l"], env({})), "/l", "no platform dir or plan path needed");
  assert.throws(
    () => buildLayersDir([], env({})),
    /the layers directory is missing: set CNB_LAYERS_DIR or pass it as argument 1/,
  );
});

Deno.test("isDebugLevel() is case-insensitive DEBUG only", () => {
  assert.equal(isDebugLevel("debug"), true);
  assert.equal(isDebugLevel("DeBuG"), true);
  for (const v of [undefined, "", "INFO", "WARN", "trace"]) assert.equal(isDebugLevel(v), false);
});

Deno.test("Scribe.launchProcesses() aligns commands in one column like scribe", () => {
  const { logger, out } = recordingLogger();
  logger.launchProcesses([
    { type: processType("reload-web"), command: "watchexec", args: ["--", "x"], default: true },
    { type: processType("web"), command: "poetry", args: ["run", "x"], default: false },
    { type: processType("worker"), command: "poetry", args: ["run", "w"], default: false },
  ]);
  assert.equal(
    out(),
    "  Assigning launch processes:\n" +
      "    reload-web (default): watchexec -- x\n" +
      "    web:                  poetry run x\n" +
      "    worker:               poetry run w\n\n",
  );
});

Deno.test("launchToml() writes exactly what smol-toml's stringify writes, for every API", () => {
  const awkward = [
    'say "hi"',
    "back\\slash",
    "tab\tnew\nline",
    "del\u007f",
    "\u0001\u001f",
    "é ü 🐍",
    "",
  ];
  const sets = [
    [],
    [{ type: processType("web"), command: "poetry", args: ["run", "my script"], default: true }],
    [
      { type: processType("reload-web"), command: "watchexec", args: awkward, default: true },
      { type: processType("web"), command: "my script", args: [], default: false },
      { type: processType("a.b_c-d"), command: 'x"y', args: ["--"], default: false },
    ],
  ];
  for (const processes of sets) {
    for (const api of ["0.7", "0.8", "0.9", "0.12"] as const) {
      const arrays = api === "0.9" || api === "0.12";
      const model = {
        processes: processes.map((p) =>
          arrays ? { type: p.type, command: [p.command, ...p.args], default: p.default } : {
            type: p.type,
            command: p.command,
            args: [...p.args],
            direct: true,
            default: p.default,
          }
        ),
      };
      const ours = launchToml(processes, api);
      assert.equal(ours, stringifyToml(model), `API ${api}, ${processes.length} processes`);
      assert.deepEqual(JSON.parse(JSON.stringify(parseToml(ours))), model);
    }
  }
});

Deno.test("tomlString() refuses a lone surrogate instead of writing invalid TOML", () => {
  assert.equal(tomlString("a\u007fb"), '"a\\u007fb"');
  assert.throws(() => tomlString("\ud800"), TypeError);
});

Deno.test("buildpack.toml declares every BP_* variable the source reads, and no other, with a description", async () => {
  const doc = parseToml(await Deno.readTextFile(new URL("../../buildpack.toml", import.meta.url)));
  const configurations =
    (doc.metadata as { configurations: Record<string, unknown>[] }).configurations;
  const declared = configurations.map((c) => c.name).sort();
  const read = new Set<string>();
  for await (const file of walkTs(new URL("../../src/", import.meta.url))) {
    const code = (await Deno.readTextFile(file)).split("\n")
      .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line)).join("\n");
    for (const m of code.matchAll(/"(BP_[A-Z_]+)"/g)) {
      read.add(m[1] as string);
    }
  }
  assert.deepEqual(declared, [...read].sort());
  for (const c of configurations) {
    assert.equal(c.build, true, String(c.name));
    assert.equal(typeof c.default, "string", String(c.name));
    assert.ok(typeof c.description === "string" && c.description.length > 20, String(c.name));
  }
  const bp = doc.buildpack as { homepage?: string; licenses: { type: string; uri?: string }[] };
  assert.equal(bp.homepage, undefined, "no homepage pointing at another project");
  assert.deepEqual(JSON.parse(JSON.stringify(bp.licenses)), [{ type: "Apache-2.0" }]);
  assert.match(
    await Deno.readTextFile(new URL("../../LICENSE", import.meta.url)),
    /^\s*Apache License\s+Version 2\.0, January 2004/,
  );
});

async function* walkTs(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    const url = new URL(e.isDirectory ? `${e.name}/` : e.name, dir);
    if (e.isDirectory) yield* walkTs(url);
    else if (e.name.endsWith(".ts")) yield url;
  }
}
