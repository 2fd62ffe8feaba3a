/**
 * The real launcher (lifecycle v0.21, built by scripts/install-tools.sh)
 * starting a build's processes on the host, as the unprivileged user, on a
 * loopback port: what `docker run <image>` does, without Docker.
 *
 * @module
 */
import { join } from "node:path";
import { output, poll, sleep } from "./command.ts";
import { DEFAULT_PORT, freePort, waitForHttp } from "./http.ts";
import { AS_USER, type Build } from "./lifecycle.ts";
import { TOOLS_DIR } from "./paths.ts";

/** A running launched process. */
export interface Launched extends AsyncDisposable {
  /** The port it was told to listen on. */
  readonly port: number;
  /** Output so far. */
  readonly output: () => string;
}

/** Options of {@linkcode launch}. */
export interface LaunchOptions {
  /** HOME of the process (default: the build's home directory). */
  readonly home?: string;
  /** More variables, as `docker run -e` would set them. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * `PORT` for the process (default: a free port); `"unset"` gives it none,
   * as a platform that sets no `PORT` (the app is then expected on 8080).
   */
  readonly port?: number | "unset";
}

/** The environment an image's container starts with, for a build on the host. */
function launchEnv(build: Build, home?: string): Record<string, string> {
  return {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: home ?? join(build.root, "home"),
    CNB_PLATFORM_API: "0.15",
    CNB_LAYERS_DIR: build.layers,
    CNB_APP_DIR: build.app,
  };
}

/**
 * Starts a process type through the real launcher (argv[0] = type), with
 * PORT and HOST=127.0.0.1. Dispose kills its whole session.
 *
 * @param build The build.
 * @param type The process type.
 * @param opts HOME and more variables.
 * @returns The running process.
 */
export async function launch(
  build: Build,
  type: string,
  opts: LaunchOptions = {},
): Promise<Launched> {
  const proc = join(build.root, "proc");
  await Deno.mkdir(proc, { recursive: true });
  // The process type is argv[0]'s basename; one link per type serves every launch.
  await Deno.symlink(join(TOOLS_DIR, "bin", "launcher"), join(proc, type)).catch((e) => {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  });
  const unset = opts.port === "unset";
  const port = unset ? DEFAULT_PORT : typeof opts.port === "number" ? opts.port : freePort();
  const child = new Deno.Command(AS_USER[0] as string, {
    args: [...AS_USER.slice(1), "setsid", join(proc, type)],
    env: {
      ...launchEnv(build, opts.home),
      ...(unset ? {} : { PORT: String(port) }),
      HOST: "127.0.0.1",
      ...opts.env,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const dec = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += dec.decode(chunk);
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  return {
    port,
    output: () => text,
    [Symbol.asyncDispose]: async () => {
      await killSession(child.pid);
      await Promise.race([child.status, sleep(10_000)]);
      await Promise.race([pumps.catch(() => {}), sleep(5_000)]);
    },
  };
}

/**
 * Runs a command in the app's launch environment, as `docker run --entrypoint
 * launcher <image> -- <command>` would: the real launcher applying every
 * launch layer's environment, then exec'ing the command directly.
 *
 * @param build The build.
 * @param command The program and its arguments.
 * @returns Exit code and combined output.
 */
export async function launchCommand(
  build: Build,
  command: readonly string[],
): Promise<{ code: number; output: string }> {
  const out = await output(
    AS_USER[0] as string,
    [...AS_USER.slice(1), join(TOOLS_DIR, "bin", "launcher"), "--", ...command],
    { env: launchEnv(build), clearEnv: true },
  );
  return { code: out.code, output: out.stdout + out.stderr };
}

/**
 * Kills every process of a session (SIGKILL). The launcher runs under `setsid`, so
 * its session holds it, watchexec, poetry and the app, even where watchexec gave its
 * command a process group of its own.
 */
async function killSession(sid: number): Promise<void> {
  await output("pkill", ["-KILL", "-s", String(sid)]);
}

/**
 * Waits for a launched process's first HTTP 200; a timeout's error carries the
 * process's output.
 *
 * @param proc The process.
 * @param timeoutMs Bound on the wait.
 * @param differentFrom Keep polling while the body equals this.
 * @returns The body.
 */
export async function httpBody(
  proc: Launched,
  timeoutMs = 60_000,
  differentFrom?: string,
): Promise<string> {
  try {
    return (await waitForHttp(proc.port, {
      timeoutMs,
      ...(differentFrom === undefined ? {} : { differentFrom }),
    })).body;
  } catch (error) {
    throw new Error(`${error}\n--- process output ---\n${proc.output()}`);
  }
}

/**
 * Waits (bounded) until a launched process has printed some text.
 *
 * @param proc The process.
 * @param text The text to wait for.
 * @param timeoutMs Bound on the wait; the caller asserts on the output afterwards.
 */
export async function waitForOutput(
  proc: Launched,
  text: string,
  timeoutMs: number,
): Promise<void> {
  await poll(() => Promise.resolve(proc.output().includes(text) ? true : undefined), {
    timeoutMs,
    intervalMs: 200,
  });
}
