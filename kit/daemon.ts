/**
 * A daemon the suite starts for itself (dockerd, a registry): its output in a
 * log file, ready when a check says so, and stopped by its pid.
 *
 * @module
 */
import { poll, sleep } from "./command.ts";

/** A started daemon; dispose (or {@linkcode Daemon.stop}) stops it. */
export interface Daemon extends AsyncDisposable {
  /** Its process id. */
  readonly pid: number;
  /** Its log file. */
  readonly log: string;
  /** Stops it: SIGTERM, then SIGKILL after 30 s. Safe to call twice. */
  readonly stop: () => Promise<void>;
}

/** Options of {@linkcode startDaemon}. */
export interface DaemonOptions {
  /** What it is, for messages. */
  readonly name: string;
  /** The program. */
  readonly cmd: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** Where its output goes. */
  readonly log: string;
  /** One readiness check (the daemon answers). */
  readonly ready: () => Promise<boolean>;
  /** Bound on the wait for readiness (default 60 s). */
  readonly timeoutMs?: number;
}

/**
 * Starts a daemon and waits until it is ready.
 *
 * @example Usage
 * ```ts
 * import { startDaemon } from "./daemon.ts";
 * await using d = await startDaemon({
 *   name: "sleep",
 *   cmd: "sleep",
 *   args: ["60"],
 *   log: "/tmp/sleep.log",
 *   ready: () => Promise.resolve(true),
 * });
 * ```
 *
 * @param opts The program, its log, the readiness check.
 * @returns The daemon.
 * @throws {Error} When it exits or is not ready in time, with the end of its log.
 */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const child = new Deno.Command("sh", {
    args: ["-c", 'log=$1; shift; exec "$@" >"$log" 2>&1', "sh", opts.log, opts.cmd, ...opts.args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    const done = await Promise.race([status.then(() => true), sleep(30_000).then(() => false)]);
    if (!done) {
      child.kill("SIGKILL");
      await status;
    }
  };
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const ready = await poll(
    async () => (await opts.ready().catch(() => false)) ? true : undefined,
    { timeoutMs, givenUp: () => exited },
  );
  if (ready === undefined) {
    await stop();
    const tail = (await Deno.readTextFile(opts.log).catch(() => "")).split("\n").slice(-15)
      .join("\n");
    throw new Error(
      `${opts.name} ${exited ? "exited" : `was not ready within ${timeoutMs / 1000} s`}:\n${tail}`,
    );
  }
  return { pid: child.pid, log: opts.log, stop, [Symbol.asyncDispose]: stop };
}
