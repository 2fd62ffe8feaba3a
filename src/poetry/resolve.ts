/**
 * The one pipeline both phases run: what starts (`BP_POETRY_RUN_TARGET`,
 * else a pyproject.toml script), the switches, and the processes with how
 * each starts. Detect turns the resolution into a plan, build into launch
 * processes. Participation is decided before the switches
 * (`BP_LIVE_RELOAD_ENABLED`, `BP_POETRY_RUN_DIRECT`) are read, as the
 * reference does: an app this buildpack does not apply to fails detect even
 * when a switch is malformed.
 *
 * @module
 */
import { BuildpackError } from "../cnb/errors.ts";
import type { EnvLookup } from "../cnb/io.ts";
import type { Scribe } from "../paketo/scribe.ts";
import {
  directEnabled,
  INFER_VARIABLE,
  inferEnabled,
  liveReloadEnabled,
  TARGET_VARIABLE,
  targetOverride,
} from "./config.ts";
import { blankTargetWarning, conflictWarning, fileScriptNote, noPyProject } from "./messages.ts";
import { type PlannedProcess, planProcesses } from "./processes.ts";
import type { PyProject, Script } from "./pyproject.ts";
import {
  emptyScriptError,
  extraScripts,
  hasTargetOverride,
  inferredTarget,
  isEmptyScript,
  noScript,
  type Target,
  targetFromEnv,
  targetFromScripts,
} from "./target.ts";

/** What the Poetry logic reads; the caller does all I/O but reading the app's sources. */
export interface PoetryContext {
  /** The app directory (its Python sources are read to infer a start command). */
  readonly appDir: string;
  /** This buildpack's layers directory, in build (names `serve.py` in an inferred command). */
  readonly layersDir?: string;
  /** The environment (the buildpack's variables, read when needed). */
  readonly env: EnvLookup;
  /** Loads pyproject.toml from the app dir; `null` when there is none. Called only when needed. */
  readonly loadPyProject: () => Promise<PyProject | null>;
  /** Output, in packit's scribe format. */
  readonly logger: Scribe;
}

/** What runs, the switches, and the processes. */
export interface Resolved {
  /** The target. */
  readonly target: Target;
  /** The project: always read without `BP_POETRY_RUN_TARGET`; with it, only for direct starts. */
  readonly project: PyProject | null;
  /** `BP_LIVE_RELOAD_ENABLED`. */
  readonly reload: boolean;
  /** `BP_POETRY_RUN_DIRECT`. */
  readonly direct: boolean;
  /** `web`, then one per extra script, each with how it starts (some cannot). */
  readonly processes: readonly PlannedProcess[];
  /** Scripts whose names cannot be process types (they get none). */
  readonly rejected: readonly Script[];
  /** Scripts whose value is empty (they get no process type). */
  readonly empty: readonly Script[];
}

/** Either what runs, or why this buildpack does not apply. */
export type Resolution =
  | ({ readonly applies: true } & Resolved)
  | { readonly applies: false; readonly reason: string };

/**
 * Resolves the target (debug lines `Finding the poetry run target` /
 * `Found …`, as the reference prints them), then the switches and processes.
 *
 * @param ctx Inputs.
 * @returns What runs, or why nothing can.
 * @throws {BuildpackError} On a malformed variable or pyproject.toml.
 */
export async function resolve(ctx: PoetryContext): Promise<Resolution> {
  const { logger } = ctx;
  logger.debug.process("Finding the poetry run target");
  // The switches, read once it is known that the buildpack applies: live reload, then direct.
  const switches = () => ({ reload: liveReloadEnabled(ctx.env), direct: directEnabled(ctx.env) });
  const resolved = (
    target: Target,
    project: PyProject | null,
    { reload, direct }: { reload: boolean; direct: boolean },
  ) => {
    // The script web runs, by the target's first word (BP_POETRY_RUN_TARGET may name one too).
    const runs = project?.scripts.find((s) => s.name === target.argv[0]);
    if (runs !== undefined && isEmptyScript(runs)) {
      throw new BuildpackError(emptyScriptError(runs));
    }
    const { accepted, rejected, empty } = extraScripts(project, target);
    const processes = planProcesses(target.argv, accepted, project, direct);
    return {
      applies: true as const,
      target,
      project,
      reload,
      direct,
      processes,
      rejected,
      empty,
    };
  };
  const override = targetOverride(ctx.env);
  if (hasTargetOverride(override)) {
    const target = targetFromEnv(override);
    logger.debug.subprocess(`Found ${TARGET_VARIABLE}=${override}`);
    const read = switches();
    // Direct starts depend on what Poetry installs, so they read the project too.
    const project = read.direct ? await ctx.loadPyProject() : null;
    return resolved(target, project, read);
  }
  if (override !== undefined) logger.warn(blankTargetWarning());
  const project = await ctx.loadPyProject();
  if (project === null) return { applies: false, reason: noPyProject() };
  for (const name of project.conflicts) logger.warn(conflictWarning(name));
  for (const name of project.fileScripts) logger.debug.subprocess(fileScriptNote(name));
  const fromScripts = targetFromScripts(project);
  const chosen = "reason" in fromScripts && project.scripts.length === 0
    ? await inferTarget(ctx, project)
    : fromScripts;
  if ("reason" in chosen) return { applies: false, reason: chosen.reason };
  if (chosen.source === "inferred") {
    logger.debug.subprocess(`Inferred ${chosen.argv.join(" ")}`);
    return resolved(chosen, project, switches());
  }
  logger.debug.subprocess(`Found pyproject.toml script=${chosen.argv.join(" ")}`);
  return resolved(chosen, project, switches());
}

/**
 * Infers a target for a project with no script (`BP_POETRY_RUN_INFER`, on by
 * default); what was found goes to the debug log either way.
 */
async function inferTarget(
  ctx: PoetryContext,
  project: PyProject,
): Promise<Target | { readonly reason: string }> {
  if (!inferEnabled(ctx.env)) {
    ctx.logger.debug.subprocess(`${INFER_VARIABLE}=false: no start command is inferred`);
    return { reason: noScript(project) };
  }
  // Loaded only for an app with no script: the other phases never pay for parsing Python.
  const { inferStart } = await import("./infer.ts");
  const inference = inferStart({ appDir: ctx.appDir, project, env: ctx.env });
  for (const note of inference.notes) ctx.logger.debug.subprocess(note);
  if (!inference.certain) {
    ctx.logger.debug.subprocess(`No start command inferred: ${inference.reason}`);
    return { reason: noScript(project, inference.reason) };
  }
  return inferredTarget(inference.command, ctx.layersDir ?? "<layers>");
}
