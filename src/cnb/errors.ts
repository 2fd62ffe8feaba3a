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
 * runner prints it without a stack trace unless the buildpack's debug switch is on.
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
