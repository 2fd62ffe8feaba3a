/**
 * `deno task bench:start [--runs N] [--docker]`: how long an app built with
 * this buildpack takes from process start to its first HTTP 200: started
 * through `poetry run` (the default) or directly (`BP_POETRY_RUN_DIRECT=true`),
 * with the precompiled bytecode layer (the default) or without it
 * (`BP_POETRY_RUN_BYTECODE=false`), as a new container and as a restart.
 *
 * The example app is built four times through the real lifecycle (the same
 * app, providers and buildpack; only the two variables differ), every file
 * then given the exporter's modification time and the bytecode layer made
 * read-only, as in an image. Each build is started by the real launcher, all
 * builds interleaved, N times each (default 15): a new container (an empty
 * `$HOME`: the cpython stand-in, as Paketo's, then puts Python's bytecode
 * cache there) and a restart (the `$HOME` the previous start left). With
 * `--docker`, the same with real images from `pack build`: a new container
 * per start, and `docker start` of a stopped one as the restart; and the
 * images' and the bytecode layers' sizes (apparent and gzip).
 *
 * Prints tables and writes `bench/start-results.json`. No timing assertions.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bytecodeLine } from "./_bytecode_log.ts";
import { sh } from "../kit/command.ts";
import {
  imageSize,
  missingE2eTools,
  packBuild,
  runContainer,
  startSuite,
  type Suite,
} from "../kit/e2e.ts";
import { freePort, waitForHttp } from "../kit/http.ts";
import { launch } from "../kit/launcher.ts";
import { asInAnImage, type Build, lifecycleBuild, missingTools } from "../kit/lifecycle.ts";
import { REPO_ROOT, TOOLS_DIR } from "../kit/paths.ts";
import { version } from "../kit/versions.ts";
import { type Stats, stats } from "../kit/stats.ts";
import { type Variant, variantEnv, VARIANTS } from "./_variants.ts";

const EXAMPLE = join(REPO_ROOT, "examples", "default_app");

const label = (v: Variant) => `${v.mode}, ${v.bytecode ? "bytecode layer" : "no layer"}`;
const buildEnv = variantEnv;

/** When a port first answered 200, polling every 5 ms (`performance.now()`). */
async function firstOk(port: number): Promise<number> {
  return (await waitForHttp(port, { intervalMs: 5 })).at;
}

/** The bytecode compile time the build printed, in seconds. */
const compileSeconds = (log: string): number | undefined => bytecodeLine(log)?.seconds;

type Series = Map<string, number[]>;

function record(series: Series, key: string, ms: number): void {
  series.set(key, [...(series.get(key) ?? []), ms]);
}

/**
 * Prints one table: a row per variant, new container and restart side by side.
 * `overheadMs`: what starting a new container costs over restarting one with
 * no app in it (Docker's own work), taken off the new-container time for the goal.
 */
function report(title: string, series: Series, overheadMs = 0): Record<string, Stats> {
  console.log(`\n${title}`);
  console.log(
    `${"start".padEnd(32)}${"new container".padStart(24)}${
      "restart".padStart(24)
    }  (ms: min / median / max)`,
  );
  const out: Record<string, Stats> = {};
  const cell = (s: Stats | undefined) =>
    s === undefined
      ? "-".padStart(24)
      : `${s.min.toFixed(0)} / ${s.median.toFixed(0)} / ${s.max.toFixed(0)}`.padStart(24);
  for (const v of VARIANTS) {
    const row: (Stats | undefined)[] = [];
    for (const kind of ["new", "restart"]) {
      const samples = series.get(`${label(v)}|${kind}`);
      const s = samples === undefined ? undefined : stats(samples);
      if (s !== undefined) out[`${label(v)}, ${kind}`] = s;
      row.push(s);
    }
    console.log(`${label(v).padEnd(32)}${cell(row[0])}${cell(row[1])}`);
  }
  for (const mode of ["poetry run", "direct"] as const) {
    const fresh = out[`${mode}, bytecode layer, new`];
    const warm = out[`${mode}, bytecode layer, restart`];
    const before = out[`${mode}, no layer, new`];
    if (fresh && warm && before) {
      const over = ((fresh.median - overheadMs) / warm.median - 1) * 100;
      const less = overheadMs > 0 ? `, less Docker's ${overheadMs.toFixed(0)} ms` : "";
      console.log(
        `${mode}: a new container answers ${(before.median / fresh.median).toFixed(1)}x sooner ` +
          `with the layer; ${over >= 0 ? "+" : ""}${over.toFixed(0)} % over a restart${less} ` +
          `(goal: within 10 %): ${over <= 10 ? "met" : "not met"}`,
      );
    }
  }
  return out;
}

