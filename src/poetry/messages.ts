/**
 * What build tells the user about its processes and its bytecode: warnings,
 * why a process cannot start, the INFO lines explaining the chosen start
 * command, and the bytecode step's report. One line each, naming the file or
 * variable, what is wrong and what to do. Errors about an input stay with
 * the code that reads it (`pyproject.ts`, `target.ts`, `config.ts`,
 * `infer.ts`), where the value they name is at hand.
 *
 * @module
 */
import type { CompileReport } from "../python/bytecode.ts";
import { BYTECODE_VARIABLE, DIRECT_VARIABLE, INFER_VARIABLE, TARGET_VARIABLE } from "./config.ts";
import type { PlannedProcess } from "./processes.ts";
import type { PyProject, Script } from "./pyproject.ts";
import { quoteShellWords } from "./shell_words.ts";
import { CONVENTIONAL_NAMES, START_LAYER, type Target } from "./target.ts";

/**
 * Detect's reason when there is nothing to read.
 *
 * @returns The message.
 */
export function noPyProject(): string {
  return `No pyproject.toml in the app directory and ${TARGET_VARIABLE} is not set; ` +
    `add a pyproject.toml with a [project.scripts] entry or set ${TARGET_VARIABLE}`;
}

/**
 * The warning for a blank `BP_POETRY_RUN_TARGET`.
 *
 * @returns The message.
 */
export function blankTargetWarning(): string {
  return `${TARGET_VARIABLE} is set but blank, so it is ignored; pyproject.toml decides`;
}

/**
 * The warning for a script declared in both tables.
 *
 * @param name The script.
 * @returns The message.
 */
export function conflictWarning(name: string): string {
  return `pyproject.toml declares script "${name}" in both [project.scripts] and [tool.poetry.scripts]; ` +
    `the [project.scripts] entry wins (as in Poetry), remove the other`;
}

/**
 * The debug line for a `type = "file"` script.
 *
 * @param name The script.
 * @returns The message.
 */
export function fileScriptNote(name: string): string {
  return `Skipping [tool.poetry.scripts] "${name}": type = "file" scripts are not start targets`;
}

/**
 * The warning for a script whose name cannot be a process type.
 *
 * @param script The script.
 * @returns The message.
 */
export function rejectedScriptWarning(script: Script): string {
  return `pyproject.toml script "${script.name}" gets no process type of its own: a type must match ` +
    `^[A-Za-z0-9._-]+$ and not be web or reload-web; rename it to run it as a separate process`;
}

/**
 * The warning for a script whose value is empty, when it is not the one `web` runs.
 *
 * @param script The script.
 * @returns The message.
 */
export function emptyScriptWarning(script: Script): string {
  return `pyproject.toml [${script.table}] "${script.name}" is empty, so it gets no process type ` +
    `(its console script could not start); set it to "package.module:function" or remove it`;
}

/** `pyproject.toml [table] "name"` for a script, else the process's program. */
function describe(p: PlannedProcess, project: PyProject | null): string {
  const script = project?.scripts.find((s) => s.name === p.argv[0]);
  return script === undefined
    ? `"${p.argv[0]}"`
    : `pyproject.toml [${script.table}] "${script.name}"`;
}

function cannot(p: PlannedProcess, direct: boolean): string {
  const reason = p.start.via === "none" ? p.start.reason : "";
  return `cannot be started${direct ? " directly or" : ""} by poetry run: ${reason}`;
}

/**
 * Build's error when `web` cannot start.
 *
 * @param p The process.
 * @param project The project.
 * @param direct Whether `BP_POETRY_RUN_DIRECT` is on.
 * @returns The message.
 */
export function webCannotStart(
  p: PlannedProcess,
  project: PyProject | null,
  direct: boolean,
): string {
  return `${describe(p, project)} ${cannot(p, direct)}`;
}

/**
 * Build's warning when an extra process cannot start, and is left out.
 *
 * @param p The process.
 * @param project The project.
 * @param direct Whether `BP_POETRY_RUN_DIRECT` is on.
 * @returns The message.
 */
export function processDropped(
  p: PlannedProcess,
  project: PyProject | null,
  direct: boolean,
): string {
  return `${describe(p, project)} gets no process type: it ${cannot(p, direct)}`;
}

/**
 * The INFO line after the process table: the start command, and why this one.
 *
 * @param target The target.
 * @param project The project.
 * @param web The web process.
 * @returns The line.
 */
