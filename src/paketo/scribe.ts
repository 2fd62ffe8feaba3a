/**
 * Build output in the format of packit's `scribe` emitter, so log-matching
 * tests written for Paketo buildpacks keep passing.
 *
 * @module
 */

import type { Sink } from "../cnb/io.ts";

/** A process as shown by {@linkcode Scribe.launchProcesses}. */
export interface ShownProcess {
  /** Process type. */
  readonly type: string;
  /** Executable. */
  readonly command: string;
  /** Arguments. */
  readonly args: readonly string[];
  /** Whether it is the default process. */
  readonly default: boolean;
}

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

/** Indented, leveled log output (scribe's Title/Process/Subprocess/Action/Detail). */
export class Scribe {
  readonly #out: Sink;
  readonly #err: Sink;
  /** Whether debug lines are printed. */
  readonly debugEnabled: boolean;

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

  /** Prints a line indented by 6. @param message The text. */
  action(message: string): void {
    this.#emit(this.#out, 6, message);
  }

  /** Prints an empty line. */
  break(): void {
    this.#out("\n");
  }

  /**
   * Prints a debug line (only with `BP_LOG_LEVEL=DEBUG`).
   *
   * @param indent Spaces before the text.
   * @param message The text.
   */
  debug(indent: number, message: string): void {
    if (this.debugEnabled) this.#emit(this.#out, indent, message);
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
  launchProcesses(processes: readonly ShownProcess[]): void {
    this.process("Assigning launch processes:");
    const label = (p: ShownProcess): string => p.default ? `${p.type} (default)` : p.type;
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
