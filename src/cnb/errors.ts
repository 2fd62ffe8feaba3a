/**
 * Errors a user can cause, carrying the exit code they map to.
 *
 * @module
 */
import { ExitCode } from "./exit_codes.ts";

/**
 * An error caused by the user's input (a file, a variable, an argument).
 *
 * Its message is one line that names what was wrong and what to do; the
 * entry point prints it without a stack trace unless `BP_LOG_LEVEL=DEBUG`.
 */
export class BuildpackError extends Error {
  /** The process exit code this error maps to. */
  readonly exitCode: ExitCode;

  /**
   * Creates the error.
   *
   * @param message One line: the file or variable, what was wrong, what to do.
   * @param options `exitCode` (default {@linkcode ExitCode.Error}) and `cause`.
   */
  constructor(message: string, options: ErrorOptions & { exitCode?: ExitCode } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BuildpackError";
    this.exitCode = options.exitCode ?? ExitCode.Error;
  }
}

/**
 * Detection did not pass. Not an error: the lifecycle treats exit code 100 as
 * "this buildpack does not apply", and the message says why.
 */
export class DetectFailure extends Error {
  /**
   * Creates the failure.
   *
   * @param message Why detection did not pass and what would make it pass.
   */
  constructor(message: string) {
    super(message);
    this.name = "DetectFailure";
  }
}
