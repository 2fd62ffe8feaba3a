/**
 * The build phase: the launch processes that start the app with `poetry run`.
 *
 * @module
 */
import type { BuildpackInfo } from "../cnb/buildpack_toml.ts";
import { BuildpackError } from "../cnb/errors.ts";
import type { LaunchProcess } from "../cnb/launch.ts";
import type { Logger } from "../cnb/logger.ts";
import { isProcessType, processType } from "../cnb/process_type.ts";
import type { PyProject } from "./pyproject.ts";
import { reportConflicts } from "./detect.ts";
import { liveReloadEnabled, withLiveReload } from "./live_reload.ts";
import { quoteShellWords } from "./shell_words.ts";
import {
  CONVENTIONAL_NAMES,
  hasTargetOverride,
  type Target,
  TARGET_VARIABLE,
  targetFromEnv,
  targetFromScripts,
} from "./target.ts";

/** What build needs; the caller does all I/O. */
export interface BuildContext {
  /** The app directory (watched with live reload). */
  readonly appDir: string;
  /** buildpack.toml. */
  readonly buildpack: BuildpackInfo;
  /** `BP_POETRY_RUN_TARGET`. */
  readonly target: string | undefined;
  /** `BP_LIVE_RELOAD_ENABLED`. */
  readonly liveReload: string | undefined;
  /** Loads pyproject.toml; `null` when there is none. Called only when needed. */
  readonly loadPyProject: () => Promise<PyProject | null>;
  /** Output. */
  readonly logger: Logger;
}

/** The outcome of build. */
export interface BuildResult {
  /** Launch processes in order; exactly one is the default. */
  readonly processes: readonly LaunchProcess[];
}

const RESERVED = new Set(["web", "reload-web"]);

/**
 * Runs the build.
 *
 * @param ctx Inputs.
 * @returns The launch processes.
 * @throws {BuildpackError} On invalid variables, a malformed pyproject.toml,
 * or when no target can be chosen.
 */
export async function build(ctx: BuildContext): Promise<BuildResult> {
  const { logger } = ctx;
  const title = [ctx.buildpack.name, ctx.buildpack.version].filter((s) => s !== "").join(" ");
  logger.title(title);
  const reload = liveReloadEnabled(ctx.liveReload);

  logger.debug(2, "Finding the poetry run target");
  let target: Target;
  let project: PyProject | null = null;
  if (hasTargetOverride(ctx.target)) {
    target = targetFromEnv(ctx.target);
    logger.debug(4, `Found ${TARGET_VARIABLE}=${ctx.target}`);
  } else {
    if (ctx.target !== undefined) {
      logger.warn(`${TARGET_VARIABLE} is set but blank, so it is ignored; pyproject.toml decides`);
    }
    project = await ctx.loadPyProject();
    if (project === null) {
      throw new BuildpackError(
        `No pyproject.toml in the app directory and ${TARGET_VARIABLE} is not set; ` +
          `add a pyproject.toml with a [project.scripts] entry or set ${TARGET_VARIABLE}`,
      );
    }
    reportConflicts(project, logger);
    const chosen = targetFromScripts(project);
    if ("reason" in chosen) throw new BuildpackError(chosen.reason);
    target = chosen;
    logger.debug(4, `Found pyproject.toml script=${target.argv.join(" ")}`);
    warnAboutPoetry(project, target, logger);
  }

  const web: LaunchProcess = {
    type: processType("web"),
    command: "poetry",
    args: ["run", ...target.argv],
    default: true,
  };
  const processes = reload ? withLiveReload(web, ctx.appDir) : [web];
  if (project !== null && project.scripts.length > 1) {
    processes.push(...otherScripts(project, target, logger));
  }

  logger.launchProcesses(processes);
  logger.process(explain(target, project));
  return { processes };
}

function otherScripts(project: PyProject, target: Target, logger: Logger): LaunchProcess[] {
  const out: LaunchProcess[] = [];
  for (const script of project.scripts) {
    if (script === target.script) continue;
    if (!isProcessType(script.name) || RESERVED.has(script.name)) {
      logger.warn(
        `pyproject.toml script "${script.name}" gets no process type of its own: a type must match ` +
          `^[A-Za-z0-9._-]+$ and not be web or reload-web; rename it to run it as a separate process`,
      );
      continue;
    }
    out.push({ type: script.name, command: "poetry", args: ["run", script.name], default: false });
  }
  return out;
}

function explain(target: Target, project: PyProject | null): string {
  const command = `poetry run ${quoteShellWords(target.argv)}`;
  const script = target.script;
  switch (target.source) {
    case "env":
      return `Start command ${command} comes from ${TARGET_VARIABLE}`;
    case "single-script":
      return `Start command ${command} runs the only script in pyproject.toml [${script?.table}]`;
    case "conventional-name":
      return `Start command ${command} runs "${script?.name}" from pyproject.toml [${script?.table}], ` +
        `the first of ${CONVENTIONAL_NAMES.join(", ")} among ${project?.scripts.length} scripts; ` +
        `set ${TARGET_VARIABLE} to choose another`;
  }
}

function warnAboutPoetry(project: PyProject, target: Target, logger: Logger): void {
  const script = target.script;
  if (script === undefined) return;
  if (script.form === "reference" && script.table === "tool.poetry.scripts") {
    // Measured with Poetry 2.5.1: run.py reads script["callable"] for every table-form entry.
    logger.warn(
      `pyproject.toml declares [tool.poetry.scripts] "${script.name}" as { reference = ... }, which ` +
        `"poetry run ${script.name}" cannot start (Poetry fails with KeyError 'callable'); move it to ` +
        `[project.scripts] as ${script.name} = "${script.reference}", or set ${TARGET_VARIABLE}`,
    );
  }
  if (!project.packageMode && script.table === "project.scripts") {
    logger.warn(
      `pyproject.toml sets package-mode = false, so Poetry does not install [project.scripts] "${script.name}" ` +
        `and "poetry run ${script.name}" will fail with "Command not found" when the container starts; ` +
        `remove package-mode = false or set ${TARGET_VARIABLE}`,
    );
  }
  if (!project.packageMode && script.table === "tool.poetry.scripts") {
    logger.warn(
      `pyproject.toml sets package-mode = false, so [tool.poetry.scripts] "${script.name}" is not installed ` +
        `and runs through Poetry's deprecated path for uninstalled scripts; declare it in [project.scripts] ` +
        `with package mode, or set ${TARGET_VARIABLE}`,
    );
  }
}