async function hostBench(runs: number): Promise<Record<string, unknown>> {
  const reason = missingTools();
  if (reason !== undefined) throw new Error(`${reason} (needed for the host measurement)`);
  console.log(
    `Building the example app 4 times through lifecycle v${
      version("LIFECYCLE")
    } (tools: ${TOOLS_DIR})`,
  );
  const builds = new Map<Variant, Build>();
  const compile: Record<string, number | undefined> = {};
  try {
    for (const v of VARIANTS) {
      const b = await lifecycleBuild(EXAMPLE, { env: buildEnv(v) });
      builds.set(v, b);
      if (b.buildCode !== 0) throw new Error(`${label(v)}: build failed:\n${b.buildOutput}`);
      if (v.bytecode) compile[v.mode] = compileSeconds(b.buildOutput);
      await asInAnImage(b);
    }
    const series: Series = new Map();
    for (let i = 0; i < runs; i++) {
      // Rotate which build goes first, so none always runs on a warmer machine.
      const order = VARIANTS.map((_, j) => VARIANTS[(i + j) % VARIANTS.length] as Variant);
      for (const v of order) {
        const b = builds.get(v) as Build;
        const home = join(b.root, `home-${i}`);
        await Deno.mkdir(home);
        await sh(`chown 65534:65534 "$1"`, home);
        for (const kind of ["new", "restart"]) {
          const started = performance.now();
          await using proc = await launch(b, "web", { home });
          const ok = await firstOk(proc.port).catch((e) => {
            throw new Error(`${e}\n${proc.output()}`);
          });
          record(series, `${label(v)}|${kind}`, ok - started);
        }
      }
    }
    const times = report(
      `Time to first HTTP 200 through the real launcher (host, ${runs} interleaved runs each)`,
      series,
    );
    for (const [mode, s] of Object.entries(compile)) {
      console.log(`bytecode compile at build, ${mode}: ${s ?? "?"} s (as the build log says)`);
    }
    return { times, compileSeconds: compile };
  } finally {
    for (const b of builds.values()) {
      await sh(`chmod -R u+w "$1"`, b.root).catch(() => {});
      await b[Symbol.asyncDispose]();
    }
  }
}

/** Apparent and gzip size of the bytecode layer of an image, in bytes. */
async function layerSizes(
  suite: Suite,
  image: string,
): Promise<{ apparent: number; gzip: number }> {
  const out = await suite.docker([
    "run",
    "--rm",
    "--entrypoint",
    "/bin/sh",
    image,
    "-c",
    'd=/layers/paketo-buildpacks_poetry-run/bytecode; du -sb "$d" | cut -f1; tar -C "$d" -cf - . | gzip -6 | wc -c',
  ]);
  if (out.code !== 0) throw new Error(`measuring ${image}'s layer: ${out.stderr}`);
  const [apparent = 0, gzip = 0] = out.stdout.trim().split("\n").map(Number);
  return { apparent, gzip };
}

/** Medians of `docker run -d` and of `docker start` of a container whose command is `sleep`. */
async function containerOverhead(
  suite: Suite,
  image: string,
  runs: number,
): Promise<{ run: number; start: number }> {
  const run: number[] = [];
  const start: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const out = await suite.docker([
      "run",
      "-d",
      "--network",
      "host",
      "--entrypoint",
      "/bin/sleep",
      image,
      "60",
    ]);
    run.push(performance.now() - t);
    const id = out.stdout.trim();
    await suite.docker(["stop", "-t", "0", id]);
    t = performance.now();
    await suite.docker(["start", id]);
    start.push(performance.now() - t);
    await suite.docker(["rm", "-f", id]);
  }
  return { run: stats(run).median, start: stats(start).median };
}

async function dockerBench(runs: number): Promise<Record<string, unknown>> {
  const reason = missingE2eTools();
  if (reason !== undefined) throw new Error(`${reason} (needed for --docker)`);
  await using suite = await startSuite();
  const image = (v: Variant) =>
    `poetry-run-bench/example-${v.mode === "direct" ? "direct" : "poetry"}-${
      v.bytecode ? "bytecode" : "plain"
    }`;
  const buildSeconds: Record<string, number> = {};
  for (const v of VARIANTS) {
    const started = performance.now();
    const built = await packBuild(suite, image(v), { app: EXAMPLE, env: buildEnv(v) });
    if (built.code !== 0) throw new Error(`pack build failed:\n${built.stdout}${built.stderr}`);
    buildSeconds[label(v)] = Number(((performance.now() - started) / 1000).toFixed(1));
  }
  const series: Series = new Map();
  for (let i = 0; i < runs; i++) {
    const order = VARIANTS.map((_, j) => VARIANTS[(i + j) % VARIANTS.length] as Variant);
    for (const v of order) {
      const port = freePort();
      const started = performance.now();
      await using c = await runContainer(suite, image(v), port);
      const ok = await firstOk(port).catch(async (e) => {
        throw new Error(`${e}\n${await c.logs()}`);
      });
      record(series, `${label(v)}|new`, ok - started);
      await suite.docker(["stop", "-t", "0", c.id]);
      const again = performance.now();
      await suite.docker(["start", c.id]);
      record(series, `${label(v)}|restart`, (await firstOk(port)) - again);
    }
  }
  const overhead = await containerOverhead(suite, image(VARIANTS[0] as Variant), runs);
  console.log(
    `\nDocker alone (no app: sleep): docker run -d ${overhead.run.toFixed(0)} ms, ` +
      `docker start ${overhead.start.toFixed(0)} ms (medians)`,
  );
  const times = report(
    `Time to first HTTP 200 in Docker, docker run (new) and docker start (restart) (${runs} interleaved runs each)`,
    series,
    overhead.run - overhead.start,
  );
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  const sizes: Record<string, unknown> = {};
  for (const v of VARIANTS) {
    const bytes = await imageSize(suite, image(v), label(v));
    const layer = v.bytecode ? await layerSizes(suite, image(v)) : undefined;
    sizes[label(v)] = { image: bytes, layer };
    console.log(
      `${label(v).padEnd(32)} image ${mib(bytes)}${
        layer === undefined
          ? ""
          : `, bytecode layer ${mib(layer.apparent)} (${mib(layer.gzip)} gzip)`
      }, pack build ${buildSeconds[label(v)]} s`,
    );
  }
  return { times, sizes, packBuildSeconds: buildSeconds, containerOverhead: overhead };
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
