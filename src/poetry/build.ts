/**
 * The build phase: the launch processes that start the app with `poetry run`
 * (or directly, with `BP_POETRY_RUN_DIRECT`).
 *
 * @module
 */
import type { BuildpackInfo } from "../cnb/buildpack_toml.ts";
import { BuildpackError } from "../cnb/errors.ts";
import type { LaunchProcess } from "../cnb/launch.ts";
import { processType } from "../cnb/process_type.ts";
import type { PyProject } from "./pyproject.ts";
import { withLiveReload } from "./live_reload.ts";
import { type PoetryContext, resolveTarget } from "./resolve.ts";
import { quoteShellWords } from "./shell_words.ts";
import {
  DIRECT_VARIABLE,
  needsPoetryAtLaunch,
  type PlannedProcess,
  plannedProcesses,
} from "./start.ts";
import { CONVENTIONAL_NAMES, extraScripts, type Target, TARGET_VARIABLE } from "./target.ts";

/** What build reads: what detect reads, and where the app and buildpack are. */
export interface PoetryBuildContext extends PoetryContext {
  /** The app directory (watched with live reload). */
  readonly appDir: string;
  /** buildpack.toml. */
  readonly buildpack: BuildpackInfo;
}

/** The outcome of build. */
export interface PoetryBuildResult {
  /** Launch processes in order; exactly one is the default. */
  readonly processes: readonly LaunchProcess[];
  /** Whether a process needs Poetry at launch. */
  readonly poetryAtLaunch: boolean;
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
  const r = await resolveTarget(ctx);
  if (!r.applies) throw new BuildpackError(r.reason);
  const { target, project, reload, direct } = r;

  for (const script of extraScripts(project, target).rejected) {
    logger.warn(
      `pyproject.toml script "${script.name}" gets no process type of its own: a type must match ` +
        `^[A-Za-z0-9._-]+$ and not be web or reload-web; rename it to run it as a separate process`,
    );
  }
  const [web, ...others] = plannedProcesses(r);
  if (web === undefined) throw new TypeError("Cannot build: no web process was planned");
  if (web.start.via === "none") {
    throw new BuildpackError(
      `${describe(web, project)} cannot be started${
        direct ? " directly or" : ""
      } by poetry run: ${web.start.reason}`,
    );
  }
  const startable = [web];
  for (const p of others) {
    if (p.start.via === "none") {
      logger.warn(
        `${describe(p, project)} gets no process type: it cannot be started${
          direct ? " directly or" : ""
        } by poetry run: ${p.start.reason}`,
      );
    } else startable.push(p);
  }
  for (const p of startable) {
    if (p.start.via === "poetry" && p.start.warning !== undefined) logger.warn(p.start.warning);
  }

  const webProcess = { ...launchProcess(web), default: true };
  const processes = reload ? withLiveReload(webProcess, ctx.appDir) : [webProcess];
  processes.push(...startable.slice(1).map(launchProcess));

  logger.launchProcesses(processes);
  logger.process(explain(target, project, web));
  if (direct) logger.process(explainDirect(startable, reload));
  return { processes, poetryAtLaunch: needsPoetryAtLaunch(startable, project), project };
}

/** `pyproject.toml [table] "name"` for a script, else the process's program. */
function describe(p: PlannedProcess, project: PyProject | null): string {
  const script = project?.scripts.find((s) => s.name === p.argv[0]);
  return script === undefined
    ? `"${p.argv[0]}"`
    : `pyproject.toml [${script.table}] "${script.name}"`;
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
  const parts: string[] = [];
  if (direct.length > 0) {
    parts.push(
      `${direct.join(", ")} start${
        direct.length === 1 ? "s" : ""
      } directly (the venv's bin/ is first on the launch PATH)`,
    );
  }
  for (const p of planned) {
    if (p.start.via !== "poetry") continue;
    const t = types(p);
    parts.push(`${t.join(", ")} keep${t.length === 1 ? "s" : ""} poetry run: ${p.start.reason}`);
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
