/**
 * Runs the real CNB lifecycle (v0.21.17 detector, builder, launcher) on a host,
 * as an unprivileged user, against an order of [the stand-in providers, poetry-run].
 *
 * @module
 */
import { join } from "node:path";
import { cp } from "node:fs/promises";
import { parseToml } from "../../src/cnb/toml.ts";
import { writeDevBuildpack } from "../../scripts/dev_buildpack.ts";
import { REPO_ROOT, testNeedingTools } from "../_helpers.ts";

/** The tools directory written by scripts/install-tools.sh. */
export const TOOLS_DIR: string = Deno.env.get("POETRY_RUN_TOOLS_DIR") ?? toolsDirFromRepo();

function toolsDirFromRepo(): string {
  try {
    return Deno.realPathSync(join(REPO_ROOT, ".tools"));
  } catch {
    return "/var/cache/poetry-run-tools";
  }
}

const UID = 65534;

/**
 * The stand-ins for Paketo's cpython, poetry, poetry-install and watchexec
 * buildpacks (tests/providers), in group order.
 */
export const PROVIDERS = ["cpython", "poetry", "poetry-install", "watchexec"] as const;

/**
 * Writes a stand-in provider buildpack: its directory plus the shared helper
 * module in `lib/` (each buildpack must be self-contained).
 *
 * @param name A name from {@linkcode PROVIDERS}.
 * @param dir The buildpack directory to write.
 * @returns The directory.
 */
export async function writeProvider(name: string, dir: string): Promise<string> {
  await cp(join(REPO_ROOT, "tests", "providers", name), dir, { recursive: true });
  await Deno.mkdir(join(dir, "lib"), { recursive: true });
  await Deno.copyFile(
    join(REPO_ROOT, "tests", "providers", "_lib", "cnb.py"),
    join(dir, "lib", "cnb.py"),
  );
  return dir;
}

/** order.toml: the providers (watchexec optional, as in Paketo's Python group), then poetry-run. */
function orderToml(): string {
  const entry = (id: string, optional = false) =>
    `[[order.group]]\nid = "${id}"\nversion = "0.0.1"\n${optional ? "optional = true\n" : ""}`;
  return `[[order]]\n` +
    PROVIDERS.map((p) => entry(`test/${p}`, p === "watchexec")).join("") + entry(BP_ID);
}
const BP_ID = "paketo-buildpacks/poetry-run";
const BP_DIR = "paketo-buildpacks_poetry-run";

/**
 * Tells why the integration tests cannot run, or `undefined` when they can.
 * In CI (`CI` set) the caller must fail on a reason rather than skip.
 *
 * @returns A reason, or undefined.
 */
export function missingTools(): string | undefined {
  for (
    const path of [
      "bin/lifecycle",
      "bin/launcher",
      "poetry/bin/poetry",
      "watchexec/bin/watchexec",
      "deno_dir",
    ]
  ) {
    try {
      Deno.statSync(join(TOOLS_DIR, path));
    } catch {
      return `${join(TOOLS_DIR, path)} is missing: run scripts/install-tools.sh`;
    }
  }
  return undefined;
}

/**
 * Declares an integration test: fails in CI when tools are missing, skips with a printed reason on a laptop.
 *
 * @param name Test name.
 * @param fn Body.
 */
export function integrationTest(name: string, fn: () => Promise<void>): void {
  testNeedingTools(name, missingTools(), "integration", fn);
}

/** A lifecycle run's inputs and outputs. */
export interface Build extends AsyncDisposable {
  /** Root of the temporary tree. */
  readonly root: string;
  /** The app directory (copy of the fixture). */
  readonly app: string;
  /** The layers directory. */
  readonly layers: string;
  /** Detector exit code. */
  readonly detectCode: number;
  /** Detector output. */
  readonly detectOutput: string;
  /** Builder exit code (undefined when detect failed). */
  readonly buildCode?: number;
  /** Builder output. */
  readonly buildOutput: string;
  /** group.toml text ("" when absent). */
  readonly group: string;
  /** plan.toml text. */
  readonly plan: string;
  /** This buildpack's launch.toml text. */
  readonly launch: string;
  /** `<layers>/config/metadata.toml` text. */
  readonly metadata: string;
}

/** Options of {@linkcode lifecycleBuild}. */
export interface BuildOptions {
  /** BP_* values, written as `<platform>/env/NAME`. */
  readonly env?: Record<string, string>;
  /** Buildpack API of poetry-run's buildpack.toml. */
  readonly api?: string;
  /** Stop after detect. */
  readonly detectOnly?: boolean;
}

