/**
 * The build phase: the launch processes that start the app with `poetry run`
 * (or directly, with `BP_POETRY_RUN_DIRECT`).
 *
 * @module
 */
import type { BuildpackInfo } from "../cnb/buildpack_toml.ts";
import { BuildpackError } from "../cnb/errors.ts";
import type { LaunchProcess } from "../cnb/launch.ts";
import { withLiveReload } from "./live_reload.ts";
import {
  emptyScriptWarning,
  explainDirect,
  explainTarget,
  processDropped,
  rejectedScriptWarning,
  webCannotStart,
} from "./messages.ts";
import type { PlannedProcess } from "./processes.ts";
import type { PyProject } from "./pyproject.ts";
import { type PoetryContext, resolve } from "./resolve.ts";
import type { Target } from "./target.ts";

/** What build reads: what detect reads, and the buildpack. */
export interface PoetryBuildContext extends PoetryContext {
  /** buildpack.toml. */
  readonly buildpack: BuildpackInfo;
}

/** The outcome of build. */
export interface PoetryBuildResult {
  /** Launch processes in order; exactly one is the default. */
  readonly processes: readonly LaunchProcess[];
  /** What `web` runs. */
  readonly target: Target;
  /** The project, `null` when pyproject.toml was not read. */
  readonly project: PyProject | null;
}

/**
 * Runs the build.
 *
 * @param ctx Inputs.
 * @returns The launch processes.
 * @throws {BuildpackError} On invalid variables, a malformed pyproject.toml,
 * no target, or a target that cannot start.
 */
export async function poetryBuild(ctx: PoetryBuildContext): Promise<PoetryBuildResult> {
  const { logger } = ctx;
  logger.title([ctx.buildpack.name, ctx.buildpack.version].filter((s) => s !== "").join(" "));
  const r = await resolve(ctx);
  if (!r.applies) throw new BuildpackError(r.reason);
  const { target, project, reload, direct } = r;

  for (const script of r.rejected) logger.warn(rejectedScriptWarning(script));
  for (const script of r.empty) logger.warn(emptyScriptWarning(script));
  const [web, ...others] = r.processes;
  if (web === undefined) throw new TypeError("Cannot build: no web process was planned");
  if (web.start.via === "none") throw new BuildpackError(webCannotStart(web, project, direct));
  const startable = [web];
  for (const p of others) {
    if (p.start.via === "none") logger.warn(processDropped(p, project, direct));
    else startable.push(p);
  }
  for (const p of startable) {
    if (p.start.via === "poetry" && p.start.warning !== undefined) logger.warn(p.start.warning);
  }

  if (target.inferred !== undefined && ctx.layersDir !== undefined) {
    // Loaded only for an inferred command: other builds never pay its start-up.
    const { verifyInferred } = await import("./verify_start.ts");
    const seen = verifyInferred(target.inferred, {
      layersDir: ctx.layersDir,
      buildpackId: ctx.buildpack.id,
      appDir: ctx.appDir,
      env: ctx.env,
    });
    logger.debug.subprocess(
      `Checked: ${seen.executable}${
        seen.versions === undefined
          ? ""
          : ` (${target.inferred.server.name} ${
            seen.versions.server ?? "?"
          }, ${target.inferred.app.distribution} ${seen.versions.framework ?? "?"})`
      }`,
    );
  }

  const webProcess = { ...launchProcess(web), default: true };
  const processes = reload ? withLiveReload(webProcess, ctx.appDir) : [webProcess];
  processes.push(...startable.slice(1).map(launchProcess));

  logger.launchProcesses(processes);
  logger.process(explainTarget(target, project, web));
  if (direct) logger.process(explainDirect(startable, reload));
  logger.break();
  return {
    processes,
    target,
    project,
  };
}

function launchProcess(p: PlannedProcess): LaunchProcess {
  const [program = "", ...rest] = p.argv;
  return p.start.via === "direct"
    ? { type: p.type, command: program, args: rest, default: false }
    : { type: p.type, command: "poetry", args: ["run", ...p.argv], default: false };
}
