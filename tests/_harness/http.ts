/**
 * Waiting for an app's first HTTP 200 on a loopback port.
 *
 * @module
 */
import { sleep } from "./command.ts";

/** Options of {@linkcode waitForHttp}. */
export interface WaitOptions {
  /** Bound on the wait (default 60 s). */
  readonly timeoutMs?: number;
  /** Time between tries (default 250 ms; 5 ms to time a start). */
  readonly intervalMs?: number;
  /** Keep waiting while the body equals this (a restarted app's new answer). */
  readonly differentFrom?: string;
}

/**
 * Polls `http://127.0.0.1:<port>/` until it answers 200.
 *
 * @example Usage
 * ```ts
 * import { waitForHttp } from "./http.ts";
 * const { body, at } = await waitForHttp(8080, { intervalMs: 5 });
 * ```
 *
 * @param port The port.
 * @param opts Bound, interval, a body to wait past.
 * @returns The body, and when it came (`performance.now()`).
 * @throws {Error} When no 200 came in time, with the last answer or error.
 */
export async function waitForHttp(
  port: number,
  opts: WaitOptions = {},
): Promise<{ readonly body: string; readonly at: number }> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = performance.now() + timeoutMs;
  let last = "no answer";
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
      const body = await res.text();
      const at = performance.now();
      if (res.status === 200 && body !== opts.differentFrom) return { body, at };
      last = `status ${res.status}: ${body}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(opts.intervalMs ?? 250);
  }
  throw new Error(`no HTTP 200 on 127.0.0.1:${port} within ${timeoutMs} ms (last: ${last})`);
}

/**
 * A free loopback port.
 *
 * @returns The port (free when this returns).
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
