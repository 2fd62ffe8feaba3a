/**
 * End-to-end harness, modelled on libcnb-test: real `pack build` of real apps
 * with the packaged buildpack, then the images run in real containers.
 *
 * Everything is local (no registry is reachable): a dockerd of our own on a
 * private socket (stopped by its pid afterwards), a build and a run image
 * imported from the Debian bookworm root file systems that
 * `scripts/install-tools.sh e2e` prepares, a builder with the pinned
 * lifecycle, and `pack build --pull-policy never`. Builds run with
 * `--network none`: the stand-in providers install Poetry from wheels in the
 * build image and the apps have no dependencies.
 *
 * @module
 */
import { join } from "node:path";
import { testNeedingTools } from "./helpers.ts";
import { version } from "../../scripts/versions.ts";
import { must, type Output, output, sleep } from "./command.ts";
import { denoTaskArgs, TOOLS_DIR } from "./paths.ts";
import { PROVIDERS, writeProvider } from "./providers.ts";

const E2E_DIR = join(TOOLS_DIR, "e2e");
const PACK = join(TOOLS_DIR, "bin", "pack");
const BUILD_IMAGE = "poetry-run-e2e/build:bookworm";
const RUN_IMAGE = "poetry-run-e2e/run:bookworm";
const BUILDER = "poetry-run-e2e/builder:local";
const STACK_ID = "io.poetry-run.e2e.bookworm";

/** How long each step took, printed at the end of the suite. */
export const timings: { step: string; ms: number }[] = [];
/** Image sizes, printed at the end of the suite. */
export const sizes: { image: string; bytes: number; note: string }[] = [];

/**
 * Runs a step, recording and printing its time.
 *
 * @param step What it does.
 * @param fn The step.
 * @returns The step's result.
 */
export async function timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    const ms = performance.now() - start;
    timings.push({ step, ms });
    console.log(`    [e2e] ${step}: ${(ms / 1000).toFixed(1)} s`);
  }
}

function which(name: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((d) => {
    try {
      return Deno.statSync(join(d, name)).isFile;
    } catch {
      return false;
    }
  });
}

/**
 * Tells why the e2e suite cannot run here, or `undefined` when it can.
 *
 * @returns A reason.
 */
export function missingE2eTools(): string | undefined {
  if (Deno.uid() !== 0) {
    return "dockerd must be started as root (run the suite as root, as CI does)";
  }
  for (const cmd of ["dockerd", "docker"]) {
    if (!which(cmd)) return `${cmd} is not on PATH: run bash scripts/install-tools.sh e2e`;
  }
  for (
    const path of [
      PACK,
      join(E2E_DIR, "run.tar"),
      join(E2E_DIR, "build.tar"),
      join(E2E_DIR, "lifecycle.tgz"),
    ]
  ) {
    try {
      Deno.statSync(path);
    } catch {
      return `${path} is missing: run bash scripts/install-tools.sh e2e`;
    }
  }
  return undefined;
}

/**
 * Declares an e2e test: fails in CI when something it needs is missing, skips
 * with a printed reason on a laptop (`CI` unset).
 *
 * @param name Test name.
 * @param fn Body, given the suite.
 */
export function e2eTest(name: string, fn: (suite: Suite) => Promise<void>): void {
  testNeedingTools(name, missingE2eTools(), "e2e", async () => await fn(await e2eSuite()));
}

/** The started suite: the daemon, the builder, the packaged buildpack, the providers. */
export interface Suite {
  /** Runs the docker CLI against our daemon. */
  readonly docker: (args: readonly string[], timeoutMs?: number) => Promise<Output>;
  /** Runs pack against our daemon. */
  readonly pack: (args: readonly string[], timeoutMs?: number) => Promise<Output>;
  /** `build/buildpackage.cnb` of our buildpack, packaged with `--runtime deno`. */
  readonly buildpackage: string;
  /** Directories of the stand-in providers, by name. */
  readonly providers: Readonly<Record<string, string>>;
}

let started: Promise<Suite> | undefined;
let teardown: (() => Promise<void>) | undefined;

/**
 * Starts the suite once: dockerd, images, builder, package, providers.
 *
 * @returns The suite.
 */
export function e2eSuite(): Promise<Suite> {
  started ??= setUp();
  return started;
}

/**
 * Stops the suite (prunes replaced images, stops dockerd, removes its files)
 * and prints the step times and image sizes.
 */
export async function finishSuite(): Promise<void> {
  const stop = teardown;
  teardown = undefined;
  started = undefined;
  if (stop !== undefined) await stop();
  if (timings.length > 0) {
    console.log("\n[e2e] step times");
    for (const t of timings) console.log(`  ${(t.ms / 1000).toFixed(1).padStart(7)} s  ${t.step}`);
  }
  if (sizes.length > 0) {
    console.log("[e2e] image sizes");
    for (const s of sizes) {
      console.log(`  ${(s.bytes / 1024 / 1024).toFixed(1).padStart(7)} MiB  ${s.image}  ${s.note}`);
    }
  }
}

