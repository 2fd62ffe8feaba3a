/**
 * Where a buildpack phase reads and writes: its standard streams, its
 * environment and its working directory (the app, under the lifecycle).
 *
 * @module
 */
import { BuildpackError } from "./errors.ts";

/** Where output goes; receives whole lines including the newline. */
export type Sink = (text: string) => void;

/**
 * Reads an environment variable; may throw a {@linkcode BuildpackError} for a
 * value it cannot read (not UTF-8).
 */
export type EnvLookup = (name: string) => string | undefined;

/** A phase's I/O; tests substitute their own. */
export interface Io {
  /** Standard output (information). */
  readonly stdout: Sink;
  /** Standard error (warnings and errors). */
  readonly stderr: Sink;
  /** Environment lookup. */
  readonly env: EnvLookup;
  /** The working directory: the app directory under the lifecycle. */
  readonly cwd: string;
}

const encoder = new TextEncoder();

/**
 * Reads a variable of this process's environment.
 *
 * @example Usage
 * ```ts
 * import { readEnv } from "./io.ts";
 * readEnv("CNB_LAYERS_DIR");
 * ```
 *
 * @param name The variable.
 * @returns Its value, or `undefined` when it is unset.
 * @throws {BuildpackError} When the value is not valid UTF-8 (exit code 1),
 * naming the variable.
 */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (error) {
    if (!(error instanceof Deno.errors.InvalidData)) throw error;
    // Deno's message ends with the value, its bad bytes escaped: `…: "a\xFFb"`.
    const shown = /: (".*")$/.exec(error.message)?.[1];
    throw new BuildpackError(
      `${name} is not valid UTF-8${shown === undefined ? "" : ` (${shown})`}; set it to UTF-8 text`,
      { cause: error },
    );
  }
}

/**
 * This process's I/O (synchronous writes, so that output and exit code line up).
 *
 * @returns The I/O.
 */
export function processIo(): Io {
  return {
    stdout: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
    stderr: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
    env: readEnv,
    cwd: Deno.cwd(),
  };
}
