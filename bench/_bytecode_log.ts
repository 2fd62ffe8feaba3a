/**
 * Reading the bytecode step's summary line from a build log (its text is
 * `bytecodeSummary()` in `src/poetry/messages.ts`).
 *
 * @module
 */

/** What the summary line says. */
export interface BytecodeLine {
  /** Modules compiled. */
  readonly compiled: number;
  /** pycs kept from before. */
  readonly kept: number;
  /** The step's time in seconds (planning, compiling, sweeping). */
  readonly seconds: number;
}

const SUMMARY =
  /\n[ \S]*? {4}(\d+) modules? compiled \([\d.]+ MiB\), (\d+) kept(?:, \d+ no longer imported removed)?, in ([\d.]+) s: /;

/**
 * Finds the summary line.
 *
 * @example Usage
 * ```ts
 * import { bytecodeLine } from "./_bytecode_log.ts";
 * bytecodeLine("\n    2 modules compiled (0.1 MiB), 5 kept, in 0.3 s: /x\n"); // { compiled: 2, kept: 5, seconds: 0.3 }
 * ```
 *
 * @param log The build's output.
 * @returns What it says, or `undefined` when the build compiled nothing.
 */
export function bytecodeLine(log: string): BytecodeLine | undefined {
  const m = SUMMARY.exec(log);
  return m === null
    ? undefined
    : { compiled: Number(m[1]), kept: Number(m[2]), seconds: Number(m[3]) };
}
