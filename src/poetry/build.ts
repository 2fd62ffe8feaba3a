/**
 * The build phase: the launch processes that start the app with `poetry run`
 * (or directly, with `BP_POETRY_RUN_DIRECT`).
 *
 * @module
 */
import type { BuildpackInfo } from "../cnb/buildpack_toml.ts";
import { BuildpackError } from "../cnb/errors.ts";
import type { LaunchProcess } from "../cnb/launch.ts";
import type { Logger } from "../cnb/logger.ts";
import { processType } from "../cnb/process_type.ts";
import type { PyProject } from "./pyproject.ts";
import { type DetectContext, reportConflicts } from "./detect.ts";
import { liveReloadEnabled, withLiveReload } from "./live_reload.ts";
import { quoteShellWords } from "./shell_words.ts";
import {
  DIRECT_VARIABLE,
  directEnabled,
  needsPoetryAtLaunch,
  type PlannedProcess,
  planProcesses,
} from "./start.ts";
import {
  CONVENTIONAL_NAMES,
  extraScripts,
  hasTargetOverride,
  type Target,
  TARGET_VARIABLE,
  targetFromEnv,
  targetFromScripts,
} from "./target.ts";

/** What build needs: what detect needs, and where the app and buildpack are; the caller does all I/O. */
export interface BuildContext extends DetectContext {
  /** The app directory (watched with live reload). */
  readonly appDir: string;
  /** buildpack.toml. */
  readonly buildpack: BuildpackInfo;
}

/** The outcome of build. */
export interface BuildResult {
  /** Launch processes in order; exactly one is the default. */
  readonly processes: readonly LaunchProcess[];
  /** Whether a process starts through `poetry run` (so Poetry is needed at launch). */
  readonly poetryAtLaunch: boolean;
}

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
  const direct = directEnabled(ctx.direct);

  logger.debug(2, "Finding the poetry run target");
  let target: Target;
  let project: PyProject | null = null;
  if (hasTargetOverride(ctx.target)) {
    target = targetFromEnv(ctx.target);
    logger.debug(4, `Found ${TARGET_VARIABLE}=${ctx.target}`);
    // Direct starts depend on what Poetry installs, so read the project too.
    if (direct) project = await ctx.loadPyProject();
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
  }

  const extras = extraScripts(project, target);
  for (const script of extras.rejected) {
    logger.warn(
      `pyproject.toml script "${script.name}" gets no process type of its own: a type must match ` +
        `^[A-Za-z0-9._-]+$ and not be web or reload-web; rename it to run it as a separate process`,
    );
  }
  const planned = planProcesses(target.argv, extras.accepted, project, direct);
  const [web, ...others] = planned;
  if (web === undefined) throw new TypeError("Cannot build: no web process was planned");
  if (web.start.via === "none") {
    throw new BuildpackError(
      `${DIRECT_VARIABLE}: "${
        web.argv[0]
      }" cannot be started directly or by poetry run: ${web.start.reason}`,
    );
  }
  if (project !== null && web.start.via === "poetry") warnAboutPoetry(project, target, logger);
  const startable = others.filter((p) => {
    if (p.start.via !== "none") return true;
    logger.warn(
      `pyproject.toml script "${p.type}" gets no process type: it cannot be started directly or by poetry run: ${p.start.reason}`,
    );
    return false;
  });

  const webProcess = { ...launchProcess(web), default: true };
  const processes = reload ? withLiveReload(webProcess, ctx.appDir) : [webProcess];
  processes.push(...startable.map(launchProcess));

  logger.launchProcesses(processes);
  logger.process(explain(target, project, web));
  if (direct) logger.process(explainDirect([web, ...startable], reload));
  return { processes, poetryAtLaunch: needsPoetryAtLaunch([web, ...startable]) };
}

function launchProcess(p: PlannedProcess): LaunchProcess {
  const [program = "", ...rest] = p.argv;
  return p.start.via === "direct"
    ? { type: processType(p.type), command: program, args: rest, default: false }
    : { type: processType(p.type), command: "poetry", args: ["run", ...p.argv], default: false };
}

/** One line: which processes start directly, which keep `poetry run`, and why. */
function explainDirect(planned: readonly PlannedProcess[], reload: boolean): string {
  const types = (p: PlannedProcess) =>
    reload && p.type === "web" ? ["reload-web", "web"] : [p.type];
  const direct = planned.filter((p) => p.start.via === "direct").flatMap(types);
  const viaPoetry = planned.filter((p) => p.start.via === "poetry");
  const parts: string[] = [];
  if (direct.length > 0) {
    parts.push(
      `${direct.join(", ")} start${
        direct.length === 1 ? "s" : ""
      } directly (the venv's bin/ is first on the launch PATH)`,
    );
  }
  for (const p of viaPoetry) {
    parts.push(
      `${types(p).join(", ")} keep${types(p).length === 1 ? "s" : ""} poetry run: ${
        p.start.via === "poetry" ? p.start.reason : ""
      }`,
    );
  }
  return `${DIRECT_VARIABLE}: ${parts.join("; ")}`;
}

function explain(target: Target, project: PyProject | null, web: PlannedProcess): string {
  const words = quoteShellWords(target.argv);
  const command = web.start.via === "direct" ? words : `poetry run ${words}`;
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
