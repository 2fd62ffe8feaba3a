/**
 * Spawns the real entry point exactly as the lifecycle does: cwd = app dir,
 * positional arguments, CNB_* variables per Buildpack API, a filtered
 * environment, and the `phase` permission set that `deno compile` bakes in.
 *
 * @module
 */
import { join } from "node:path";
import { phaseDenoArgs } from "./phase_command.ts";
import { stampBuildpackToml } from "./package/buildpack_toml.ts";
import { parseToml } from "../src/cnb/toml.ts";
import { type Layout, type LayoutOptions, lifecycleLayout, phaseInputs } from "./layout.ts";
import { REPO_ROOT } from "./paths.ts";

/** Result of one phase run. */
export interface PhaseResult {
  /** Exit code. */
  readonly code: number;
  /** Standard output (with `combined`, both streams as written). */
  readonly stdout: string;
  /** Standard error (empty with `combined`). */
  readonly stderr: string;
}

/**
 * The environment a phase gets besides its inputs: `PATH`, `HOME`, and Deno's
 * own cache named explicitly (so that a test that changes `HOME` keeps it).
 *
 * @returns The variables.
 */
export function phaseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  const home = Deno.env.get("HOME");
  if (home !== undefined) env.HOME = home;
  const denoDir = Deno.env.get("DENO_DIR") ??
    (home === undefined ? undefined : `${home}/.cache/deno`);
  if (denoDir !== undefined) env.DENO_DIR = denoDir;
  return env;
}

/** Options of {@linkcode runPhase}. */
export interface PhaseOptions {
  /** The app directory (cwd). */
  readonly appDir: string;
  /** Buildpack API: decides which CNB_* variables are set (as lifecycle v0.21 does). */
  readonly api: "0.7" | "0.8" | "0.12";
  /** Positional arguments after the phase. */
  readonly args: readonly string[];
  /** CNB_* paths (set only for API >= 0.8). */
  readonly cnb: Readonly<Record<string, string>>;
  /** The buildpack directory (CNB_BUILDPACK_DIR, every API). */
  readonly buildpackDir: string;
  /** BP_* variables, as the lifecycle exports them from <platform>/env. */
  readonly bp?: Readonly<Record<string, string>>;
  /** argv[0] to run with (emulates the compiled bin/detect symlink: no phase argument). */
  readonly argv0?: string;
  /** Extra deno flags (e.g. --deny-read to emulate an unreadable file as root). */
  readonly extraFlags?: readonly string[];
  /**
   * Variables set to raw bytes (octal `printf` escapes, e.g. `\\377`), which
   * need not be UTF-8: set by the shell that runs the phase.
   */
  readonly rawEnv?: Readonly<Record<string, string>>;
  /** Both streams into one pipe, in the order written (as the lifecycle's log shows them). */
  readonly combined?: boolean;
}

/**
 * Runs `src/main.ts <phase>` (or with `argv0` set, `<argv0>` with the phase
 * taken from the inputs), through a shell that sets `rawEnv` and argv[0].
 *
 * @param phase `detect` or `build`.
 * @param opts How to run it.
 * @returns Exit code and output.
 */
export async function runPhase(
  phase: "detect" | "build",
  opts: PhaseOptions,
): Promise<PhaseResult> {
  const env: Record<string, string> = {
    ...phaseEnv(),
    CNB_BUILDPACK_DIR: opts.buildpackDir,
    ...opts.bp,
  };
  if (opts.api !== "0.7") Object.assign(env, opts.cnb);
  if (opts.api === "0.12") {
    Object.assign(env, {
      CNB_TARGET_OS: "linux",
      CNB_TARGET_ARCH: "amd64",
      CNB_EXEC_ENV: "production",
    });
  }
  const deno = [...phaseDenoArgs()];
  deno.splice(3, 0, ...(opts.extraFlags ?? []));
  const exports = Object.entries(opts.rawEnv ?? {})
    .map(([name, bytes]) => `export ${name}="$(printf '${bytes}')"; `).join("");
  // bash by path: a test may give the phase a PATH without it.
  const out = await new Deno.Command("/bin/bash", {
    args: [
      "-c",
      `${exports}exec -a "$0" "$@"${opts.combined ? " 2>&1" : ""}`,
      opts.argv0 ?? Deno.execPath(),
      Deno.execPath(),
      ...deno,
      ...(opts.argv0 === undefined ? [phase] : []),
      ...opts.args,
    ],
    cwd: opts.appDir,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: opts.combined ? "null" : "piped",
  }).output();
  const dec = new TextDecoder();
  const stderr = opts.combined ? "" : dec.decode(out.stderr);
  return { code: out.code, stdout: dec.decode(out.stdout), stderr };
}

