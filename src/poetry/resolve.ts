/**
 * Finding what to run, for both phases: `BP_POETRY_RUN_TARGET`, else a
 * pyproject.toml script. Participation is decided before the switches
 * (`BP_LIVE_RELOAD_ENABLED`, `BP_POETRY_RUN_DIRECT`) are read, as the
 * reference does: an app this buildpack does not apply to fails detect even
 * when a switch is malformed.
 *
 * @module
 */
import type { Scribe } from "../paketo/scribe.ts";
import { liveReloadEnabled } from "./live_reload.ts";
import type { PyProject } from "./pyproject.ts";
import { directEnabled } from "./start.ts";
import {
  hasTargetOverride,
  type Target,
  TARGET_VARIABLE,
  targetFromEnv,
  targetFromScripts,
} from "./target.ts";

/** What the Poetry logic reads; the caller does all I/O. */
export interface PoetryContext {
  /** Reads `BP_POETRY_RUN_TARGET`. */
  readonly target: () => string | undefined;
  /** Reads `BP_LIVE_RELOAD_ENABLED` (only once the buildpack applies). */
  readonly liveReload: () => string | undefined;
  /** Reads `BP_POETRY_RUN_DIRECT` (only once the buildpack applies). */
  readonly direct: () => string | undefined;
  /** Loads pyproject.toml from the app dir; `null` when there is none. Called only when needed. */
  readonly loadPyProject: () => Promise<PyProject | null>;
  /** Output, in packit's scribe format. */
  readonly logger: Scribe;
}

/** What runs, and the switches. */
export interface Resolved {
  /** The target. */
  readonly target: Target;
  /** The project: always read without `BP_POETRY_RUN_TARGET`; with it, only for direct starts. */
  readonly project: PyProject | null;
  /** `BP_LIVE_RELOAD_ENABLED`. */
  readonly reload: boolean;
  /** `BP_POETRY_RUN_DIRECT`. */
  readonly direct: boolean;
}

/** Either what runs, or why this buildpack does not apply. */
export type Resolution =
  | ({ readonly applies: true } & Resolved)
  | { readonly applies: false; readonly reason: string };

/**
 * Resolves the target (debug lines `Finding the poetry run target` /
 * `Found …`, as the reference prints them), then reads the switches.
 *
 * @param ctx Inputs.
 * @returns What runs, or why nothing can.
 * @throws {BuildpackError} On a malformed variable or pyproject.toml.
 */
export async function resolveTarget(ctx: PoetryContext): Promise<Resolution> {
  const { logger } = ctx;
  logger.debug(2, "Finding the poetry run target");
  const switches = () => ({
    reload: liveReloadEnabled(ctx.liveReload()),
    direct: directEnabled(ctx.direct()),
  });
  const override = ctx.target();
  if (hasTargetOverride(override)) {
    const target = targetFromEnv(override);
    logger.debug(4, `Found ${TARGET_VARIABLE}=${override}`);
    const { reload, direct } = switches();
    // Direct starts depend on what Poetry installs, so they read the project too.
    const project = direct ? await ctx.loadPyProject() : null;
    return { applies: true, target, project, reload, direct };
  }
  if (override !== undefined) {
    logger.warn(`${TARGET_VARIABLE} is set but blank, so it is ignored; pyproject.toml decides`);
  }
  const project = await ctx.loadPyProject();
  if (project === null) {
    return {
      applies: false,
      reason: `No pyproject.toml in the app directory and ${TARGET_VARIABLE} is not set; ` +
        `add a pyproject.toml with a [project.scripts] entry or set ${TARGET_VARIABLE}`,
    };
  }
  for (const name of project.conflicts) {
    logger.warn(
      `pyproject.toml declares script "${name}" in both [project.scripts] and [tool.poetry.scripts]; ` +
        `the [project.scripts] entry wins (as in Poetry), remove the other`,
    );
  }
  for (const name of project.fileScripts) {
    logger.debug(
      4,
      `Skipping [tool.poetry.scripts] "${name}": type = "file" scripts are not start targets`,
    );
  }
  const chosen = targetFromScripts(project);
  if ("reason" in chosen) return { applies: false, reason: chosen.reason };
  logger.debug(4, `Found pyproject.toml script=${chosen.argv.join(" ")}`);
  return { applies: true, target: chosen, project, ...switches() };
}
