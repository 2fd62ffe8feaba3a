/**
 * `deno task bench:start [--runs N] [--docker]`: how long an app built with
 * this buildpack takes from process start to its first HTTP 200, started
 * through `poetry run` (the default) or directly (`BP_POETRY_RUN_DIRECT=true`).
 *
 * The example app is built twice through the real lifecycle (the same app,
 * providers and buildpack; only `BP_POETRY_RUN_DIRECT` differs), then started
 * by the real launcher, the two builds interleaved, N times each (default 15):
 * cold (an empty bytecode cache, as in a new container: the cpython stand-in
 * sets PYTHONPYCACHEPREFIX under $HOME, as Paketo's does) and warm (a restart).
 * With `--docker`, the same with real images from `pack build`, each start a
 * new container, and the two images' sizes.
 *
 * Prints a table and writes `bench/start-results.json`. No timing assertions.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Stats, stats } from "./run.ts";
import {
  freePort,
  launch,
  lifecycleBuild,
  missingTools,
  TOOLS_DIR,
} from "../tests/integration/lifecycle.ts";
import {
  e2eSuite,
  finishSuite,
  imageSize,
  missingE2eTools,
  packBuild,
  runContainer,
} from "../tests/e2e/harness.ts";
import { REPO_ROOT } from "../tests/_helpers.ts";

const EXAMPLE = join(REPO_ROOT, "examples", "default_app");
const MODES = ["poetry run", "direct"] as const;
type Mode = typeof MODES[number];

/**
 * Polls `http://127.0.0.1:<port>/` every 5 ms until it answers 200.
 *
 * @param port The port.
 * @param timeoutMs Bound on the wait.
 * @returns When it answered, from `performance.now()`.
 */
async function firstOk(port: number, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
      await res.body?.cancel();
      if (res.status === 200) return performance.now();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no HTTP 200 on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

interface Series {
  readonly label: string;
  readonly samples: number[];
}

function report(title: string, series: readonly Series[]): Record<string, Stats> {
  console.log(title);
  console.log(
    `${"start".padEnd(34)}${"min".padStart(9)}${"median".padStart(9)}${"max".padStart(9)}  (ms, n)`,
  );
  const out: Record<string, Stats> = {};
  for (const s of series) {
    const st = stats(s.samples);
    out[s.label] = st;
    console.log(
      `${s.label.padEnd(34)}${st.min.toFixed(0).padStart(9)}${st.median.toFixed(0).padStart(9)}${
        st.max.toFixed(0).padStart(9)
      }  ${s.samples.length}`,
    );
  }
  return out;
}

async function hostBench(runs: number): Promise<Record<string, Stats>> {
  const reason = missingTools();
  if (reason !== undefined) throw new Error(`${reason} (needed for the host measurement)`);
  console.log(`Building the example app twice through lifecycle v0.21.17 (tools: ${TOOLS_DIR})`);
  const builds = {
    "poetry run": await lifecycleBuild(EXAMPLE),
    direct: await lifecycleBuild(EXAMPLE, { env: { BP_POETRY_RUN_DIRECT: "true" } }),
  };
  try {
    for (const [mode, b] of Object.entries(builds)) {
      if (b.buildCode !== 0) {
        throw new Error(`${mode} build failed:\n${b.detectOutput}${b.buildOutput}`);
      }
    }
    const series = new Map<string, number[]>();
    const record = (label: string, ms: number) =>
      series.set(label, [...(series.get(label) ?? []), ms]);
    for (let i = 0; i < runs; i++) {
      // Alternate which build goes first, so neither always runs on a warmer machine.
      const order = i % 2 === 0 ? MODES : [...MODES].reverse();
      for (const mode of order) {
        const b = builds[mode as Mode];
        for (const temperature of ["cold", "warm"] as const) {
          if (temperature === "cold") {
            await Deno.remove(join(b.root, "home", ".pycache"), { recursive: true }).catch(
              () => {},
            );
          }
          const started = performance.now();
          await using proc = await launch(b, "web");
          const ok = await firstOk(proc.port).catch((e) => {
            throw new Error(`${e}\n${proc.output()}`);
          });
          record(`${mode}, ${temperature}`, ok - started);
        }
      }
    }
    return report(
      `\nTime to first HTTP 200 through the real launcher (host, ${runs} interleaved runs each)`,
      [...series].map(([label, samples]) => ({ label, samples })),
    );
  } finally {
    for (const b of Object.values(builds)) await b[Symbol.asyncDispose]();
  }
}

async function dockerBench(runs: number): Promise<Record<string, unknown>> {
  const reason = missingE2eTools();
  if (reason !== undefined) throw new Error(`${reason} (needed for --docker)`);
  const suite = await e2eSuite();
  try {
    const images: Record<Mode, string> = {
      "poetry run": "poetry-run-bench/example",
      direct: "poetry-run-bench/example-direct",
    };
    for (const mode of MODES) {
      const built = await packBuild(suite, images[mode], {
        app: EXAMPLE,
        env: mode === "direct" ? { BP_POETRY_RUN_DIRECT: "true" } : {},
      });
      if (built.code !== 0) throw new Error(`pack build failed:\n${built.stdout}${built.stderr}`);
    }
    const series: Record<Mode, number[]> = { "poetry run": [], direct: [] };
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? MODES : [...MODES].reverse();
      for (const mode of order) {
        const port = freePort();
        const started = performance.now();
        await using c = await runContainer(suite, images[mode], port);
        const ok = await firstOk(port).catch(async (e) => {
          throw new Error(`${e}\n${await c.logs()}`);
        });
        series[mode].push(ok - started);
      }
    }
    const times = report(
      `\nTime to first HTTP 200 of a new container, docker run to answer (${runs} interleaved runs each)`,
      MODES.map((m) => ({ label: m, samples: series[m] })),
    );
    const sizes: Record<string, number> = {};
    for (const mode of MODES) sizes[mode] = await imageSize(suite, images[mode], mode);
    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      `Image sizes: poetry run ${mib(sizes["poetry run"] ?? 0)} MiB, direct ${
        mib(sizes.direct ?? 0)
      } MiB ` +
        `(${mib((sizes["poetry run"] ?? 0) - (sizes.direct ?? 0))} MiB smaller)`,
    );
    return { times, sizes };
  } finally {
    await finishSuite();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { runs: { type: "string" }, docker: { type: "boolean" } },
  });
  const runs = Number(values.runs ?? "15");
  if (!Number.isInteger(runs) || runs < 1) {
    console.error("usage: deno task bench:start [--runs N (default 15)] [--docker]");
    return 2;
  }
  const results: Record<string, unknown> = {
    runs,
    deno: Deno.version.deno,
    host: await hostBench(runs),
  };
  if (values.docker) results.docker = await dockerBench(runs);
  await Deno.writeTextFile(
    join(REPO_ROOT, "bench", "start-results.json"),
    JSON.stringify(results, null, 2) + "\n",
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main());