/** A lifecycle layout with a buildpack directory holding the stamped buildpack.toml. */
export interface Workspace extends Layout {
  /** The buildpack directory (buildpack.toml). */
  readonly buildpack: string;
}

/**
 * Creates a workspace with the repo's buildpack.toml (version 1.2.3, and the given api).
 *
 * @param api The api to write into buildpack.toml.
 * @param opts The app and platform variables.
 * @returns The workspace, removed on dispose.
 */
export async function workspace(api = "0.8", opts: LayoutOptions = {}): Promise<Workspace> {
  const layout = await lifecycleLayout({ prefix: "poetry-run-contract-", ...opts });
  const buildpack = join(layout.root, "buildpack");
  await Deno.mkdir(buildpack);
  const toml = await Deno.readTextFile(join(REPO_ROOT, "buildpack.toml"));
  await Deno.writeTextFile(
    join(buildpack, "buildpack.toml"),
    stampBuildpackToml(toml, { version: "1.2.3", api }),
  );
  return { ...layout, buildpack };
}

/**
 * Runs a phase in a workspace as the lifecycle would for an API.
 *
 * @param phase `detect` or `build`.
 * @param ws The workspace.
 * @param api Buildpack API.
 * @param bp BP_* variables.
 * @param extra Extra options.
 * @returns The result.
 */
function phaseIn(
  phase: "detect" | "build",
  ws: Workspace,
  api: PhaseOptions["api"],
  bp: Readonly<Record<string, string>>,
  extra: Partial<PhaseOptions>,
): Promise<PhaseResult> {
  return runPhase(phase, {
    appDir: ws.app,
    api,
    ...phaseInputs(phase, ws),
    buildpackDir: ws.buildpack,
    bp,
    ...extra,
  });
}

/**
 * Runs detect as the lifecycle would for an API.
 *
 * @param ws The workspace.
 * @param api Buildpack API.
 * @param bp BP_* variables.
 * @param extra Extra options.
 * @returns The result.
 */
export function detectIn(
  ws: Workspace,
  api: PhaseOptions["api"] = "0.8",
  bp: Readonly<Record<string, string>> = {},
  extra: Partial<PhaseOptions> = {},
): Promise<PhaseResult> {
  return phaseIn("detect", ws, api, bp, extra);
}

/**
 * Runs build as the lifecycle would for an API.
 *
 * @param ws The workspace.
 * @param api Buildpack API.
 * @param bp BP_* variables.
 * @param extra Extra options.
 * @returns The result.
 */
export function buildIn(
  ws: Workspace,
  api: PhaseOptions["api"] = "0.8",
  bp: Readonly<Record<string, string>> = {},
  extra: Partial<PhaseOptions> = {},
): Promise<PhaseResult> {
  return phaseIn("build", ws, api, bp, extra);
}

/** A process as launch.toml (any API) or the lifecycle's metadata.toml lists it. */
export interface ListedProcess {
  /** Its type. */
  readonly type: string;
  /** Its command and arguments, one list. */
  readonly argv: readonly string[];
  /** Whether it is the default. */
  readonly default: boolean;
}

/**
 * The processes of a launch.toml or metadata.toml: `command` (a string up to
 * API 0.8, a list from 0.9) and `args` as one argv.
 *
 * @param text The TOML.
 * @returns The processes, in order.
 */
export function listedProcesses(text: string): ListedProcess[] {
  const doc = parseToml(text);
  const processes = Array.isArray(doc.processes) ? doc.processes : [];
  return processes.map((
    p: { type: string; command: string | string[]; args?: string[]; default?: boolean },
  ) => ({
    type: p.type,
    argv: [...(Array.isArray(p.command) ? p.command : [p.command]), ...(p.args ?? [])],
    default: p.default ?? false,
  }));
}
