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

async function timeRun(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env,
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
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

function generatedPyProject(bytes: number): string {
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

/** One row of the results table. */
interface Row {
  readonly name: string;
  readonly stats: Stats;
  readonly note: string;
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
    const floorArgs = [...phaseDenoArgs().slice(0, -1), join(REPO_ROOT, "bench", "floor.ts")];
    const samples = async (fn: () => Promise<number>) => {
      await fn(); // warm the module cache
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(await fn());
      return stats(out);
    };
    const floor = await samples(() => timeRun(Deno.execPath(), floorArgs, ws.root, ENV_BASE()));
    rows.push({ name: "floor: empty program, same flags", stats: floor, note: "" });
    for (const [label, app, vars] of apps) {
      for (const phase of ["detect", "build"] as const) {
        const env = { ...ENV_BASE(), ...cnb(ws), ...vars };
        const s = await samples(() => timeRun(Deno.execPath(), phaseArgs(phase, ws), app, env));
        const over = s.median - floor.median;
        rows.push({
          name: `${phase}: ${label}`,
          stats: s,
          note: `${over >= 0 ? "+" : ""}${over.toFixed(1)} ms over floor (goal ≤ 5): ${
            over <= 5 ? "met" : "not met"
          }`,
        });
      }
    }
    // The same entry point bundled into one file (smol-toml inlined, no npm resolution at start-up):
    // what `deno compile --bundle` would embed.
    const bundle = join(ws.root, "main.bundle.js");
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "-q",
        "--platform",
        "deno",
        "--config",
        join(REPO_ROOT, "deno.json"),
        "-o",
        bundle,
        join(REPO_ROOT, "src", "main.ts"),
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (bundled.code === 0) {
      for (const phase of ["detect", "build"] as const) {
        const args = [
          ...phaseDenoArgs().slice(0, -1),
          bundle,
          ...phaseArgs(phase, ws).slice(phaseDenoArgs().length),
        ];
        const s = await samples(() =>
          timeRun(Deno.execPath(), args, join(REPO_ROOT, "examples", "default_app"), {
            ...ENV_BASE(),
            ...cnb(ws),
          })
        );
        const over = s.median - floor.median;
        rows.push({
          name: `${phase}: example app, bundled entry`,
          stats: s,
          note: `${over >= 0 ? "+" : ""}${over.toFixed(1)} ms over floor (goal ≤ 5): ${
            over <= 5 ? "met" : "not met"
          }`,
        });
      }
    } else {
      console.log(
        `(bundled rows skipped: deno bundle failed: ${
          new TextDecoder().decode(bundled.stderr).trim()
        })`,
      );
    }
    const task = await samples(() =>
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
        join(REPO_ROOT, "examples", "default_app"),
        { ...ENV_BASE(), ...cnb(ws) },
      )
    );
    rows.push({
      name: "detect via deno task phase",
      stats: task,
      note: "includes deno task start-up",
    });

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
      const goal = label === "1 MB" ? ` (goal < 20 ms: ${s.median < 20 ? "met" : "not met"})` : "";
      rows.push({
        name: `parse + choose, ${label}`,
        stats: s,
        note: `${mbps.toFixed(1)} MB/s${goal}`,
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
      `${"case".padEnd(42)}${"min".padStart(8)}${"median".padStart(8)}${"max".padStart(8)}  (ms)`,
    );
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(42)}${fmt(r.stats.min)}${fmt(r.stats.median)}${
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
          console.log(`Δ ${r.name.padEnd(40)} ${(r.stats.median - o.stats.median).toFixed(2)} ms`);
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
