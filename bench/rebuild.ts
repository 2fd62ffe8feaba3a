/**
 * `deno task bench:rebuild [--runs N] [--apps example,flask]`: what the
 * bytecode layers cost a build and a rebuild, the way users meet it: real
 * `pack build` twice with the same image name, the second after a one-line
 * edit of an app file, so that the lifecycle's analyzer, restorer and
 * exporter do what they do for users (the previous image, the layer cache,
 * layer reuse). Both start modes, with and without the layers
 * (`BP_POETRY_RUN_BYTECODE=false`).
 *
 * Apps: the example app through the daemon flow (`-b` stand-ins, no network),
 * and a Flask + gunicorn app with no script, real packages from PyPI, through
 * the platform flow (pack's untrusted flow, publishing to the suite's
 * registry). Each first build starts from an empty cache (`--clear-cache`).
 *
 * Prints a table (medians over the runs) and writes
 * `bench/rebuild-results.json`. No timing assertions.
 *
 * @module
 */
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type BytecodeLine, bytecodeLine } from "./_bytecode_log.ts";
import { type Variant, variantEnv, VARIANTS } from "./_variants.ts";
import {
  missingE2eTools,
  packBuild,
  packBuildPublished,
  serve,
  startSuite,
  type Suite,
} from "../kit/e2e.ts";
import { REPO_ROOT } from "../kit/paths.ts";
import { lockAgainstPyPI } from "../kit/pypi.ts";
import { stats } from "../kit/stats.ts";
import { tempDir } from "../kit/files.ts";

/** An app, how to edit one line of it, and how it is built. */
interface App {
  readonly name: string;
  readonly source: string;
  /** The file edited, relative to the app, and the edit. */
  readonly edit: readonly [string, string, string];
  /** What the edited app answers. */
  readonly edited: RegExp;
  /** Whether it is built through the platform flow with packages from PyPI. */
  readonly pypi: boolean;
}

const APPS: readonly App[] = [
  {
    name: "example",
    source: join(REPO_ROOT, "examples", "default_app"),
    edit: ["default_app/server.py", "hello from default_app", "hello again from default_app"],
    edited: /hello again from default_app/,
    pypi: false,
  },
  {
    name: "flask",
    source: join(REPO_ROOT, "tests", "fixtures", "apps", "flask_gunicorn"),
    edit: ["app.py", "hello from flask", "hello again from flask"],
    edited: /hello again from flask/,
    pypi: true,
  },
];

const env = variantEnv;

/** One build's numbers. */
interface Measured {
  readonly seconds: number;
  readonly bytecode?: BytecodeLine;
  readonly depsReused: boolean;
}

/** One pair of builds. */
interface Pair {
  readonly first: Measured;
  readonly rebuild: Measured;
}

async function build(
  suite: Suite,
  app: App,
  dir: string,
  image: string,
  v: Variant,
  first: boolean,
): Promise<{ measured: Measured; image: string }> {
  const extra = first ? ["--clear-cache"] : [];
  const start = performance.now();
  const result = app.pypi
    ? await packBuildPublished(suite, image, { app: dir, env: env(v), fromPyPI: true, extra })
    : { built: await packBuild(suite, image, { app: dir, env: env(v), extra }), image };
  const seconds = (performance.now() - start) / 1000;
  const log = result.built.stdout + result.built.stderr;
  if (result.built.code !== 0) throw new Error(`pack build ${image} failed:\n${log}`);
  const line = bytecodeLine(log);
  return {
    measured: {
      seconds,
      ...(line === undefined ? {} : { bytecode: line }),
      depsReused: log.includes("Reusing layer 'paketo-buildpacks/poetry-run:bytecode-deps'"),
    },
    image: result.image,
  };
}

async function pair(suite: Suite, app: App, v: Variant, run: number): Promise<Pair> {
  await using dir = await tempDir("poetry-run-rebuild-");
  const path = join(dir.path, "app");
  await cp(app.source, path, { recursive: true });
  if (app.pypi) await lockAgainstPyPI(path);
  const tag = `${v.mode === "direct" ? "direct" : "poetry"}-${v.bytecode ? "layer" : "none"}`;
  const name = `rebuild/${app.name}-${tag}-${run}`;
  const image = app.pypi ? `${name}:1` : `poetry-run-bench/${name}`;
  const first = await build(suite, app, path, image, v, true);
  const [file, from, to] = app.edit;
  const text = await Deno.readTextFile(join(path, file));
  if (!text.includes(from)) throw new Error(`${app.name}: ${file} has no "${from}" to edit`);
  await Deno.writeTextFile(join(path, file), text.replace(from, to));
  const second = await build(suite, app, path, image, v, false);
  // The rebuilt image serves the edit.
  const [c, body] = await serve(suite, second.image);
  await using _c = c;
  if (!app.edited.test(body)) throw new Error(`${second.image} answered ${body}`);
  return { first: first.measured, rebuild: second.measured };
}

