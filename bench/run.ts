/**
 * `deno task bench [--iterations N] [--compare old.json]`: how fast detect and
 * build are, measured as whole-process runs against the start-up floor, plus
 * in-process parsing cost by input size and peak RSS. Prints a table and writes
 * `bench/results.json`. No timing assertions: goals are reported met / not met.
 *
 * The production paths run as the lifecycle runs a phase in a new build
 * container: `HOME` a new empty directory and no `DENO_DIR`, so Deno finds no
 * cache. The paths from source keep the developer's cache (they need the npm
 * packages).
 *
 * @module
 */
import { join } from "node:path";
import { type Stats, stats } from "../kit/stats.ts";
import { generatedPyProject, sourceTreeApp } from "./_apps.ts";
import { parseArgs } from "node:util";
import { denoTaskArgs, phaseDenoArgs, REPO_ROOT } from "../kit/phase_command.ts";
import { packageBuildpack } from "../kit/package.ts";
import { bundleArgs } from "../kit/package/deno_commands.ts";
import { entryScript } from "../kit/package/entry_script.ts";
import { phasePermissionFlags } from "../kit/package/permissions.ts";
import { parsePyProject } from "../src/poetry/pyproject.ts";
import { targetFromScripts } from "../src/poetry/target.ts";
import { must, output } from "../kit/command.ts";
import { type Layout, lifecycleLayout, phaseInputs } from "../kit/layout.ts";
import { phaseEnv } from "../kit/phase.ts";

/** Start-up over the floor a production phase may cost, cold (ms). */
const GOAL_MS = 3;

/**
 * Times one run of a command. `cold`: as in a new build container (a new
 * empty HOME, made before the clock starts, and no `DENO_DIR`).
 */
async function timeRun(
  cmd: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
  cold = false,
): Promise<number> {
  const home = cold ? await Deno.makeTempDir({ prefix: "poetry-run-bench-home-" }) : undefined;
  const vars = { ...env };
  if (home !== undefined) {
    vars.HOME = home;
    delete vars.DENO_DIR;
  }
  try {
    const start = performance.now();
    const out = await new Deno.Command(cmd, {
      args: [...args],
      cwd,
      env: vars,
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
    }).output();
    const ms = performance.now() - start;
    if (out.code !== 0) {
      throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
    }
    return ms;
  } finally {
    if (home !== undefined) await Deno.remove(home, { recursive: true });
  }
}

/** A whole-process case: how to run it once (returns ms), and the floor it is compared with. */
interface Case {
  readonly name: string;
  readonly run: () => Promise<number>;
  readonly floor?: string;
  readonly note?: string;
}

/** One row of the results table. */
interface Row {
  readonly name: string;
  readonly stats: Stats;
  readonly note: string;
}

const EXAMPLE = join(REPO_ROOT, "examples", "default_app");
const FLOOR = "floor: empty program, same flags";
const COLD_FLOOR = "floor: empty program, same flags, cold";
const DENO_FLOOR = "floor: --runtime deno script, empty program";

/** The phase's inputs as the lifecycle gives them (Buildpack API 0.8+, or 0.7: arguments only). */
function lifecycleEnv(
  phase: "detect" | "build",
  ws: Layout,
  api07 = false,
): Record<string, string> {
  const base = { ...phaseEnv(), CNB_BUILDPACK_DIR: REPO_ROOT };
  return api07 ? base : { ...base, ...phaseInputs(phase, ws).cnb };
}

/** The phase's positional arguments. */
const inputs = (phase: "detect" | "build", ws: Layout) => phaseInputs(phase, ws).args;

/** From source: `deno run -P=phase src/main.ts <phase> …`, for three apps. */
function sourceCases(ws: Layout): Case[] {
  const floorArgs = [...phaseDenoArgs().slice(0, -1), join(REPO_ROOT, "bench", "floor.ts")];
  const cases: Case[] = [
    { name: FLOOR, run: () => timeRun(Deno.execPath(), floorArgs, ws.root, phaseEnv()) },
    { name: COLD_FLOOR, run: () => timeRun(Deno.execPath(), floorArgs, ws.root, phaseEnv(), true) },
  ];
  const apps: [string, string, Record<string, string>][] = [
    ["example app", EXAMPLE, {}],
    ["300 dependencies", join(REPO_ROOT, "bench", "fixtures", "deps300"), {}],
    ["BP_POETRY_RUN_TARGET", EXAMPLE, { BP_POETRY_RUN_TARGET: "gunicorn app:app" }],
  ];
  for (const [label, app, vars] of apps) {
    for (const phase of ["detect", "build"] as const) {
      const args = [...phaseDenoArgs(), phase, ...inputs(phase, ws)];
      const env = { ...lifecycleEnv(phase, ws), ...vars };
      cases.push({
        name: `${phase}: ${label}`,
        floor: FLOOR,
        run: () => timeRun(Deno.execPath(), args, app, env),
      });
    }
  }
  return cases;
}

