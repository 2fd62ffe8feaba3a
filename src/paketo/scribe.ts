/**
 * Build output in the format of packit's `scribe` emitter, so log-matching
 * tests written for Paketo buildpacks keep passing.
 *
 * @module
 */

import type { Sink } from "../cnb/io.ts";
import type { LaunchProcess } from "../cnb/launch.ts";

/**
 * Tells whether `BP_LOG_LEVEL` asks for debug output (case-insensitive
 * `DEBUG`; anything else, including unset, means INFO).
 *
 * @param level The value of `BP_LOG_LEVEL`.
 * @returns `true` for debug.
 */
export function isDebugLevel(level: string | undefined): boolean {
  return level?.toUpperCase() === "DEBUG";
}

/** Lines at packit's indents: Process 2, Subprocess 4, Action 6. */
export interface IndentedLines {
  /** A line indented by 2. */
  process(message: string): void;
  /** A line indented by 4. */
  subprocess(message: string): void;
  /** A line indented by 6. */
  action(message: string): void;
}

/** Indented, leveled log output (scribe's Title, Process, Subprocess, Action; `Debug.*`). */
export class Scribe {
  readonly #out: Sink;
  readonly #err: Sink;
  /** Whether debug lines are printed. */
  readonly debugEnabled: boolean;
  /** The same lines, printed only with `BP_LOG_LEVEL=DEBUG` (packit's `logger.Debug`). */
  readonly debug: IndentedLines;

  /**
   * Creates a logger.
   *
   * @param out Info output (stdout).
   * @param err Warning output (stderr).
   * @param debug Whether debug lines are printed.
   */
  constructor(out: Sink, err: Sink, debug: boolean) {
    this.#out = out;
    this.#err = err;
    this.debugEnabled = debug;
    const at = (indent: number) => (message: string) => {
      if (debug) this.#emit(this.#out, indent, message);
    };
    this.debug = { process: at(2), subprocess: at(4), action: at(6) };
  }

  #emit(sink: Sink, indent: number, message: string): void {
    const pad = " ".repeat(indent);
    const text = message.split("\n").map((line) => pad + line).join("\n");
    sink(`${text}\n`);
  }

  /** Prints an unindented title line. @param message The text. */
  title(message: string): void {
    this.#emit(this.#out, 0, message);
  }

  /** Prints a line indented by 2. @param message The text. */
  process(message: string): void {
    this.#emit(this.#out, 2, message);
  }

  /** Prints a line indented by 4. @param message The text. */
  subprocess(message: string): void {
    this.#emit(this.#out, 4, message);
  }

  /** Prints an empty line. */
  break(): void {
    this.#out("\n");
  }

  /**
   * Prints a warning on stderr, prefixed `Warning: `.
   *
   * @param message One line saying what is wrong and what to do.
   */
  warn(message: string): void {
    this.#emit(this.#err, 0, `Warning: ${message}`);
  }

  /**
   * Prints the process table exactly as scribe's `LaunchProcesses` does:
   * commands aligned in one column, arguments joined by spaces (no trailing
   * space when there are none, as scribe prints a process without args), then
   * a blank line.
   *
   * @param processes The processes, in order.
   */
  launchProcesses(processes: readonly LaunchProcess[]): void {
    this.process("Assigning launch processes:");
    const label = (p: LaunchProcess): string => p.default ? `${p.type} (default)` : p.type;
    const width = Math.max(0, ...processes.map((p) => label(p).length));
    for (const p of processes) {
      const name = label(p);
      this.subprocess(
        `${name}: ${" ".repeat(width - name.length)}${[p.command, ...p.args].join(" ")}`,
      );
    }
    this.break();
  }
}