const median = (xs: readonly number[]) => xs.length === 0 ? NaN : stats(xs).median;
const f1 = (n: number) => Number.isNaN(n) ? "–" : n.toFixed(1);

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { runs: { type: "string" }, apps: { type: "string" } },
  });
  const runs = Number(values.runs ?? "3");
  const wanted = (values.apps ?? APPS.map((a) => a.name).join(",")).split(",");
  const apps = APPS.filter((a) => wanted.includes(a.name));
  if (!Number.isInteger(runs) || runs < 1 || apps.length !== wanted.length) {
    console.error(
      `usage: deno task bench:rebuild [--runs N] [--apps ${APPS.map((a) => a.name).join(",")}]`,
    );
    return 2;
  }
  const missing = missingE2eTools();
  if (missing !== undefined) {
    console.error(`bench:rebuild needs the e2e tools: ${missing}`);
    return 1;
  }
  await using suite = await startSuite();
  const results: { app: string; variant: Variant; pairs: Pair[] }[] = [];
  for (const app of apps) {
    for (const variant of VARIANTS) results.push({ app: app.name, variant, pairs: [] });
  }
  // Runs interleaved over every app and variant, so that a shared machine's drift spreads.
  for (let run = 0; run < runs; run++) {
    for (const r of results) {
      const app = apps.find((a) => a.name === r.app) as App;
      r.pairs.push(await pair(suite, app, r.variant, run));
    }
  }
  console.log(`\nbench:rebuild: ${runs} run(s), medians, seconds (pack build wall time)`);
  console.log(
    `${"app".padEnd(8)}${"start".padEnd(12)}${"layers".padEnd(8)}${"first".padStart(8)}` +
      `${"rebuild".padStart(9)}${"step first".padStart(12)}${"step rebuild".padStart(14)}` +
      `${"step ratio".padStart(12)}  deps layer reused`,
  );
  const rows = results.map((r) => {
    const first = median(r.pairs.map((p) => p.first.seconds));
    const rebuild = median(r.pairs.map((p) => p.rebuild.seconds));
    const stepFirst = median(r.pairs.flatMap((p) => p.first.bytecode?.seconds ?? []));
    const stepRebuild = median(r.pairs.flatMap((p) => p.rebuild.bytecode?.seconds ?? []));
    const ratio = stepRebuild / stepFirst;
    const reused = r.pairs.filter((p) => p.rebuild.depsReused).length;
    const compiled = r.pairs.map((p) => p.rebuild.bytecode?.compiled);
    console.log(
      `${r.app.padEnd(8)}${r.variant.mode.padEnd(12)}${
        (r.variant.bytecode ? "yes" : "no").padEnd(8)
      }` +
        `${f1(first).padStart(8)}${f1(rebuild).padStart(9)}${f1(stepFirst).padStart(12)}` +
        `${f1(stepRebuild).padStart(14)}${
          (Number.isNaN(ratio) ? "–" : `${(ratio * 100).toFixed(0)} %`).padStart(12)
        }  ${r.variant.bytecode ? `${reused}/${r.pairs.length}` : "–"}` +
        (r.variant.bytecode ? `  (rebuild compiled ${compiled.join(", ")})` : ""),
    );
    return { ...r, first, rebuild, stepFirst, stepRebuild, ratio };
  });
  console.log(
    "goal: the bytecode step of a rebuild ≤ 10 % of its first build's, both start modes:",
  );
  for (const r of rows.filter((r) => r.variant.bytecode)) {
    console.log(
      `  ${r.app}, ${r.variant.mode}: ${(r.ratio * 100).toFixed(0)} %: ${
        r.ratio <= 0.1 ? "met" : "not met"
      }`,
    );
  }
  await Deno.writeTextFile(
    join(REPO_ROOT, "bench", "rebuild-results.json"),
    JSON.stringify({ runs, rows }, null, 2) + "\n",
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main());
