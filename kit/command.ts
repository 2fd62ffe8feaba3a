/**
 * Running a program and collecting what it printed, bounded in time.
 *
 * @module
 */

/** What a program printed and how it ended. */
export interface Output {
  /** Exit code. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/** Options of {@linkcode output}. */
export interface OutputOptions {
  /** Variables to add (or, with `clearEnv`, the whole environment). */
  readonly env?: Readonly<Record<string, string>>;
  /** Start from an empty environment. */
  readonly clearEnv?: boolean;
  /** Working directory. */
  readonly cwd?: string;
  /** Bound on the run (default 5 minutes); the program is killed after it. */
  readonly timeoutMs?: number;
  /** Text written to its standard input (default: none, stdin is closed). */
  readonly input?: string;
}

const decoder = new TextDecoder();

/**
 * Runs a program to its end.
 *
 * @example Usage
 * ```ts
 * import { output } from "./command.ts";
 * const { code, stdout } = await output("echo", ["hi"]);
 * ```
 *
 * @param cmd The program.
 * @param args Its arguments.
 * @param opts Environment, working directory, time bound.
 * @returns Exit code and output.
 */
export async function output(
  cmd: string,
  args: readonly string[],
  opts: OutputOptions = {},
): Promise<Output> {
  const child = new Deno.Command(cmd, {
    args: [...args],
    ...(opts.env === undefined ? {} : { env: { ...opts.env } }),
    clearEnv: opts.clearEnv ?? false,
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    stdin: opts.input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(opts.timeoutMs ?? 300_000),
  }).spawn();
  if (opts.input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.input));
    await writer.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/**
 * Fails unless a program succeeded.
 *
 * @param what What it was, for the message.
 * @param out Its output.
 * @returns The output.
 * @throws {Error} With the exit code and everything it printed.
 */
export function must(what: string, out: Output): Output {
  if (out.code !== 0) {
    throw new Error(`${what} failed (exit ${out.code}): ${out.stdout}${out.stderr}`);
  }
  return out;
}

/**
 * Runs a shell script (as the test's user), failing on a non-zero exit.
 *
 * @param script The script; its arguments are `$1`, `$2`, …
 * @param args Its arguments.
 * @returns Standard output and error.
 */
export async function sh(script: string, ...args: string[]): Promise<string> {
  const out = must(`sh -c ${script}`, await output("sh", ["-c", script, "sh", ...args]));
  return out.stdout + out.stderr;
}

/**
 * Waits.
 *
 * @param ms Milliseconds.
 * @returns When they have passed.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Options of {@linkcode poll}. */
export interface PollOptions {
  /** Bound on the wait. */
  readonly timeoutMs: number;
  /** Time between tries (default 250 ms). */
  readonly intervalMs?: number;
  /** Gives up early when this says so (a process that exited, for example). */
  readonly givenUp?: () => boolean;
}

/**
 * The one bounded wait loop: tries `check` until it gives a value, the time
 * is up, or `givenUp` says so.
 *
 * @example Usage
 * ```ts
 * import { poll } from "./command.ts";
 * const ready = await poll(() => Promise.resolve(true), { timeoutMs: 1_000 });
 * ```
 *
 * @param check One try: a value, or `undefined` to try again.
 * @param opts Bound, interval, early stop.
 * @returns The value, or `undefined` when none came in time.
 */
export async function poll<T>(
  check: () => Promise<T | undefined>,
  opts: PollOptions,
): Promise<T | undefined> {
  const deadline = performance.now() + opts.timeoutMs;
  while (!(opts.givenUp?.() ?? false)) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() >= deadline) return undefined;
    await sleep(opts.intervalMs ?? 250);
  }
  return undefined;
}
