/**
 * Process exit codes of the CNB phases (Buildpack API 0.7–0.12).
 *
 * @module
 */

/** Exit codes a buildpack executable returns to the lifecycle. */
export const ExitCode = {
  /** detect passed, or build succeeded. */
  Success: 0,
  /** An error: detect errored (1–99, 101+) or build failed. */
  Error: 1,
  /** The command line itself was wrong (no such phase, missing arguments). */
  Usage: 2,
  /** detect did not pass: this buildpack does not take part in the group. */
  DetectFail: 100,
} as const;

/** One of the values of {@linkcode ExitCode}. */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode];