/**
 * The minified bundle both runtimes ship: as an argument-named phase, and
 * through a `bin/detect` / `bin/build` symlink with the lifecycle's inputs
 * (what a `denort` package does; a symlink to the deno executable gives the
 * program the same argv[0], since no denort can be built here).
 */
async function bundleCases(ws: Layout): Promise<Case[]> {
  const bundle = join(ws.root, "main.js");
  must("deno bundle", await output(Deno.execPath(), bundleArgs(bundle)));
  const runBundle = [...phaseDenoArgs().slice(0, -1), bundle];
  const bin = join(ws.root, "bin");
  await Deno.mkdir(bin);
  const cases: Case[] = [];
  for (const phase of ["detect", "build"] as const) {
    await Deno.symlink(Deno.execPath(), join(bin, phase));
    cases.push({
      name: `${phase}: bundled, phase as argument`,
      floor: COLD_FLOOR,
      run: () =>
        timeRun(
          Deno.execPath(),
          [...runBundle, phase, ...inputs(phase, ws)],
          EXAMPLE,
          lifecycleEnv(phase, ws),
          true,
        ),
    });
    const viaLink = [...runBundle, ...inputs(phase, ws)];
    cases.push({
      name: `${phase}: bundled, via bin/${phase} symlink`,
      floor: COLD_FLOOR,
      run: () => timeRun(join(bin, phase), viaLink, EXAMPLE, lifecycleEnv(phase, ws), true),
    });
    if (phase === "detect") {
      cases.push({
        name: `${phase}: bundled, via bin/${phase}, API 0.7 (argv0)`,
        floor: COLD_FLOOR,
        note: "node:process read for argv[0]",
        run: () => timeRun(join(bin, phase), viaLink, EXAMPLE, lifecycleEnv(phase, ws, true), true),
      });
    }
  }
  return cases;
}

/** The real `--runtime deno` package's entry scripts, against the same script running an empty program. */
async function packageCases(ws: Layout): Promise<Case[]> {
  const pkg = await packageBuildpack(
    {
      version: "0.0.0",
      output: join(ws.root, "pkg"),
      targets: ["linux/amd64"],
      runtime: "deno",
      engine: "v8",
      download: false,
    },
    { log: () => {}, pack: () => Promise.resolve(undefined) },
  );
  const target = join(pkg.dir, "linux", "amd64");
  await Deno.writeTextFile(join(target, "lib", "empty.js"), "");
  const floorScript = join(target, "bin", "floor");
  await Deno.writeTextFile(
    floorScript,
    entryScript("detect", await phasePermissionFlags(), "empty.js"),
    {
      mode: 0o755,
    },
  );
  const env = (phase: "detect" | "build") => ({
    ...lifecycleEnv(phase, ws),
    CNB_BUILDPACK_DIR: pkg.dir,
  });
  return [
    {
      name: DENO_FLOOR,
      run: () => timeRun(floorScript, inputs("detect", ws), EXAMPLE, env("detect"), true),
    },
    ...(["detect", "build"] as const).map((phase) => ({
      name: `${phase}: --runtime deno package, bin/${phase}`,
      floor: DENO_FLOOR,
      run: () => timeRun(join(pkg.dir, "bin", phase), inputs(phase, ws), EXAMPLE, env(phase), true),
    })),
    ...await inferCases(ws, join(pkg.dir, "bin", "detect"), env("detect")),
  ];
}

/** detect inferring a command for apps of 1, 1,000 and 10,000 source files (and bad input). */
async function inferCases(
  ws: Layout,
  detectBin: string,
  env: Record<string, string>,
): Promise<Case[]> {
  const cases: Case[] = [];
  for (const [n, bad] of [[1, false], [1_000, false], [10_000, false], [1_000, true]] as const) {
    const app = join(ws.root, `tree-${n}${bad ? "-bad" : ""}`);
    await sourceTreeApp(app, n, bad);
    cases.push({
      name: `detect: inferred, ${n.toLocaleString("en")} source files${bad ? " + bad input" : ""}`,
      floor: DENO_FLOOR,
      note: "the app's sources read",
      run: () => timeRun(detectBin, inputs("detect", ws), app, env, true),
    });
  }
  return cases;
}

/** `deno task phase detect`, which includes deno task's own start-up. */
function taskCase(ws: Layout): Case {
  const args = denoTaskArgs("phase", ["detect", ...inputs("detect", ws)]);
  return {
    name: "detect via deno task phase",
    note: "includes deno task start-up",
    run: () => timeRun(Deno.execPath(), args, EXAMPLE, lifecycleEnv("detect", ws)),
  };
}

/**
 * Runs every case once to warm caches, then `n` rounds of every case in turn
 * (so a shared machine's drift spreads over all of them).
 */
