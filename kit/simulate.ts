/**
 * `deno task start [app-dir] [--env NAME=VALUE]…`: runs detect and then build
 * on an app exactly as the lifecycle would (temporary platform, plan and
 * layers directories; `--env` values as `<platform>/env/NAME` files, exported
 * to the phases as the lifecycle does) and prints what an image built from it
 * would run.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseToml } from "../src/cnb/toml.ts";
import { DIRECT_VARIABLE as DIRECT } from "../src/poetry/config.ts";
import { REPO_ROOT } from "./phase_command.ts";
import { lifecycleLayout, phaseInputs, platformEnv } from "./layout.ts";
import { type ListedProcess, listedProcesses, runPhase } from "./phase.ts";

/** The example app used when no app directory is given. */
export const EXAMPLE_APP: string = join(REPO_ROOT, "examples", "default_app");

const USAGE = "usage: deno task start [app-dir] [--env NAME=VALUE]...";

/** One phase's outcome. */
export interface PhaseRun {
  /** Exit code. */
  readonly code: number;
  /** Combined output, as the lifecycle shows it. */
  readonly output: string;
}

/** What {@linkcode simulate} found. */
export interface Simulation {
  /** Detect's outcome. */
  readonly detect: PhaseRun;
  /** The build plan's required dependency names (when detect passed). */
  readonly requires: readonly string[];
  /** Build's outcome (when detect passed). */
  readonly build?: PhaseRun;
  /** The launch processes (when build succeeded). */
  readonly processes: readonly ListedProcess[];
}

/**
 * Runs detect then build on an app in a temporary lifecycle layout.
 *
 * @param appDir The app.
 * @param vars `BP_*` (or any) platform variables.
 * @returns What happened.
 */
export async function simulate(appDir: string, vars: Record<string, string>): Promise<Simulation> {
  await using layout = await lifecycleLayout({
    prefix: "poetry-run-start-",
    app: { at: appDir },
    env: vars,
  });
  // As the lifecycle: every <platform>/env file becomes NAME=<bytes verbatim>.
  const bp = await platformEnv(layout.platform);
  const common = { appDir, api: "0.8" as const, buildpackDir: REPO_ROOT, bp, combined: true };
  const detected = await runPhase("detect", { ...common, ...phaseInputs("detect", layout) });
  const detect = { code: detected.code, output: detected.stdout };
  if (detect.code !== 0) return { detect, requires: [], processes: [] };
  const planDoc = parseToml(await Deno.readTextFile(layout.detectPlan));
  const requires = (Array.isArray(planDoc.requires) ? planDoc.requires : [])
    .map((r: { name?: unknown }) => String(r.name));
  const built = await runPhase("build", { ...common, ...phaseInputs("build", layout) });
  const build = { code: built.code, output: built.stdout };
  if (build.code !== 0) return { detect, requires, build, processes: [] };
  const processes = listedProcesses(await Deno.readTextFile(join(layout.layers, "launch.toml")));
  return { detect, requires, build, processes };
}

function indent(text: string): string {
  return text.trimEnd().split("\n").map((l) => (l === "" ? "" : `    ${l}`)).join("\n");
}

/**
 * The CLI: parses arguments, runs {@linkcode simulate}, prints a report.
 *
 * @param args Command-line arguments.
 * @returns Exit code: 0 when detect passes and build succeeds, 100 when detect fails, 1 otherwise, 2 on bad usage.
 */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { env: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    console.error(`expected at most one app directory, got ${parsed.positionals.length}\n${USAGE}`);
    return 2;
  }
  const vars: Record<string, string> = {};
  for (const pair of parsed.values.env ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      console.error(`--env ${JSON.stringify(pair)}: expected NAME=VALUE\n${USAGE}`);
      return 2;
    }
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const callerDir = Deno.env.get("INIT_CWD") ?? Deno.cwd();
  const appArg = parsed.positionals[0];
  const appDir = appArg === undefined ? EXAMPLE_APP : resolve(callerDir, appArg);
  const info = await Deno.stat(appDir).catch(() => null);
  if (info === null || !info.isDirectory) {
    console.error(`${appDir}: not a directory; pass the app directory\n${USAGE}`);
    return 2;
  }

  console.log(`App: ${appDir}${appArg === undefined ? " (the example app)" : ""}`);
  const sim = await simulate(appDir, vars);
  const passed = sim.detect.code === 0;
  console.log(
    `Detect: ${
      passed ? "pass" : sim.detect.code === 100 ? "fail" : "error"
    } (exit ${sim.detect.code})`,
  );
  if (sim.detect.output.trim() !== "") console.log(indent(sim.detect.output));
  if (!passed) return sim.detect.code === 100 ? 100 : 1;
  console.log(`Requires at launch: ${sim.requires.join(", ")}`);
  const build = sim.build;
  if (build === undefined) return 1;
  console.log(`Build: ${build.code === 0 ? "success" : "failure"} (exit ${build.code})`);
  console.log(indent(build.output));
  if (build.code !== 0) return 1;
  console.log("An image built from this app would run:");
  for (const p of sim.processes) {
    console.log(`    ${p.type}${p.default ? " (default)" : ""}: ${JSON.stringify(p.argv)}`);
  }
  if (vars[DIRECT] === undefined) {
    const saving = directSaving(sim, await simulate(appDir, { ...vars, [DIRECT]: "true" }));
    if (saving !== undefined) console.log(saving);
  }
  return 0;
}

/**
 * One line on what `BP_POETRY_RUN_DIRECT=true` would change, when it would let
 * a process start without `poetry run`.
 *
 * @param now The simulation as configured.
 * @param direct The same with `BP_POETRY_RUN_DIRECT=true`.
 * @returns The line, or `undefined` when nothing would start directly.
 */
export function directSaving(now: Simulation, direct: Simulation): string | undefined {
  if (direct.build?.code !== 0) return undefined;
  const viaPoetry = (argv: readonly string[]) => argv[0] === "poetry" && argv[1] === "run";
  const changed = direct.processes.filter((p) =>
    !viaPoetry(p.argv) && now.processes.some((q) => q.type === p.type && viaPoetry(q.argv))
  );
  if (changed.length === 0) return undefined;
  const starts = changed.map((p) => `${p.type} as ${JSON.stringify(p.argv)}`).join(", ");
  const image = direct.requires.includes("poetry")
    ? "; other processes keep poetry run, so Poetry stays in the image"
    : ", and Poetry would stay out of the image (measured for the example app: " +
      "docs/starting-without-poetry.md)";
  return `With ${DIRECT}=true, ${starts} would start without Poetry${image}`;
}
