/**
 * Where a buildpack phase reads and writes: its standard streams, its
 * environment and its working directory (the app, under the lifecycle).
 *
 * @module
 */

/** Where output goes; receives whole lines including the newline. */
export type Sink = (text: string) => void;

/** Reads an environment variable. */
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
 * This process's I/O (synchronous writes, so that output and exit code line up).
 *
 * @returns The I/O.
 */
export function processIo(): Io {
  return {
    stdout: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
    stderr: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
    env: (name) => Deno.env.get(name),
    cwd: Deno.cwd(),
  };
}