async function roundRobin(cases: readonly Case[], n: number): Promise<Map<string, Stats>> {
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (const c of cases) await c.run();
  for (let i = 0; i < n; i++) {
    for (const c of cases) samples.get(c.name)?.push(await c.run());
  }
  return new Map([...samples].map(([name, s]) => [name, stats(s)]));
}

function processRows(cases: readonly Case[], measured: Map<string, Stats>): Row[] {
  return cases.map((c) => {
    const s = measured.get(c.name) as Stats;
    const base = c.floor === undefined ? undefined : measured.get(c.floor);
    if (base === undefined) return { name: c.name, stats: s, note: c.note ?? "" };
    const over = s.median - base.median;
    const delta = `${over >= 0 ? "+" : ""}${over.toFixed(1)} ms over floor`;
    // The goal is for what production runs: a packaged phase in a new build container.
    const note = c.note !== undefined
      ? `${delta}: ${c.note}`
      : c.floor === FLOOR
      ? `${delta} (from source, warm cache)`
      : `${delta} (goal ≤ ${GOAL_MS}): ${over <= GOAL_MS ? "met" : "not met"}`;
    return { name: c.name, stats: s, note };
  });
}

/** In-process: parse a whole pyproject.toml and choose the target, by size. */
function parseRows(n: number): { rows: Row[]; growth: number } {
  const rows: Row[] = [];
  const perMb: number[] = [];
  for (
    const [label, bytes] of [["1 KB", 1e3], ["100 KB", 1e5], ["1 MB", 1e6], ["10 MB", 1e7]] as const
  ) {
    const text = generatedPyProject(bytes);
    const reps = bytes >= 1e7 ? Math.max(1, Math.min(n, 3)) : n;
    const out: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      const t = targetFromScripts(parsePyProject(text));
      const ms = performance.now() - t0;
      if ("reason" in t) throw new Error(t.reason);
      if (i > 0) out.push(ms);
    }
    const s = stats(out);
    perMb.push(s.median / (text.length / 1e6));
    rows.push({
      name: `parse whole file + choose, ${label}`,
      stats: s,
      note: `${(text.length / 1e6 / (s.median / 1000)).toFixed(1)} MB/s`,
    });
  }
  return { rows, growth: (perMb[3] as number) / (perMb[2] as number) };
}

async function peakRssKb(phase: "detect" | "build", ws: Layout): Promise<number> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%M", Deno.execPath(), ...phaseDenoArgs(), phase, ...inputs(phase, ws)],
    cwd: EXAMPLE,
    env: lifecycleEnv(phase, ws),
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
  return Number(lines[lines.length - 1]);
}

const fmt = (n: number) => n.toFixed(2).padStart(8);

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { iterations: { type: "string" }, compare: { type: "string" } },
  });
  const n = Number(values.iterations ?? "20");
  if (!Number.isInteger(n) || n < 1) {
    console.error("usage: deno task bench [--iterations N] [--compare old.json]");
    return 2;
  }
  await using ws = await lifecycleLayout({ prefix: "poetry-run-bench-" });
  // Every process case is registered first, then all are run in rotation, once per
  // iteration: slow drift of a shared machine spreads over all cases instead of
  // landing between a floor measured first and a case measured later.
  const cases = [
    ...sourceCases(ws),
    ...await bundleCases(ws),
    ...await packageCases(ws),
    taskCase(ws),
  ];
  const rows = processRows(cases, await roundRobin(cases, n));
  const parsed = parseRows(n);
  rows.push(...parsed.rows);
  const rss = { detect: await peakRssKb("detect", ws), build: await peakRssKb("build", ws) };

  console.log(
    `poetry-run benchmarks: ${n} iterations, ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}`,
  );
  console.log(
    `${"case".padEnd(58)}${"min".padStart(8)}${"median".padStart(8)}${"max".padStart(8)}  (ms)`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(58)}${fmt(r.stats.min)}${fmt(r.stats.median)}${fmt(r.stats.max)}  ${r.note}`,
    );
  }
  console.log(
    `time per MB, 10 MB vs 1 MB: ${
      parsed.growth.toFixed(2)
    }x (goal: no super-linear growth, ≤ 1.5x): ${parsed.growth <= 1.5 ? "met" : "not met"}`,
  );
  console.log(`peak RSS: detect ${rss.detect / 1024 | 0} MiB, build ${rss.build / 1024 | 0} MiB`);
  const results = {
    iterations: n,
    deno: Deno.version.deno,
    rows,
    growth: parsed.growth,
    peakRssKb: rss,
  };
  if (values.compare !== undefined) {
    const old = JSON.parse(await Deno.readTextFile(values.compare)) as typeof results;
    for (const r of rows) {
      const o = old.rows.find((x) => x.name === r.name);
      if (o) {
        console.log(`Δ ${r.name.padEnd(56)} ${(r.stats.median - o.stats.median).toFixed(2)} ms`);
      }
    }
  }
  await Deno.writeTextFile(
    join(REPO_ROOT, "bench", "results.json"),
    JSON.stringify(results, null, 2) + "\n",
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main());