async function exec(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(args[0] as string, {
    args: args.slice(1),
    env,
    clearEnv: true,
    ...(cwd === undefined ? {} : { cwd }),
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, output: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

const readOr = (path: string) => Deno.readTextFile(path).catch(() => "");

/**
 * Copies a fixture app, writes the buildpacks and order, runs `lifecycle detect`
 * then (when it passed) `lifecycle build` as uid 65534.
 *
 * @param fixture Name under tests/fixtures/apps, or an absolute directory.
 * @param opts Env, API, detect only.
 * @returns The outputs; dispose to remove the tree.
 */
export async function lifecycleBuild(fixture: string, opts: BuildOptions = {}): Promise<Build> {
  const root = await Deno.makeTempDir({ prefix: "poetry-run-it-" });
  const dispose = () => Deno.remove(root, { recursive: true }).catch(() => {});
  try {
    const app = join(root, "workspace");
    const layers = join(root, "layers");
    const platform = join(root, "platform");
    const bps = join(root, "buildpacks");
    const src = fixture.startsWith("/")
      ? fixture
      : join(REPO_ROOT, "tests", "fixtures", "apps", fixture);
    await cp(src, app, { recursive: true });
    for (const dir of [layers, join(platform, "env"), join(root, "tmp"), join(root, "home")]) {
      await Deno.mkdir(dir, { recursive: true });
    }
    const env = { POETRY_RUN_TOOLS_DIR: TOOLS_DIR, ...(opts.env ?? {}) };
    for (const [name, value] of Object.entries(env)) {
      await Deno.writeTextFile(join(platform, "env", name), value);
    }
    await writeDevBuildpack(join(bps, BP_DIR, "0.0.1"), {
      version: "0.0.1",
      denoDir: join(TOOLS_DIR, "deno_dir"),
      ...(opts.api === undefined ? {} : { api: opts.api }),
    });
    for (const provider of PROVIDERS) {
      await writeProvider(provider, join(bps, `test_${provider}`, "0.0.1"));
    }
    const order = join(root, "order.toml");
    await Deno.writeTextFile(order, orderToml());
    await exec(["chown", "-R", `${UID}:${UID}`, root], { PATH: "/usr/bin:/bin" });
    await Deno.chmod(root, 0o755);
    const lifecycle = join(TOOLS_DIR, "bin", "lifecycle");
    const asUser = ["setpriv", `--reuid=${UID}`, `--regid=${UID}`, "--clear-groups"];
    const lcEnv = {
      PATH: `/usr/local/bin:/usr/bin:/bin`,
      HOME: join(root, "home"),
      TMPDIR: join(root, "tmp"),
      CNB_PLATFORM_API: "0.15",
    };
    const common = [
      "-app",
      app,
      "-buildpacks",
      bps,
      "-layers",
      layers,
      "-platform",
      platform,
      "-log-level",
      "debug",
    ];
    const detect = await exec([...asUser, lifecycle, "detect", ...common, "-order", order], lcEnv);
    let buildCode: number | undefined;
    let buildOutput = "";
    if (detect.code === 0 && !opts.detectOnly) {
      const build = await exec([...asUser, lifecycle, "build", ...common], lcEnv);
      buildCode = build.code;
      buildOutput = build.output;
      if (build.code === 0) await dropNonLaunchLayers(layers);
    }
    return {
      root,
      app,
      layers,
      detectCode: detect.code,
      detectOutput: detect.output,
      ...(buildCode === undefined ? {} : { buildCode }),
      buildOutput,
      group: await readOr(join(layers, "group.toml")),
      plan: await readOr(join(layers, "plan.toml")),
      launch: await readOr(join(layers, BP_DIR, "launch.toml")),
      metadata: await readOr(join(layers, "config", "metadata.toml")),
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * Does what the exporter does for the launch image: only launch layers are
 * exported, so remove every layer directory whose `<layer>.toml` does not say
 * `[types] launch = true` (the launcher applies whatever layer directories it finds).
 *
 * @param layers The layers directory.
 */
async function dropNonLaunchLayers(layers: string): Promise<void> {
  for await (const bp of Deno.readDir(layers)) {
    if (!bp.isDirectory || bp.name === "config") continue;
    const dir = join(layers, bp.name);
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isDirectory) continue;
      const toml = await Deno.readTextFile(join(dir, `${entry.name}.toml`)).catch(() => "");
      const types = parseToml(toml).types as { launch?: boolean } | undefined;
      if (types?.launch !== true) await Deno.remove(join(dir, entry.name), { recursive: true });
    }
  }
}

/**
 * Runs a shell script (as the test's user), failing on a non-zero exit.
 *
 * @param script The script; its arguments are `$1`, `$2`, …
 * @param args Its arguments.
 * @returns Standard output and error.
 */
export async function sh(script: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("sh", { args: ["-c", script, "sh", ...args] }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`sh -c ${script}: ${text}`);
  return text;
}

/** The modification time the exporter gives every file of an image (lifecycle layers/writer.go). */
const EXPORTER_MTIME = "1980-01-01T00:00:01Z";

/**
 * Makes a build's files what an image holds: every file's modification time
 * the exporter's; the bytecode layer (when there is one) read-only.
 *
 * @param build The build.
 * @returns The bytecode layer's pyc tree (it may not exist).
 */
export async function asInAnImage(build: Build): Promise<string> {
  await sh(`find "$1" "$2" -exec touch -h -d "$3" {} +`, build.layers, build.app, EXPORTER_MTIME);
  const layer = join(build.layers, BP_DIR, "bytecode");
  await sh(`[ ! -d "$1" ] || chmod -R a-w "$1"`, layer);
  return join(layer, "pycache");
}

/** A running launched process. */
export interface Launched extends AsyncDisposable {
  /** The port it was told to listen on. */
  readonly port: number;
  /** Output so far. */
  readonly output: () => string;
}

/** Picks a free loopback port. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Options of {@linkcode launch}. */
export interface LaunchOptions {
  /** HOME of the process (default: the build's home directory). */
  readonly home?: string;
  /** More variables, as `docker run -e` would set them. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts a process type through the real launcher (argv[0] = type), as uid 65534,
 * with PORT and HOST=127.0.0.1. Dispose kills its whole process group.
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
  const port = freePort();
  const child = new Deno.Command("setpriv", {
    args: [`--reuid=${UID}`, `--regid=${UID}`, "--clear-groups", "setsid", join(proc, type)],
    env: {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: opts.home ?? join(build.root, "home"),
      CNB_PLATFORM_API: "0.15",
      CNB_LAYERS_DIR: build.layers,
      CNB_APP_DIR: build.app,
      PORT: String(port),
      HOST: "127.0.0.1",
      ...opts.env,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const dec = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output += dec.decode(chunk);
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  return {
    port,
    output: () => output,
    [Symbol.asyncDispose]: async () => {
      await killSession(child.pid);
      await Promise.race([child.status, sleep(10_000)]);
      await Promise.race([pumps.catch(() => {}), sleep(5_000)]);
    },
  };
}

/**
 * Runs a command in the app's launch environment, as `docker run --entrypoint
 * launcher <image> -- <command>` would: the real launcher, as uid 65534,
 * applying every launch layer's environment, then exec'ing the command directly.
 *
 * @param build The build.
 * @param command The program and its arguments.
 * @returns Exit code and combined output.
 */
export async function launchCommand(
  build: Build,
  command: readonly string[],
): Promise<{ code: number; output: string }> {
  return await exec(
    [
      "setpriv",
      `--reuid=${UID}`,
      `--regid=${UID}`,
      "--clear-groups",
      join(TOOLS_DIR, "bin", "launcher"),
      "--",
      ...command,
    ],
    {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: join(build.root, "home"),
      CNB_PLATFORM_API: "0.15",
      CNB_LAYERS_DIR: build.layers,
      CNB_APP_DIR: build.app,
    },
  );
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Kills every process of a session (SIGKILL). The launcher runs under `setsid`, so
 * its session holds it, watchexec, poetry and the app, even where watchexec gave its
 * command a process group of its own.
 */
async function killSession(sid: number): Promise<void> {
  await new Deno.Command("pkill", {
    args: ["-KILL", "-s", String(sid)],
    stdout: "null",
    stderr: "null",
  })
    .output();
}

/**
 * Polls `http://127.0.0.1:<port>/` until it answers 200 or the time runs out.
 *
 * @param port The port.
 * @param timeoutMs Bound on the wait.
 * @param differentFrom Keep polling while the body equals this.
 * @returns The body.
 */
export async function waitForHttp(
  port: number,
  timeoutMs = 60_000,
  differentFrom?: string,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
      const body = await res.text();
      if (res.status === 200 && body !== differentFrom) return body;
      last = `status ${res.status}: ${body}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no HTTP 200 on 127.0.0.1:${port} within ${timeoutMs} ms (last: ${last})`);
}

/**
 * Waits for a launched process's first HTTP 200 ({@linkcode waitForHttp});
 * a timeout's error carries the process's output.
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
    return await waitForHttp(proc.port, timeoutMs, differentFrom);
  } catch (error) {
    throw new Error(`${error}\n--- process output ---\n${proc.output()}`);
  }
}

/**
 * Parses TOML into plain JSON data.
 *
 * @param text TOML.
 * @returns Plain data.
 */
export function plainToml(text: string): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(parseToml(text), (_, v) => typeof v === "bigint" ? Number(v) : v),
  );
}

/**
 * The lifecycle's plan.toml as a sorted list of its entries (JSON each). The
 * lifecycle orders entries and their parts differently from run to run (a Go
 * map), so plans compare as sets.
 *
 * @param text plan.toml ("" for none).
 * @returns One JSON string per entry, sorted.
 */
export function planEntries(text: string): string[] {
  if (text === "") return [];
  const plan = plainToml(text) as {
    entries?: { providers?: unknown[]; requires?: unknown[] }[];
  };
  const sorted = (items: unknown[] = []) => items.map((i) => JSON.stringify(i)).sort();
  return (plan.entries ?? []).map((e) =>
    JSON.stringify({ providers: sorted(e.providers), requires: sorted(e.requires) })
  ).sort();
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
  const deadline = Date.now() + timeoutMs;
  while (!proc.output().includes(text) && Date.now() < deadline) await sleep(200);
}