function command(
  cmd: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<Output> {
  return output(cmd, args, { env, timeoutMs });
}

async function setUp(): Promise<Suite> {
  // A short path: the socket's path must fit in a sockaddr_un (108 bytes).
  const root = await Deno.makeTempDir({ dir: "/tmp", prefix: "pr-e2e-" });
  const sock = join(root, "docker.sock");
  const env = {
    DOCKER_HOST: `unix://${sock}`,
    PACK_HOME: join(root, "pack-home"),
    PACK_VOLUME_KEY: "poetry-run-e2e",
  };
  const daemon = await timed("start dockerd (private socket)", () => startDockerd(root, sock));
  teardown = async () => {
    // Images persist in the tools directory between runs; drop the ones this run replaced.
    await command("docker", ["image", "prune", "-f"], env, 120_000).catch(() => {});
    await timed("stop dockerd", () => daemon.stop());
    // dockerd leaves its exec root's netns/default bind mount behind.
    await command(
      "sh",
      [
        "-c",
        `awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r umount`,
        "sh",
        root,
      ],
      {},
      30_000,
    );
    await Deno.remove(root, { recursive: true });
  };
  const docker = (args: readonly string[], timeoutMs = 120_000) =>
    command("docker", args, env, timeoutMs);
  const pack = (args: readonly string[], timeoutMs = 600_000) =>
    command(PACK, args, env, timeoutMs);

  await timed("import the build and run images", async () => {
    await importImage(docker, join(E2E_DIR, "run.tar"), RUN_IMAGE);
    await importImage(docker, join(E2E_DIR, "build.tar"), BUILD_IMAGE);
  });
  await timed(
    `pack builder create (lifecycle v${version("LIFECYCLE")} from a local archive)`,
    async () => {
      const config = join(root, "builder.toml");
      await Deno.writeTextFile(
        config,
        `description = "poetry-run end-to-end builder"\n` +
          `[stack]\n  id = "${STACK_ID}"\n  build-image = "${BUILD_IMAGE}"\n  run-image = "${RUN_IMAGE}"\n` +
          `[build]\n  image = "${BUILD_IMAGE}"\n[run]\n[[run.images]]\n  image = "${RUN_IMAGE}"\n` +
          `[lifecycle]\n  uri = "${join(E2E_DIR, "lifecycle.tgz")}"\n`,
      );
      must(
        "pack builder create",
        await pack(["builder", "create", BUILDER, "--config", config, "--pull-policy", "never"]),
      );
    },
  );
  const buildpackage = await timed(
    "deno task package --runtime deno (.cnb with pack)",
    async () => {
      const output = join(root, "package");
      const out = await command(
        Deno.execPath(),
        denoTaskArgs("package", [
          "--version",
          "0.0.1",
          "--runtime",
          "deno",
          "--target",
          "linux/amd64",
          "--output",
          output,
        ]),
        { PACK },
        600_000,
      );
      must("deno task package", out);
      return join(output, "buildpackage.cnb");
    },
  );
  const providers: Record<string, string> = {};
  for (const name of PROVIDERS) {
    providers[name] = await writeProvider(name, join(root, "providers", name));
  }
  return { docker, pack, buildpackage, providers };
}

/** A dockerd of our own, as root, on a private socket; images persist in the tools dir. */
async function startDockerd(root: string, sock: string): Promise<{ stop: () => Promise<void> }> {
  const log = join(root, "dockerd.log");
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      `exec dockerd --data-root "$1" --exec-root "$2" --pidfile "$3" --host "unix://$4" ` +
      `--iptables=false --bridge=none >"$5" 2>&1`,
      "dockerd",
      join(TOOLS_DIR, "docker"),
      join(root, "exec"),
      join(root, "dockerd.pid"),
      sock,
      log,
    ],
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
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    const v = await command("docker", ["version", "--format", "{{.Server.Version}}"], {
      DOCKER_HOST: `unix://${sock}`,
    }, 10_000).catch(() => undefined);
    if (v?.code === 0) return { stop };
    await sleep(250);
  }
  await stop();
  const tail = (await Deno.readTextFile(log).catch(() => "")).split("\n").slice(-15).join("\n");
  throw new Error(`dockerd did not answer on ${sock} within 60 s:\n${tail}`);
}

