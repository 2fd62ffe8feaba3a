/**
 * `deno task bench [--iterations N] [--compare old.json]`: how fast detect and
 * build are, measured as whole-process runs against the start-up floor, plus
 * in-process parsing cost by input size and peak RSS. Prints a table and writes
 * `bench/results.json`. No timing assertions: goals are reported met / not met.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { phaseDenoArgs, REPO_ROOT } from "../scripts/phase_command.ts";
import { bundleArgs, packageBuildpack } from "../scripts/package.ts";
import { parsePyProject } from "../src/poetry/pyproject.ts";
import { targetFromScripts } from "../src/poetry/target.ts";

/** min / median / max in milliseconds. */
export interface Stats {
  /** Fastest run. */
  readonly min: number;
  /** Median run. */
  readonly median: number;
  /** Slowest run. */
  readonly max: number;
}

/**
 * Summarises samples.
 *
 * @param samples Durations in ms.
 * @returns min, median, max.
 */
export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1
    ? s[mid] as number
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number };
}

const ENV_BASE = (): Record<string, string> => ({
  PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  ...(Deno.env.get("HOME") ? { HOME: Deno.env.get("HOME") as string } : {}),
  ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR") as string } : {}),
});

/**
 * Times one run of a command. `cold`: as in a new build container, where the
 * lifecycle runs every phase: `HOME` a new empty directory and no `DENO_DIR`,
 * so Deno finds no cache (made before the clock starts, removed after).
 */
