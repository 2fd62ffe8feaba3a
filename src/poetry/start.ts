/**
 * How each process starts: through `poetry run`, or directly with
 * `BP_POETRY_RUN_DIRECT` (the venv's `bin/` is first on the launch PATH, so
 * an installed console script, or any program in the venv, can be the
 * process command itself).
 *
 * What Poetry installs decides what can start directly (measured with Poetry
 * 2.5.1): in package mode, `[project.scripts]` entries are installed as
 * console scripts, and `[tool.poetry.scripts]` console entries too unless
 * `[project.scripts]` has entries; with `package-mode = false` nothing is.
 * `poetry run <name>` starts a `[tool.poetry.scripts]` string or
 * `{ callable }` entry even when it is not installed (Poetry's deprecated
 * path for uninstalled scripts), a `[project.scripts]` entry only when it is
 * installed, and a `{ reference }` entry never (KeyError 'callable').
 *
 * @module
 */
import { boolVariable } from "../cnb/parse_bool.ts";
import type { PyProject, Script } from "./pyproject.ts";

/** The environment variable that starts processes without `poetry run`. */
export const DIRECT_VARIABLE = "BP_POETRY_RUN_DIRECT";

/**
 * Reads `BP_POETRY_RUN_DIRECT` with Go `strconv.ParseBool` semantics (unset = off).
 *
 * @param value The variable's value.
 * @returns Whether processes start without `poetry run` where they can.
 * @throws {BuildpackError} `failed to parse BP_POETRY_RUN_DIRECT value X: …; set it to true or false`.
 */
export function directEnabled(value: string | undefined): boolean {
  return boolVariable(DIRECT_VARIABLE, value, "set it to true or false");
}

/** How one process starts. */
export type StartMode =
  | { readonly via: "direct" }
  | { readonly via: "poetry"; readonly reason: string }
  | { readonly via: "none"; readonly reason: string };

/**
 * Tells whether Poetry installs a script as a console script into the venv's `bin/`.
 *
 * @param script The script.
 * @param project The project declaring it.
 * @returns `true` when `<venv>/bin/<name>` exists after `poetry sync`.
 */
export function isInstalled(script: Script, project: PyProject): boolean {
  if (!project.packageMode) return false;
  if (script.table === "project.scripts") return true;
  return !project.scripts.some((s) => s.table === "project.scripts");
}

/**
 * Decides how a process whose program is `name` starts when direct starts are on.
 *
 * @example Usage
 * ```ts
 * import { startMode } from "./start.ts";
 * startMode("gunicorn", null); // { via: "direct" }
 * ```
 *
 * @param name The process's program: a script name, or a program on the PATH.
 * @param project The project (`null` without pyproject.toml).
 * @returns `direct` when the program is installed (or is not a script of the
 * project), `poetry` when only `poetry run` can start it, `none` when neither can.
 */
export function startMode(name: string, project: PyProject | null): StartMode {
  const script = project?.scripts.find((s) => s.name === name);
  if (project === null || project === undefined || script === undefined) return { via: "direct" };
  if (isInstalled(script, project)) return { via: "direct" };
  const why = project.packageMode
    ? `Poetry does not install [tool.poetry.scripts] "${name}" because [project.scripts] has entries`
    : `Poetry installs no scripts with package-mode = false, so "${name}" is not in the venv`;
  if (script.table === "tool.poetry.scripts" && script.form !== "reference") {
    return { via: "poetry", reason: why };
  }
  const poetryFails = script.form === "reference"
    ? `"poetry run ${name}" fails on { reference = ... } entries (KeyError 'callable')`
    : `"poetry run ${name}" fails with "Command not found"`;
  const fix = script.table === "project.scripts"
    ? "remove package-mode = false so that Poetry installs the project"
    : `move it to [project.scripts] as ${name} = "${script.reference}"${
      project.packageMode ? "" : " and remove package-mode = false"
    }`;
  return { via: "none", reason: `${why}, and ${poetryFails}; ${fix}` };
}

/** A process to launch: its type, the words it runs, and how it starts. */
export interface PlannedProcess {
  /** The process type (`web` for the target). */
  readonly type: string;
  /** The program and its arguments (what follows `poetry run`). */
  readonly argv: readonly string[];
  /** How it starts. */
  readonly start: StartMode;
}

const VIA_POETRY: StartMode = { via: "poetry", reason: `${DIRECT_VARIABLE} is not set` };

/**
 * Plans how each process starts: `web` for the target, then one process per
 * extra script.
 *
 * @param web The target's words.
 * @param extras The extra scripts that get process types of their own.
 * @param project The project (`null` without pyproject.toml).
 * @param direct Whether `BP_POETRY_RUN_DIRECT` is on.
 * @returns The processes in order, `web` first.
 */
export function planProcesses(
  web: readonly string[],
  extras: readonly Script[],
  project: PyProject | null,
  direct: boolean,
): PlannedProcess[] {
  const mode = (name: string) => direct ? startMode(name, project) : VIA_POETRY;
  return [
    { type: "web", argv: web, start: mode(web[0] ?? "") },
    ...extras.map((s) => ({ type: s.name, argv: [s.name], start: mode(s.name) })),
  ];
}

/**
 * Tells whether any planned process needs Poetry at launch.
 *
 * @param processes The planned processes.
 * @returns `true` when one of them starts through `poetry run`, or runs
 * `poetry` itself (a `BP_POETRY_RUN_TARGET` such as `poetry run web`).
 */
export function needsPoetryAtLaunch(processes: readonly PlannedProcess[]): boolean {
  return processes.some((p) => p.start.via === "poetry" || p.argv[0] === "poetry");
}