export function explainTarget(
  target: Target,
  project: PyProject | null,
  web: PlannedProcess,
): string {
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
    case "inferred":
      return explainInferred(command, target);
  }
}

/** The lines explaining an inferred command: what, why, where it listens, how to choose another. */
function explainInferred(command: string, target: Target): string {
  const inferred = target.inferred;
  if (inferred === undefined) return `Start command ${command} is inferred`;
  const { app, server, serverWhy } = inferred;
  const address = server.readsPort
    ? `${server.name} binds 0.0.0.0:$PORT by itself`
    : `serve.py (in the ${START_LAYER} layer) gives ${server.name} the address, as it reads no PORT`;
  return [
    `Start command ${command} is inferred: pyproject.toml has no script and ${TARGET_VARIABLE} is not set`,
    `  ${app.label} at ${app.at}${app.how === undefined ? "" : ` (${app.how})`}`,
    `  served by ${server.name}: ${serverWhy}`,
    `  listening on all interfaces, on $PORT (8080 when the platform sets none; ${address})`,
    `  To run something else, set ${TARGET_VARIABLE}, add a [project.scripts] entry or a Procfile ` +
    `web process; ${INFER_VARIABLE}=false turns inference off`,
  ].join("\n");
}

/**
 * The INFO line with `BP_POETRY_RUN_DIRECT`: which processes start directly,
 * which keep `poetry run`, and why.
 *
 * @param planned The processes that are kept.
 * @param reload Whether live reload is on (`web` is then `reload-web` and `web`).
 * @returns The line.
 */
export function explainDirect(planned: readonly PlannedProcess[], reload: boolean): string {
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

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The bytecode line of one process: what it imports, and how much was compiled for it.
 *
 * @param r The job's report.
 * @returns `web (Python 3.11.7): 377 modules, 12 compiled`.
 */
export function bytecodeJob(r: Extract<CompileReport, { ok: true }>): string {
  return `${r.label} (Python ${r.python}): ${
    plural(r.compiled + r.reused, "module")
  }, ${r.compiled} compiled`;
}

/**
 * The bytecode summary line.
 *
 * @param s What was compiled (and its size), kept from before, removed, and the time.
 * @returns `2 compiled (0.1 MiB), 2029 kept, 1 removed, in 0.3 s: <dir>`.
 */
export function bytecodeSummary(s: {
  readonly compiled: number;
  readonly bytes: number;
  readonly kept: number;
  readonly removed: number;
  readonly seconds: number;
  readonly dir: string;
}): string {
  const removed = s.removed > 0 ? `, ${s.removed} no longer imported removed` : "";
  return `${plural(s.compiled, "module")} compiled (${mib(s.bytes)}), ${s.kept} kept${removed}, ` +
    `in ${s.seconds.toFixed(2)} s: ${s.dir}`;
}

/**
 * The warning for app files that do not compile.
 *
 * @param r The job's report.
 * @param appDir The app directory (paths are shown relative to it).
 * @returns The message.
 */
export function bytecodeErrors(r: Extract<CompileReport, { ok: true }>, appDir: string): string {
  const shown = r.errors.slice(0, 3).map(([file, error]) =>
    `${file.startsWith(`${appDir}/`) ? file.slice(appDir.length + 1) : file} (${error})`
  );
  return `${plural(r.errorCount, "file")} of the app do${r.errorCount === 1 ? "es" : ""} not ` +
    `compile and ${r.errorCount === 1 ? "is" : "are"} left out of the bytecode: ${
      shown.join("; ")
    }${r.errorCount > shown.length ? "; …" : ""}`;
}

/**
 * The warning for a job that failed.
 *
 * @param reason Why.
 * @returns The message.
 */
export function bytecodeFailed(reason: string): string {
  return `Bytecode not compiled for every process: ${reason}; the image starts without it`;
}

/**
 * The warning when an earlier buildpack sets `PYTHONPYCACHEPREFIX` at launch.
 *
 * @param value Its value.
 * @returns The message.
 */
export function bytecodePreset(value: string): string {
  return `No precompiled bytecode: a launch layer of an earlier buildpack sets PYTHONPYCACHEPREFIX=${value}, ` +
    `so Python would not read this buildpack's; set ${BYTECODE_VARIABLE}=false to skip this step`;
}

/**
 * The warning for an unexpected error while compiling.
 *
 * @param message The error's message.
 * @returns The message.
 */
export function bytecodeUnexpected(message: string): string {
  return `Bytecode not compiled (${message}); the image starts without it`;
}