async function timeRun(
  cmd: string,
  args: string[],
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
      args,
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

async function peakRssKb(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<number> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%M", Deno.execPath(), ...args],
    cwd,
    env,
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
  return Number(lines[lines.length - 1]);
}

interface Workspace {
  root: string;
  platform: string;
  plan: string;
  layers: string;
}

async function workspace(): Promise<Workspace> {
  const root = await Deno.makeTempDir({ prefix: "poetry-run-bench-" });
  const ws = {
    root,
    platform: join(root, "platform"),
    plan: join(root, "plan.toml"),
    layers: join(root, "layers"),
  };
  await Deno.mkdir(join(ws.platform, "env"), { recursive: true });
  await Deno.mkdir(ws.layers);
  return ws;
}

function phaseArgs(phase: "detect" | "build", ws: Workspace): string[] {
  return phase === "detect"
    ? [...phaseDenoArgs(), "detect", ws.platform, ws.plan]
    : [...phaseDenoArgs(), "build", ws.layers, ws.platform, ws.plan];
}

/**
 * A pyproject.toml of about `bytes` bytes: two scripts, then a large table.
 *
 * @param bytes The size wanted.
 * @returns The text.
 */
export function generatedPyProject(bytes: number): string {
  const head =
    `[project]\nname = "gen"\nversion = "1.0.0"\n\n[project.scripts]\nweb = "gen.app:main"\nworker = "gen.w:main"\n\n[tool.gen]\n`;
  const lines: string[] = [head];
  let size = head.length;
  for (let i = 0; size < bytes; i++) {
    const line = `key${i} = { version = "^1.${i % 50}", extras = ["a", "b"], optional = ${
      i % 2 === 0
    } }\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join("");
}

/** A whole-process case: how to run it once (returns ms), and the floor it is compared with. */
interface Case {
  readonly name: string;
  readonly run: () => Promise<number>;
  readonly floor?: string;
  readonly note?: string;
}

/**
 * Runs every case once to warm caches, then `n` rounds of every case in turn.
 *
 * @param cases The cases.
 * @param n Rounds.
 * @returns Stats per case name.
 */
async function roundRobin(cases: readonly Case[], n: number): Promise<Map<string, Stats>> {
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (const c of cases) await c.run();
  for (let i = 0; i < n; i++) {
    for (const c of cases) samples.get(c.name)?.push(await c.run());
  }
  return new Map([...samples].map(([name, s]) => [name, stats(s)]));
}

/** One row of the results table. */
interface Row {
  readonly name: string;
  readonly stats: Stats;
  readonly note: string;
}

const fmt = (n: number) => n.toFixed(2).padStart(8);

/** Start-up over the floor a production phase may cost, cold (ms). */
const GOAL_MS = 3;

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
  const ws = await workspace();
  const rows: Row[] = [];
  try {
    const apps: [string, string, Record<string, string>][] = [
      ["example app", join(REPO_ROOT, "examples", "default_app"), {}],
      ["300 dependencies", join(REPO_ROOT, "bench", "fixtures", "deps300"), {}],
      ["BP_POETRY_RUN_TARGET", join(REPO_ROOT, "examples", "default_app"), {
        BP_POETRY_RUN_TARGET: "gunicorn app:app",
      }],
    ];
    const cnb = (w: Workspace) => ({ CNB_BUILDPACK_DIR: REPO_ROOT, CNB_PLATFORM_DIR: w.platform });
    const example = join(REPO_ROOT, "examples", "default_app");
    // Every process case is registered first, then all are run in rotation, once per
    // iteration: slow drift of a shared machine spreads over all cases instead of
    // landing between a floor measured first and a case measured later.
    const cases: Case[] = [];
    const add = (c: Case) => void cases.push(c);
    const floorArgs = [...phaseDenoArgs().slice(0, -1), join(REPO_ROOT, "bench", "floor.ts")];
    add({
      name: "floor: empty program, same flags",
      run: () => timeRun(Deno.execPath(), floorArgs, ws.root, ENV_BASE()),
    });
    const FLOOR = "floor: empty program, same flags";
    // The production paths run as in a new build container: no Deno cache.
    const COLD_FLOOR = "floor: empty program, same flags, cold";
    add({
      name: COLD_FLOOR,
      run: () => timeRun(Deno.execPath(), floorArgs, ws.root, ENV_BASE(), true),
    });
    for (const [label, app, vars] of apps) {
      for (const phase of ["detect", "build"] as const) {
        const env = { ...ENV_BASE(), ...cnb(ws), ...vars };
        add({
          name: `${phase}: ${label}`,
          floor: FLOOR,
          run: () => timeRun(Deno.execPath(), phaseArgs(phase, ws), app, env),
        });
      }
    }

    // The production paths. Both runtimes of `deno task package` start from one
    // minified bundle (smol-toml inlined, no npm resolution at start-up).
    const bundle = join(ws.root, "main.js");
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: bundleArgs(bundle),
      stdout: "null",
      stderr: "piped",
    }).output();
    if (bundled.code !== 0) {
      throw new Error(`deno bundle failed: ${new TextDecoder().decode(bundled.stderr).trim()}`);
    }
    for (const phase of ["detect", "build"] as const) {
      const args = [
        ...phaseDenoArgs().slice(0, -1),
        bundle,
        ...phaseArgs(phase, ws).slice(phaseDenoArgs().length),
      ];
      add({
        name: `${phase}: bundled, phase as argument`,
        floor: COLD_FLOOR,
        run: () => timeRun(Deno.execPath(), args, example, { ...ENV_BASE(), ...cnb(ws) }, true),
      });
    }
    // denort: the lifecycle execs bin/detect or bin/build, symlinks to one executable,
    // with the phase's inputs only. A symlink named detect/build to the deno executable
    // gives the program the same argv[0] and arguments (a compiled executable cannot be
    // made here: no denort).
    const bin = join(ws.root, "bin");
    await Deno.mkdir(bin);
    for (const phase of ["detect", "build"] as const) {
      await Deno.symlink(Deno.execPath(), join(bin, phase));
    }
    const lifecycleEnv = (phase: "detect" | "build", api07: boolean) =>
      api07
        ? { ...ENV_BASE() }
        : phase === "detect"
        ? { ...ENV_BASE(), ...cnb(ws), CNB_BUILD_PLAN_PATH: ws.plan }
        : { ...ENV_BASE(), ...cnb(ws), CNB_LAYERS_DIR: ws.layers, CNB_BP_PLAN_PATH: ws.plan };
    for (const phase of ["detect", "build"] as const) {
      const args = [
        ...phaseDenoArgs().slice(0, -1),
        bundle,
        ...phaseArgs(phase, ws).slice(phaseDenoArgs().length + 1),
      ];
      add({
        name: `${phase}: bundled, via bin/${phase} symlink`,
        floor: COLD_FLOOR,
        run: () => timeRun(join(bin, phase), args, example, lifecycleEnv(phase, false), true),
      });
      if (phase === "detect") {
        add({
          name: `${phase}: bundled, via bin/${phase}, API 0.7 (argv0)`,
          floor: COLD_FLOOR,
          note: "node:process read for argv[0]",
          run: () => timeRun(join(bin, phase), args, example, lifecycleEnv(phase, true), true),
        });
      }
    }
    // --runtime deno: the packaged POSIX sh entry points, against the same script running
    // an empty program (the floor of that path).
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
    const lib = join(pkg.dir, "linux", "amd64", "lib");
    await Deno.writeTextFile(join(lib, "empty.js"), "");
    const floorScript = join(pkg.dir, "linux", "amd64", "bin", "floor");
    await Deno.writeTextFile(
      floorScript,
      (await Deno.readTextFile(join(pkg.dir, "bin", "detect"))).replace(
        '/lib/run.js" detect',
        '/lib/empty.js" detect',
      ),
      { mode: 0o755 },
    );
    const DENO_FLOOR = "floor: --runtime deno script, empty program";
    add({
      name: DENO_FLOOR,
      run: () =>
        timeRun(floorScript, [ws.platform, ws.plan], example, lifecycleEnv("detect", false), true),
    });
    for (const phase of ["detect", "build"] as const) {
      const args = phaseArgs(phase, ws).slice(phaseDenoArgs().length + 1);
      add({
        name: `${phase}: --runtime deno package, bin/${phase}`,
        floor: DENO_FLOOR,
        run: () =>
          timeRun(join(pkg.dir, "bin", phase), args, example, {
            ...lifecycleEnv(phase, false),
            CNB_BUILDPACK_DIR: pkg.dir,
          }, true),
      });
    }
    add({
      name: "detect via deno task phase",
      note: "includes deno task start-up",
      run: () =>
        timeRun(
          Deno.execPath(),
          [
            "task",
            "-q",
            "--config",
            join(REPO_ROOT, "deno.json"),
            "phase",
            "detect",
            ws.platform,
            ws.plan,
          ],
          example,
          { ...ENV_BASE(), ...cnb(ws) },
        ),
    });

    const measured = await roundRobin(cases, n);
    for (const c of cases) {
      const s = measured.get(c.name) as Stats;
      const base = c.floor === undefined ? undefined : measured.get(c.floor);
      let note = c.note ?? "";
      if (base !== undefined) {
        const over = s.median - base.median;
        const delta = `${over >= 0 ? "+" : ""}${over.toFixed(1)} ms over floor`;
        // The goal is for what production runs: a packaged phase in a new build container.
        const goal = c.floor === FLOOR ? "from source, warm cache" : GOAL_MS;
        note = c.note !== undefined
          ? `${delta}: ${c.note}`
          : typeof goal === "string"
          ? `${delta} (${goal})`
          : `${delta} (goal ≤ ${goal}): ${over <= goal ? "met" : "not met"}`;
      }
      rows.push({ name: c.name, stats: s, note });
    }

    const sizes: [string, number][] = [["1 KB", 1_000], ["100 KB", 100_000], ["1 MB", 1_000_000], [
      "10 MB",
      10_000_000,
    ]];
    const perMb: number[] = [];
    for (const [label, bytes] of sizes) {
      const text = generatedPyProject(bytes);
      const reps = bytes >= 10_000_000 ? Math.max(1, Math.min(n, 3)) : n;
      const out: number[] = [];
      for (let i = 0; i <= reps; i++) {
        const t0 = performance.now();
        const t = targetFromScripts(parsePyProject(text));
        const ms = performance.now() - t0;
        if ("reason" in t) throw new Error(t.reason);
        if (i > 0) out.push(ms);
      }
      const s = stats(out);
      const mbps = text.length / 1e6 / (s.median / 1000);
      perMb.push(s.median / (text.length / 1e6));
      rows.push({
        name: `parse whole file + choose, ${label}`,
        stats: s,
        note: `${mbps.toFixed(1)} MB/s`,
      });
    }
    const growth = (perMb[3] as number) / (perMb[2] as number);
    const rss: Record<string, number> = {};
    for (const phase of ["detect", "build"] as const) {
      rss[phase] = await peakRssKb(
        phaseArgs(phase, ws),
        join(REPO_ROOT, "examples", "default_app"),
        { ...ENV_BASE(), ...cnb(ws) },
      );
    }

    console.log(
      `poetry-run benchmarks: ${n} iterations, ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}`,
    );
    console.log(
      `${"case".padEnd(58)}${"min".padStart(8)}${"median".padStart(8)}${"max".padStart(8)}  (ms)`,
    );
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(58)}${fmt(r.stats.min)}${fmt(r.stats.median)}${
          fmt(r.stats.max)
        }  ${r.note}`,
      );
    }
    console.log(
      `time per MB, 10 MB vs 1 MB: ${growth.toFixed(2)}x (goal: no super-linear growth, ≤ 1.5x): ${
        growth <= 1.5 ? "met" : "not met"
      }`,
    );
    console.log(
      `peak RSS: detect ${(rss.detect ?? 0) / 1024 | 0} MiB, build ${
        (rss.build ?? 0) / 1024 | 0
      } MiB`,
    );
    const results = { iterations: n, deno: Deno.version.deno, rows, growth, peakRssKb: rss };
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
  } finally {
    await Deno.remove(ws.root, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await main());
