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
import { phaseDenoArgs, REPO_ROOT } from "./phase_command.ts";

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
  readonly processes: readonly { type: string; argv: string[]; default: boolean }[];
}

async function runPhase(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<PhaseRun> {
  // One pipe for both streams, so warnings appear where they were written, as in the
  // lifecycle's output.
  const out = await new Deno.Command("sh", {
    args: ["-c", 'exec "$@" 2>&1', "sh", Deno.execPath(), ...phaseDenoArgs(), ...args],
    cwd,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "null",
  }).output();
  return { code: out.code, output: new TextDecoder().decode(out.stdout) };
}

/**
 * Runs detect then build on an app in a temporary lifecycle layout.
 *
 * @param appDir The app.
 * @param vars `BP_*` (or any) platform variables.
 * @returns What happened.
 */
export async function simulate(appDir: string, vars: Record<string, string>): Promise<Simulation> {
  const root = await Deno.makeTempDir({ prefix: "poetry-run-start-" });
  try {
    const platform = join(root, "platform");
    const layers = join(root, "layers", "paketo-buildpacks_poetry-run");
    await Deno.mkdir(join(platform, "env"), { recursive: true });
    await Deno.mkdir(layers, { recursive: true });
    for (const [name, value] of Object.entries(vars)) {
      await Deno.writeTextFile(join(platform, "env", name), value);
    }
    // As the lifecycle: every <platform>/env file becomes NAME=<bytes verbatim>.
    const env: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
    for (const name of ["HOME", "DENO_DIR"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }
    for await (const entry of Deno.readDir(join(platform, "env"))) {
      env[entry.name] = await Deno.readTextFile(join(platform, "env", entry.name));
    }
    const plan = join(root, "plan.toml");
    const bpPlan = join(root, "bp-plan.toml");
    await Deno.writeTextFile(plan, "");
    await Deno.writeTextFile(bpPlan, "");
    const cnb = { CNB_BUILDPACK_DIR: REPO_ROOT, CNB_PLATFORM_DIR: platform };
    const detect = await runPhase(
      ["detect", platform, plan],
      appDir,
      { ...env, ...cnb, CNB_BUILD_PLAN_PATH: plan },
    );
    if (detect.code !== 0) return { detect, requires: [], processes: [] };
    const planDoc = parseToml(await Deno.readTextFile(plan));
    const requires = (Array.isArray(planDoc.requires) ? planDoc.requires : [])
      .map((r: { name?: unknown }) => String(r.name));
    const build = await runPhase(
      ["build", layers, platform, bpPlan],
      appDir,
      { ...env, ...cnb, CNB_LAYERS_DIR: layers, CNB_BP_PLAN_PATH: bpPlan },
    );
    if (build.code !== 0) return { detect, requires, build, processes: [] };
    const launch = parseToml(await Deno.readTextFile(join(layers, "launch.toml")));
    const processes = (Array.isArray(launch.processes) ? launch.processes : []).map(
      (p: { type: string; command: string | string[]; args?: string[]; default?: boolean }) => ({
        type: p.type,
        argv: [...(Array.isArray(p.command) ? p.command : [p.command]), ...(p.args ?? [])],
        default: p.default ?? false,
      }),
    );
    return { detect, requires, build, processes };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
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

const DIRECT = "BP_POETRY_RUN_DIRECT";

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
    : ", and Poetry would stay out of the image (measured for the example app: README, Starting " +
      "without Poetry)";
  return `With ${DIRECT}=true, ${starts} would start without Poetry${image}`;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
