/**
 * Choosing what `poetry run` starts.
 *
 * @module
 */
import type { PyProject, Script } from "./pyproject.ts";
import { BuildpackError } from "../cnb/errors.ts";
import { isProcessType } from "../cnb/process_type.ts";
import { unusableText } from "../cnb/argument_text.ts";
import { ShellWordsError, splitShellWords } from "./shell_words.ts";
import { TARGET_VARIABLE } from "./config.ts";
import type { InferredCommand } from "./infer.ts";

/** Script names preferred, in order, when a project has several. */
export const CONVENTIONAL_NAMES = ["web", "start", "serve", "server"] as const;

/** Why a target was chosen. */
export type TargetSource = "env" | "single-script" | "conventional-name" | "inferred";

/** What `poetry run` is given. */
export interface Target {
  /** The words after `poetry run`. */
  readonly argv: readonly string[];
  /** Why this target. */
  readonly source: TargetSource;
  /** The script, when the target is a pyproject.toml script. */
  readonly script?: Script;
  /** The inferred command, when the app declares no script. */
  readonly inferred?: InferredCommand;
}

/** The name of the launch layer with the launch defaults and `serve.py`. */
export const START_LAYER = "start";

/**
 * The target of an inferred command: the server itself when it binds to
 * `PORT` by itself, else `python <start layer>/serve.py <server> …`.
 *
 * @example Usage
 * ```ts
 * import { inferredTarget } from "./target.ts";
 * import { inferStart } from "./infer.ts";
 * import { parsePyProject } from "./pyproject.ts";
 * const project = parsePyProject('[project]\nname = "a"\ndependencies = ["flask", "gunicorn"]\n');
 * const inference = inferStart({ appDir: "/workspace", project, env: () => undefined });
 * if (inference.certain) inferredTarget(inference.command, "/layers/x").argv; // ["gunicorn", "app:app"]
 * ```
 *
 * @param command The inferred command.
 * @param layersDir This buildpack's layers directory.
 * @returns The target.
 */
export function inferredTarget(command: InferredCommand, layersDir: string): Target {
  const { server, args } = command;
  const argv = server.readsPort
    ? [server.executable, ...args]
    : ["python", `${layersDir}/${START_LAYER}/serve.py`, server.name, ...args];
  return { argv, source: "inferred", inferred: command };
}

/**
 * Tells whether `BP_POETRY_RUN_TARGET` is set to something other than blanks.
 *
 * @param value The variable's value.
 * @returns `true` when it holds a non-whitespace character.
 */
export function hasTargetOverride(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

/**
 * Parses `BP_POETRY_RUN_TARGET` into words with POSIX shell quoting.
 *
 * @param value The non-blank value.
 * @returns The target.
 * @throws {BuildpackError} Naming the variable and the column of a quoting
 * problem, or when it has no words or an empty first word.
 */
export function targetFromEnv(value: string): Target {
  const unusable = unusableText(value);
  if (unusable !== undefined) {
    throw new BuildpackError(
      `${TARGET_VARIABLE} has ${unusable}, which no command argument can hold; remove it`,
    );
  }
  let argv: string[];
  try {
    argv = splitShellWords(value);
  } catch (error) {
    if (error instanceof ShellWordsError) {
      throw new BuildpackError(
        `${TARGET_VARIABLE} ${error.message} at column ${error.column}: ${error.hint}`,
        { cause: error },
      );
    }
    throw error;
  }
  if (argv.length === 0) {
    throw new BuildpackError(
      `${TARGET_VARIABLE} has no words (only quotes, blanks or escaped newlines); ` +
        `set it to the script or program to run, or unset it`,
    );
  }
  if (argv[0] === "") {
    throw new BuildpackError(
      `${TARGET_VARIABLE} starts with an empty word ('' or ""); the first word must name the script or program to run`,
    );
  }
  return { argv, source: "env" };
}

/**
 * Chooses a script: the only one, or the first conventional name among several.
 *
 * @param project The parsed project.
 * @returns The target, or a message saying why none can be chosen and what to do.
 */
export function targetFromScripts(project: PyProject): Target | { readonly reason: string } {
  const { scripts } = project;
  const only = scripts.length === 1 ? scripts[0] : undefined;
  if (only !== undefined) return { argv: [only.name], source: "single-script", script: only };
  if (scripts.length === 0) return { reason: noScript(project) };
  for (const name of CONVENTIONAL_NAMES) {
    const script = scripts.find((s) => s.name === name);
    if (script !== undefined) return { argv: [name], source: "conventional-name", script };
  }
  return {
    reason:
      `pyproject.toml has ${scripts.length} scripts (${
        scripts.map((s) => `"${s.name}"`).join(", ")
      }) ` +
      `and none is named ${
        CONVENTIONAL_NAMES.join(", ")
      }; set ${TARGET_VARIABLE} to the one to run`,
  };
}

/**
 * Detect's reason when pyproject.toml has no script, and (with `why`) no
 * start command can be inferred either.
 *
 * @param project The project.
 * @param why Why inference found no command (its text ends with what to do).
 * @returns The message.
 */
export function noScript(project: PyProject, why?: string): string {
  const files = project.fileScripts.length > 0
    ? ` (type = "file" entries ${
      project.fileScripts.map((n) => `"${n}"`).join(", ")
    } cannot be run by poetry run)`
    : "";
  const none = `pyproject.toml has no script in [project.scripts] or [tool.poetry.scripts]${files}`;
  return why === undefined
    ? `${none}; add one or set ${TARGET_VARIABLE}`
    : `${none}, and no start command can be inferred: ${why}`;
}

/** Process types this buildpack writes itself; scripts with these names get none. */
const RESERVED = new Set(["web", "reload-web"]);

/** The scripts besides the target, split by whether they can be process types. */
export interface ExtraScripts {
  /** Scripts whose names are valid, unreserved process types, in declaration order. */
  readonly accepted: readonly Script[];
  /** Scripts whose names are not (`^[A-Za-z0-9._-]+$`, not `web` or `reload-web`). */
  readonly rejected: readonly Script[];
  /** Scripts whose value is empty: their console script could not start. */
  readonly empty: readonly Script[];
}

/** Whether a script's value is empty (Poetry would install an entry point `name=` that cannot start). */
export const isEmptyScript = (script: Script): boolean => script.reference.trim() === "";

/**
 * The error for a target that is a script with an empty value.
 *
 * @param script The script.
 * @returns The message.
 */
export function emptyScriptError(script: Script): string {
  return `pyproject.toml [${script.table}] "${script.name}" is empty, so its console script could ` +
    `not start; set it to "package.module:function"`;
}

/**
 * The project's other scripts, which become extra (non-default) process
 * types when the target was chosen among several scripts.
 *
 * @param project The project.
 * @param target The chosen target.
 * @returns Accepted and rejected scripts; none when the target came from {@linkcode TARGET_VARIABLE}
 * or the project has one script.
 */
export function extraScripts(project: PyProject | null, target: Target): ExtraScripts {
  if (project === null || target.source === "env" || project.scripts.length < 2) {
    return { accepted: [], rejected: [], empty: [] };
  }
  const others = project.scripts.filter((s) => s !== target.script);
  const named = others.filter((s) => !isEmptyScript(s));
  const ok = (s: Script) => isProcessType(s.name) && !RESERVED.has(s.name);
  return {
    accepted: named.filter(ok),
    rejected: named.filter((s) => !ok(s)),
    empty: others.filter(isEmptyScript),
  };
}
