/**
 * How each process starts: through `poetry run`, or directly with
 * `BP_POETRY_RUN_DIRECT` (the venv's `bin/` is first on the launch PATH, so
 * an installed console script, or any program in the venv, can be the
 * process command itself); and what will go wrong at start where it can.
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
import { DIRECT_VARIABLE, TARGET_VARIABLE } from "./config.ts";
import type { PyProject, Script } from "./pyproject.ts";

/** How one process starts, and what to warn about. */
export type StartMode =
  | { readonly via: "direct" }
  | { readonly via: "poetry"; readonly reason: string; readonly warning?: string }
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

/** Why Poetry did not install a script. */
function notInstalled(script: Script, project: PyProject): string {
  return project.packageMode
    ? `Poetry does not install [tool.poetry.scripts] "${script.name}" because [project.scripts] has entries`
    : `Poetry installs no scripts with package-mode = false, so "${script.name}" is not in the venv`;
}

/**
 * Decides how a process whose program is `name` starts.
 *
 * @example Usage
 * ```ts
 * import { startMode } from "./start_mode.ts";
 * startMode("gunicorn", null, true); // { via: "direct" }
 * ```
 *
 * @param name The process's program: a script name, or a program on the PATH.
 * @param project The project (`null` when not read).
 * @param direct Whether `BP_POETRY_RUN_DIRECT` is on.
 * @returns `direct` when it is on and the program is installed (or is not a
 * script of the project); `poetry` when `poetry run` starts it (with a
 * warning where Poetry's behaviour is deprecated or fails); `none` when
 * neither way can start it.
 */
export function startMode(name: string, project: PyProject | null, direct: boolean): StartMode {
  // Every poetry-run outcome with direct on returns its own reason; this one is for direct off.
  const viaPoetry = `${DIRECT_VARIABLE} is not set`;
  const script = project?.scripts.find((s) => s.name === name);
  if (project === null || script === undefined) {
    return direct ? { via: "direct" } : { via: "poetry", reason: viaPoetry };
  }
  const installed = isInstalled(script, project);
  if (direct && installed) return { via: "direct" };
  const table = `pyproject.toml [${script.table}] "${name}"`;
  if (script.table === "project.scripts" && !installed) {
    return {
      via: "none",
      reason:
        `${
          notInstalled(script, project)
        }, and "poetry run ${name}" fails with "Command not found"; ` +
        `remove package-mode = false so that Poetry installs the project`,
    };
  }
  if (script.form === "reference") {
    const fix = `move it to [project.scripts] as ${name} = "${script.reference}"`;
    if (!installed) {
      return {
        via: "none",
        reason:
          `${
            notInstalled(script, project)
          }, and "poetry run ${name}" fails on { reference = ... } ` +
          `entries (KeyError 'callable'); ${fix}${
            project.packageMode ? "" : " and remove package-mode = false"
          }`,
      };
    }
    return {
      via: "poetry",
      reason: viaPoetry,
      warning: `${table} is a { reference = ... } entry, which "poetry run ${name}" cannot start ` +
        `(Poetry fails with KeyError 'callable'); set ${DIRECT_VARIABLE}=true to start the installed ` +
        `script directly, ${fix}, or set ${TARGET_VARIABLE}`,
    };
  }
  if (!installed) {
    return {
      via: "poetry",
      reason: direct ? notInstalled(script, project) : viaPoetry,
      warning:
        `${notInstalled(script, project)}: ${table} runs through Poetry's deprecated path for ` +
        `uninstalled scripts; declare it in [project.scripts] with package mode, or set ${TARGET_VARIABLE}`,
    };
  }
  return { via: "poetry", reason: viaPoetry };
}
