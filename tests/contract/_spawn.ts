/**
 * Spawns the real entry point exactly as the lifecycle does: cwd = app dir,
 * positional arguments, CNB_* variables per Buildpack API, a filtered
 * environment, and the `phase` permission set that `deno compile` bakes in.
 *
 * @module
 */
import { join } from "node:path";
import { REPO_ROOT } from "../_helpers.ts";

/** Result of one phase run. */
export interface PhaseResult {
  /** Exit code. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
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
  readonly cnb: Record<string, string>;
  /** The buildpack directory (CNB_BUILDPACK_DIR, every API). */
  readonly buildpackDir: string;
  /** BP_* variables, as the lifecycle exports them from <platform>/env. */
  readonly bp?: Record<string, string>;
  /** argv[0] to run with (emulates the compiled bin/detect symlink). */
  readonly argv0?: string;
  /** Extra deno flags (e.g. --deny-read to emulate an unreadable file as root). */
  readonly extraFlags?: readonly string[];
  /**
   * Variables set to raw bytes (octal `printf` escapes, e.g. `\\377`), which
   * need not be UTF-8: set by a shell that then runs the phase.
   */
  readonly rawEnv?: Readonly<Record<string, string>>;
}

/**
 * Runs `src/main.ts <phase>` (or with `argv0` set, `<argv0>` with the phase taken from it).
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
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    CNB_BUILDPACK_DIR: opts.buildpackDir,
    ...(opts.bp ?? {}),
  };
  const home = Deno.env.get("HOME");
  if (home !== undefined) env.HOME = home;
  // Deno's own cache, named explicitly, so that a test that changes HOME keeps it.
  const denoDir = Deno.env.get("DENO_DIR") ??
    (home === undefined ? undefined : `${home}/.cache/deno`);
  if (denoDir !== undefined) env.DENO_DIR = denoDir;
  if (opts.api !== "0.7") Object.assign(env, opts.cnb);
  if (opts.api === "0.12") {
    Object.assign(env, {
      CNB_TARGET_OS: "linux",
      CNB_TARGET_ARCH: "amd64",
      CNB_EXEC_ENV: "production",
    });
  }
  const denoArgs = [
    "run",
    "-q",
    "-P=phase",
    ...(opts.extraFlags ?? []),
    "--config",
    join(REPO_ROOT, "deno.json"),
    join(REPO_ROOT, "src", "main.ts"),
  ];
  const raw = Object.entries(opts.rawEnv ?? {});
  const command = raw.length > 0
    ? new Deno.Command("bash", {
      args: [
        "-c",
        `${
          raw.map(([name, bytes]) => `export ${name}="$(printf '${bytes}')"`).join("; ")
        }; exec -a "$0" "$@"`,
        opts.argv0 ?? Deno.execPath(),
        Deno.execPath(),
        ...denoArgs,
        ...(opts.argv0 === undefined ? [phase] : []),
        ...opts.args,
      ],
      cwd: opts.appDir,
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    })
    : opts.argv0 === undefined
    ? new Deno.Command(Deno.execPath(), {
      args: [...denoArgs, phase, ...opts.args],
      cwd: opts.appDir,
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command("bash", {
      args: ["-c", `exec -a "$0" "$@"`, opts.argv0, Deno.execPath(), ...denoArgs, ...opts.args],
      cwd: opts.appDir,
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    });
  const out = await command.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A lifecycle-like workspace: app, platform, layers and plan paths. */
export interface Workspace extends AsyncDisposable {
  /** Root of the temporary tree. */
  readonly root: string;
  /** The app directory. */
  readonly app: string;
  /** The platform directory. */
  readonly platform: string;
  /** This buildpack's layers directory. */
  readonly layers: string;
  /** Detect's plan path (pre-created empty, as the lifecycle does). */
  readonly detectPlan: string;
  /** Build's buildpack plan path (empty: poetry-run provides nothing). */
  readonly buildPlan: string;
  /** The buildpack directory (buildpack.toml). */
  readonly buildpack: string;
}

/**
 * Creates a workspace with the repo's buildpack.toml (optionally another api).
 *
 * @param api The api to write into buildpack.toml.
 * @returns The workspace, removed on dispose.
 */
export async function workspace(api = "0.8"): Promise<Workspace> {
  const root = await Deno.makeTempDir({ prefix: "poetry-run-contract-" });
  const ws = {
    root,
    app: join(root, "workspace"),
    platform: join(root, "platform"),
    layers: join(root, "layers", "paketo-buildpacks_poetry-run"),
    detectPlan: join(root, "detect", "plan.toml"),
    buildPlan: join(root, "build", "plan.toml"),
    buildpack: join(root, "buildpack"),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }).catch(() => {}),
  };
  for (
    const dir of [
      ws.app,
      join(ws.platform, "env"),
      ws.layers,
      join(root, "detect"),
      join(root, "build"),
      ws.buildpack,
    ]
  ) {
    await Deno.mkdir(dir, { recursive: true });
  }
  await Deno.writeTextFile(ws.detectPlan, "");
  await Deno.writeTextFile(ws.buildPlan, "");
  const toml = await Deno.readTextFile(join(REPO_ROOT, "buildpack.toml"));
  await Deno.writeTextFile(
    join(ws.buildpack, "buildpack.toml"),
    toml.replace(/^api = ".*"$/m, `api = "${api}"`).replace(
      /^\[buildpack\]$/m,
      `[buildpack]\n  version = "1.2.3"`,
    ),
  );
  return ws;
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
  bp: Record<string, string> = {},
  extra: Partial<PhaseOptions> = {},
): Promise<PhaseResult> {
  return runPhase("detect", {
    appDir: ws.app,
    api,
    args: [ws.platform, ws.detectPlan],
    cnb: { CNB_PLATFORM_DIR: ws.platform, CNB_BUILD_PLAN_PATH: ws.detectPlan },
    buildpackDir: ws.buildpack,
    bp,
    ...extra,
  });
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
  bp: Record<string, string> = {},
  extra: Partial<PhaseOptions> = {},
): Promise<PhaseResult> {
  return runPhase("build", {
    appDir: ws.app,
    api,
    args: [ws.layers, ws.platform, ws.buildPlan],
    cnb: {
      CNB_LAYERS_DIR: ws.layers,
      CNB_PLATFORM_DIR: ws.platform,
      CNB_BP_PLAN_PATH: ws.buildPlan,
    },
    buildpackDir: ws.buildpack,
    bp,
    ...extra,
  });
}
