/**
 * The detect phase: does this app have something for `poetry run` to start?
 *
 * @module
 */
import type { BuildPlan, Requirement } from "../cnb/plan.ts";
import type { Logger } from "../cnb/logger.ts";
import type { PyProject } from "./pyproject.ts";
import { liveReloadEnabled } from "./live_reload.ts";
import { directEnabled, needsPoetryAtLaunch, planProcesses } from "./start.ts";
import {
  extraScripts,
  hasTargetOverride,
  type Target,
  TARGET_VARIABLE,
  targetFromEnv,
  targetFromScripts,
} from "./target.ts";

/** What detect needs; the caller does all I/O. */
export interface DetectContext {
  /** `BP_POETRY_RUN_TARGET`. */
  readonly target: string | undefined;
  /** `BP_LIVE_RELOAD_ENABLED`. */
  readonly liveReload: string | undefined;
  /** `BP_POETRY_RUN_DIRECT`. */
  readonly direct: string | undefined;
  /** Loads pyproject.toml from the app dir; `null` when there is none. Called only when needed. */
  readonly loadPyProject: () => Promise<PyProject | null>;
  /** Output. */
  readonly logger: Logger;
}

/** The outcome of detect. */
export type DetectResult =
  | { readonly pass: true; readonly plan: BuildPlan }
  | { readonly pass: false; readonly reason: string };

const launch = (name: string): Requirement => ({ name, metadata: { launch: true } });

/**
 * The plan this buildpack requires: cpython, poetry, poetry-venv (and
 * watchexec with live reload), all at launch; it provides nothing. Without
 * `poetry` when no process starts through `poetry run` (`BP_POETRY_RUN_DIRECT`).
 *
 * @param reload Whether live reload is on.
 * @param poetry Whether a process starts through `poetry run`.
 * @returns The plan.
 */
export function requiredPlan(reload: boolean, poetry = true): BuildPlan {
  const names = [
    "cpython",
    ...(poetry ? ["poetry"] : []),
    "poetry-venv",
    ...(reload ? ["watchexec"] : []),
  ];
  return { provides: [], requires: names.map(launch) };
}

/**
 * Runs detection.
 *
 * @param ctx Inputs.
 * @returns Pass with a plan, or fail with a reason.
 * @throws {BuildpackError} On invalid variables or a malformed pyproject.toml.
 */
export async function detect(ctx: DetectContext): Promise<DetectResult> {
  const reload = liveReloadEnabled(ctx.liveReload);
  const direct = directEnabled(ctx.direct);
  if (hasTargetOverride(ctx.target)) {
    const target = targetFromEnv(ctx.target); // reject unterminated quotes now, not at build
    if (!direct) return { pass: true, plan: requiredPlan(reload) };
    // Whether Poetry is needed at launch depends on what Poetry installs.
    return { pass: true, plan: plan(reload, target, await ctx.loadPyProject(), direct) };
  }
  if (ctx.target !== undefined) {
    ctx.logger.warn(
      `${TARGET_VARIABLE} is set but blank, so it is ignored; pyproject.toml decides`,
    );
  }
  const project = await ctx.loadPyProject();
  if (project === null) {
    return {
      pass: false,
      reason: `No pyproject.toml in the app directory and ${TARGET_VARIABLE} is not set; ` +
        `add a pyproject.toml with a [project.scripts] entry or set ${TARGET_VARIABLE}`,
    };
  }
  reportConflicts(project, ctx.logger);
  const chosen = targetFromScripts(project);
  if ("reason" in chosen) return { pass: false, reason: chosen.reason };
  ctx.logger.process(
    `Found script "${chosen.script?.name}" in pyproject.toml [${chosen.script?.table}]`,
  );
  return { pass: true, plan: plan(reload, chosen, project, direct) };
}

function plan(
  reload: boolean,
  target: Target,
  project: PyProject | null,
  direct: boolean,
): BuildPlan {
  const planned = planProcesses(
    target.argv,
    extraScripts(project, target).accepted,
    project,
    direct,
  );
  return requiredPlan(reload, needsPoetryAtLaunch(planned));
}

/**
 * Warns about names declared in both script tables, and notes file scripts at debug level.
 *
 * @param project The parsed project.
 * @param logger Output.
 */
export function reportConflicts(project: PyProject, logger: Logger): void {
  for (const name of project.conflicts) {
    logger.warn(
      `pyproject.toml declares script "${name}" in both [project.scripts] and [tool.poetry.scripts]; ` +
        `the [project.scripts] entry wins (as in Poetry), remove the other`,
    );
  }
  for (const name of project.fileScripts) {
    logger.debug(
      2,
      `Skipping [tool.poetry.scripts] "${name}": type = "file" scripts are not start targets`,
    );
  }
}
