/**
 * Waiting for an app's first HTTP 200 on a loopback port.
 *
 * @module
 */
import { output, poll } from "./command.ts";

/** Where an app given no `PORT` is expected to listen (the buildpack's default for inferred commands). */
export const DEFAULT_PORT = 8080;

/** Options of {@linkcode waitForHttp}. */
export interface WaitOptions {
  /** Bound on the wait (default 60 s). */
  readonly timeoutMs?: number;
  /** Time between tries (default 250 ms; 5 ms to time a start). */
  readonly intervalMs?: number;
  /** Keep waiting while the body equals this (a restarted app's new answer). */
  readonly differentFrom?: string;
  /** The path to ask for (default `/`). */
  readonly path?: string;
}

/**
 * Polls `http://127.0.0.1:<port><path>` until it answers 200.
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
  const url = `http://127.0.0.1:${port}${opts.path ?? "/"}`;
  let last = "no answer";
  const answer = await poll(async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const body = await res.text();
      const at = performance.now();
      if (res.status === 200 && body !== opts.differentFrom) return { body, at };
      last = `status ${res.status}: ${body}`;
    } catch (error) {
      last = String(error);
    }
    return undefined;
  }, { timeoutMs, intervalMs: opts.intervalMs ?? 250 });
  if (answer === undefined) {
    throw new Error(`no HTTP 200 from ${url} within ${timeoutMs} ms (last: ${last})`);
  }
  return answer;
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

/**
 * The local addresses listening on a TCP port, from `/proc/net/tcp` and
 * `/proc/net/tcp6` (`0.0.0.0`, `::`: all interfaces), read by `cat` (Deno
 * asks for all permissions to read `/proc/net` itself).
 *
 * @example Usage
 * ```ts
 * import { listeningOn } from "./http.ts";
 * await listeningOn(8080); // e.g. ["0.0.0.0"]
 * ```
 *
 * @param port The port.
 * @returns The addresses, in the kernel's order.
 */
export async function listeningOn(port: number): Promise<string[]> {
  const found: string[] = [];
  const out = await output("cat", ["/proc/net/tcp", "/proc/net/tcp6"]);
  for (const line of out.stdout.split("\n")) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (local === undefined || state !== "0A") continue;
    const [hex = "", portHex = ""] = local.split(":");
    if (parseInt(portHex, 16) !== port) continue;
    found.push(hex.length === 8 ? ipv4(hex) : /^0+$/.test(hex) ? "::" : hex);
  }
  return found;
}

/** A /proc/net/tcp address (little-endian hex) as dotted quads. */
function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(".");
}
