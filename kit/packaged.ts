/**
 * A packaged buildpack's `bin/detect` and `bin/build`, run exactly as
 * lifecycle v0.21 runs them for Buildpack API 0.8 (positional arguments,
 * CNB_* variables, cwd = the app, a filtered environment), and the cases the
 * contract tests (linux/amd64) and the arm64 run under qemu share.
 *
 * @module
 */
import { join } from "node:path";
import { type Layout, lifecycleLayout, phaseInputs } from "./layout.ts";

/** What one packaged phase did. */
export interface PackagedRun {
  /** Exit code. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
  /** The plan detect wrote (empty after build). */
  readonly plan: string;
  /** launch.toml (empty when none was written). */
  readonly launch: string;
}

/**
 * A lifecycle layout holding an app made of the given files.
 *
 * @param files File name → text.
 * @returns The layout; dispose removes it.
 */
export async function packagedApp(files: Readonly<Record<string, string>>): Promise<Layout> {
  const layout = await lifecycleLayout({ prefix: "poetry-run-pkg-ws-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(layout.app, name), text);
  }
  return layout;
}

const dec = new TextDecoder();

/**
 * Runs a packaged phase in a layout, starting from an empty plan and layers
 * directory (so that one layout serves several runs).
 *
 * @param buildpack The buildpack directory (holding `bin/`).
 * @param phase `detect` or `build`.
 * @param layout The layout (from {@linkcode packagedApp}).
 * @param bp `BP_*` variables, as the lifecycle exports them.
 * @returns What the phase did.
 */
export async function runPackaged(
  buildpack: string,
  phase: "detect" | "build",
  layout: Layout,
  bp: Readonly<Record<string, string>> = {},
): Promise<PackagedRun> {
  const plan = phase === "detect" ? layout.detectPlan : layout.buildPlan;
  await Deno.writeTextFile(plan, "");
  await Deno.remove(layout.layers, { recursive: true });
  await Deno.mkdir(layout.layers);
  const { args, cnb } = phaseInputs(phase, layout);
  const out = await new Deno.Command(join(buildpack, "bin", phase), {
    args: [...args],
    cwd: layout.app,
    env: { PATH: "/usr/bin:/bin", HOME: layout.root, CNB_BUILDPACK_DIR: buildpack, ...cnb, ...bp },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    plan: phase === "detect" ? await Deno.readTextFile(plan) : "",
    launch: await Deno.readTextFile(join(layout.layers, "launch.toml")).catch(() => ""),
  };
}

/** An app and variables both phases run on, with the exit codes they must give. */
export interface PackagedCase {
  /** What it is. */
  readonly name: string;
  /** The app's files. */
  readonly files: Readonly<Record<string, string>>;
  /** `BP_*` variables. */
  readonly bp?: Readonly<Record<string, string>>;
  /** Detect's exit code. */
  readonly detect: number;
  /** Build's exit code. */
  readonly build: number;
}

/** The reference's fixture: one script whose name has a space. */
export const MY_SCRIPT = `[tool.poetry.scripts]\n"my script" = "default_app.server:run"\n`;

/** The cases, from the reference's own to the errors a user can cause. */
export const PACKAGED_CASES: readonly PackagedCase[] = [
  {
    name: "one [tool.poetry.scripts] script",
    files: { "pyproject.toml": MY_SCRIPT },
    detect: 0,
    build: 0,
  },
  {
    name: "BP_POETRY_RUN_DIRECT=true",
    files: { "pyproject.toml": `[project.scripts]\nweb = "app:main"\n` },
    bp: { BP_POETRY_RUN_DIRECT: "true" },
    detect: 0,
    build: 0,
  },
  {
    name: "several scripts, live reload, BP_LOG_LEVEL=DEBUG",
    files: { "pyproject.toml": `[project.scripts]\nworker = "app:w"\nweb = "app:main"\n` },
    bp: { BP_LIVE_RELOAD_ENABLED: "true", BP_LOG_LEVEL: "DEBUG" },
    detect: 0,
    build: 0,
  },
  {
    name: "BP_POETRY_RUN_TARGET with quoted words",
    files: {},
    bp: { BP_POETRY_RUN_TARGET: `gunicorn -b :8080 "app:create_app()"` },
    detect: 0,
    build: 0,
  },
  { name: "no pyproject.toml", files: {}, detect: 100, build: 1 },
  { name: "a TOML syntax error", files: { "pyproject.toml": "[project\n" }, detect: 1, build: 1 },
  {
    name: "a malformed BP_LIVE_RELOAD_ENABLED",
    files: { "pyproject.toml": MY_SCRIPT },
    bp: { BP_LIVE_RELOAD_ENABLED: "yes" },
    detect: 1,
    build: 1,
  },
];