/** Imports a root file system as an image with the labels and user a CNB stack needs. */
async function importImage(
  docker: Suite["docker"],
  tar: string,
  image: string,
): Promise<void> {
  const info = await Deno.stat(tar);
  const source = `${info.size}-${info.mtime?.getTime()}`;
  const have = await docker([
    "image",
    "inspect",
    "-f",
    '{{index .Config.Labels "io.poetry-run.e2e.source"}}',
    image,
  ]);
  if (have.code === 0 && have.stdout.trim() === source) return;
  must(
    `docker import ${image}`,
    await docker([
      "import",
      ...[
        "ENV CNB_USER_ID=1000",
        "ENV CNB_GROUP_ID=1000",
        "USER 1000:1000",
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        `LABEL io.buildpacks.stack.id=${STACK_ID}`,
        "LABEL io.buildpacks.base.distro.name=debian",
        "LABEL io.buildpacks.base.distro.version=12",
        `LABEL io.poetry-run.e2e.source=${source}`,
      ].flatMap((c) => ["--change", c]),
      tar,
      image,
    ], 300_000),
  );
}

/** Options of {@linkcode packBuild}. */
export interface PackBuildOptions {
  /** The app directory. */
  readonly app: string;
  /** `--env` values for the build. */
  readonly env?: Record<string, string>;
  /** Also run the watchexec stand-in (live reload). */
  readonly watchexec?: boolean;
}

/**
 * Runs the seed's command for real: `pack build <image> --builder <local>
 * --pull-policy never -b <providers…> -b <buildpackage.cnb>`.
 *
 * @param suite The suite.
 * @param image The image name.
 * @param opts App, env, live reload.
 * @returns pack's output (the caller asserts on the exit code).
 */
export async function packBuild(
  suite: Suite,
  image: string,
  opts: PackBuildOptions,
): Promise<Output> {
  const providers = [
    "cpython",
    "poetry",
    "poetry-install",
    ...(opts.watchexec ? ["watchexec"] : []),
  ];
  return await timed(`pack build ${image}`, () =>
    suite.pack([
      "build",
      image,
      "--builder",
      BUILDER,
      "--pull-policy",
      "never",
      "--trust-builder",
      "--trust-extra-buildpacks",
      "--docker-host",
      "inherit",
      "--network",
      "none",
      "--path",
      opts.app,
      ...providers.flatMap((p) => ["-b", suite.providers[p] as string]),
      "-b",
      suite.buildpackage,
      ...Object.entries(opts.env ?? {}).flatMap(([k, v]) => ["--env", `${k}=${v}`]),
    ]));
}

/**
 * An image's size, recorded for the report (once per image).
 *
 * @param suite The suite.
 * @param image The image.
 * @param note What it is.
 * @returns Bytes.
 */
export async function imageSize(suite: Suite, image: string, note = ""): Promise<number> {
  const out = must(
    "docker image inspect",
    await suite.docker(["image", "inspect", "-f", "{{.Size}}", image]),
  );
  const bytes = Number(out.stdout.trim());
  if (!sizes.some((s) => s.image === image)) sizes.push({ image, bytes, note });
  return bytes;
}

/**
 * The launch layers the lifecycle exported, as `<buildpack id>:<layer>`.
 *
 * @param suite The suite.
 * @param image The image.
 * @returns Sorted layer names.
 */
export async function launchLayers(suite: Suite, image: string): Promise<string[]> {
  const out = must(
    "docker image inspect",
    await suite.docker([
      "image",
      "inspect",
      "-f",
      '{{index .Config.Labels "io.buildpacks.lifecycle.metadata"}}',
      image,
    ]),
  );
  const md = JSON.parse(out.stdout) as {
    buildpacks?: { key: string; layers?: Record<string, unknown> }[];
  };
  return (md.buildpacks ?? []).flatMap((b) =>
    Object.keys(b.layers ?? {}).map((l) => `${b.key}:${l}`)
  )
    .sort();
}

/** A running container. */
export interface Container extends AsyncDisposable {
  /** Its id. */
  readonly id: string;
  /** The loopback port its app was told to listen on. */
  readonly port: number;
  /** Its output so far. */
  readonly logs: () => Promise<string>;
}

/**
 * Starts a container of the image on the host's network namespace with
 * `HOST=127.0.0.1` and a free `PORT`, so the app listens on loopback only.
 *
 * @param suite The suite.
 * @param image The image.
 * @param port The port.
 * @param extra More `docker run` options (before the image).
 * @returns The container; dispose removes it.
 */
export async function runContainer(
  suite: Suite,
  image: string,
  port: number,
  extra: readonly string[] = [],
): Promise<Container> {
  const out = must(
    `docker run ${image}`,
    await suite.docker([
      "run",
      "-d",
      "--network",
      "host",
      "-e",
      `PORT=${port}`,
      "-e",
      "HOST=127.0.0.1",
      ...extra,
      image,
    ]),
  );
  const id = out.stdout.trim();
  return {
    id,
    port,
    logs: async () => {
      const l = await suite.docker(["logs", id]);
      return l.stdout + l.stderr;
    },
    [Symbol.asyncDispose]: async () => {
      await suite.docker(["rm", "-f", id]);
    },
  };
}
