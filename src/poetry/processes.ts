/**
 * The processes a target gives: `web`, then one per extra script, each with
 * how it starts; and whether any of them needs Poetry at launch.
 *
 * @module
 */
import { type ProcessType, processType } from "../cnb/process_type.ts";
import type { PyProject, Script } from "./pyproject.ts";
import { type StartMode, startMode } from "./start_mode.ts";

/** A process to launch: its type, the words it runs, and how it starts. */
export interface PlannedProcess {
  /** The process type (`web` for the target). */
  readonly type: ProcessType;
  /** The program and its arguments (what follows `poetry run`). */
  readonly argv: readonly string[];
  /** How it starts. */
  readonly start: StartMode;
}

/**
 * Plans how each process starts: `web` for the target, then one process per
 * extra script.
 *
 * @example Usage
 * ```ts
 * import { planProcesses } from "./processes.ts";
 * planProcesses(["gunicorn", "app:app"], [], null, true); // [{ type: "web", … via: "direct" }]
 * ```
 *
 * @param web The target's words.
 * @param extras The extra scripts that get process types of their own (valid type names).
 * @param project The project (`null` when not read).
 * @param direct Whether `BP_POETRY_RUN_DIRECT` is on.
 * @returns The processes in order, `web` first.
 */
export function planProcesses(
  web: readonly string[],
  extras: readonly Script[],
  project: PyProject | null,
  direct: boolean,
): PlannedProcess[] {
  return [
    { type: processType("web"), argv: web, start: startMode(web[0] ?? "", project, direct) },
    ...extras.map((s) => ({
      type: processType(s.name),
      argv: [s.name],
      start: startMode(s.name, project, direct),
    })),
  ];
}

/**
 * Tells whether any process that is kept (one that can start) needs Poetry at launch.
 *
 * @param processes The planned processes.
 * @param project The project (`null` when not read).
 * @returns `true` when a kept process starts through `poetry run`, or runs
 * `poetry` itself (a `BP_POETRY_RUN_TARGET` such as `poetry run web`; a
 * script named `poetry` is the project's own console script, not Poetry).
 */
export function needsPoetryAtLaunch(
  processes: readonly PlannedProcess[],
  project: PyProject | null,
): boolean {
  const isScript = (name: string) => project?.scripts.some((s) => s.name === name) ?? false;
  return processes.some((p) =>
    p.start.via === "poetry" ||
    (p.start.via === "direct" && p.argv[0] === "poetry" && !isScript("poetry"))
  );
}
