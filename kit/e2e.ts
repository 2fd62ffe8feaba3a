/**
 * End-to-end harness, modelled on libcnb-test: real `pack build` of real apps
 * with the packaged buildpack, then the images run in real containers.
 *
 * The main path is the one platforms take: the buildpack published to a
 * registry as a multi-arch image index (`deno task package --publish`), a
 * builder in the registry that references every buildpack by `docker://`
 * URI and carries the Python composite's Poetry groups, and pack's untrusted
 * five-phase flow with a lifecycle image, publishing the app image; the image
 * is then pulled and run. A second path keeps the daemon-only flow a laptop
 * user takes (a trusted local builder, `-b` flags, the `.cnb` file).
 *
 * Everything is local: a dockerd of our own on a private socket and a
 * registry on a loopback port (both stopped by their pids afterwards), build,
 * run and lifecycle images imported from root file systems that
 * `scripts/install-tools.sh e2e` prepares. Builds run with the host's network
 * (to reach the registry) or none (the daemon flow): the stand-in providers
 * install Poetry from wheels in the build image and the apps have no
 * dependencies.
 *
 * A test file makes one suite with {@linkcode e2eSuite}; its state lives in
 * that object, started at its first test and stopped by its `finish`.
 *
 * @module
 */
import { join } from "node:path";
import { version } from "./versions.ts";
import { parseToml } from "../src/cnb/toml.ts";
import { must, type Output, output } from "./command.ts";
import { type Daemon, startDaemon } from "./daemon.ts";
import { lookPath } from "../src/cnb/launch_env.ts";
import { denoTaskArgs, TOOLS_DIR } from "./paths.ts";
import { CA_BUNDLE } from "./pypi.ts";
import {
  type Member,
  orderToml,
  PACKAGE_MANAGERS_GROUP,
  type Provider,
  PROVIDER_VERSION,
  PROVIDERS,
  providersOf,
  PYTHON_ORDER,
  writeProvider,
} from "./providers.ts";
import { type Registry, startRegistry } from "./registry.ts";
import { DEFAULT_PORT, freePort, waitForHttp } from "./http.ts";
import { missingPath } from "./files.ts";

const E2E_DIR = join(TOOLS_DIR, "e2e");
/** The pack the tools directory holds. */
export const PACK: string = join(TOOLS_DIR, "bin", "pack");
const STACK_ID = "io.poetry-run.e2e.bookworm";

/** The version the suite packages this buildpack as. */
export const BUILDPACK_VERSION = "0.0.1";

/** The targets the suite packages and publishes. */
export const TARGETS = ["linux/amd64", "linux/arm64"] as const;

/** The images in the daemon (imported) and, pushed, in the registry. */
const IMAGES = {
  build: "poetry-run-e2e/build:bookworm",
  run: "poetry-run-e2e/run:bookworm",
  lifecycle: `poetry-run-e2e/lifecycle:${version("LIFECYCLE")}`,
  localBuilder: "poetry-run-e2e/builder:local",
} as const;

/**
 * Tells why the e2e suite cannot run here, or `undefined` when it can.
 *
 * @returns A reason.
 */
export function missingE2eTools(): string | undefined {
  if (Deno.uid() !== 0) {
    return "dockerd must be started as root (run the suite as root, as CI does)";
  }
  for (const cmd of ["dockerd", "docker", "docker-registry", "qemu-aarch64-static"]) {
    if (lookPath(cmd, Deno.env.get("PATH"), Deno.cwd()) === undefined) {
      return `${cmd} is not on PATH: run bash scripts/install-tools.sh e2e`;
    }
  }
  return missingPath([
    PACK,
    join(E2E_DIR, "run.tar"),
    join(E2E_DIR, "build.tar"),
    join(E2E_DIR, "lifecycle.tgz"),
    join(E2E_DIR, "lifecycle.toml"),
    join(E2E_DIR, "lifecycle-image.tar"),
    join(TOOLS_DIR, "arm64-root", "lib", "ld-linux-aarch64.so.1"),
  ], "bash scripts/install-tools.sh e2e");
}

/** The started suite: the daemons, the images, the builders, the package, the providers. */
export interface Suite {
  /** A directory removed when the suite stops. */
  readonly root: string;
  /** Runs the docker CLI against our daemon (with text on its stdin, if given). */
  readonly docker: (
    args: readonly string[],
    timeoutMs?: number,
    input?: string,
  ) => Promise<Output>;
  /** Runs pack against our daemon. */
  readonly pack: (args: readonly string[], timeoutMs?: number) => Promise<Output>;
  /** The registry. */
  readonly registry: Registry;
  /** `deno task package`'s output directory (buildpack/, the .cnb files). */
  readonly packageDir: string;
  /** The linux/amd64 `.cnb` of this buildpack, packaged with `--runtime deno`. */
  readonly buildpackage: string;
  /** This buildpack's image index in the registry, as `deno task package --publish` pushed it. */
  readonly published: string;
  /** The stand-ins' directories, by name. */
  readonly providers: Readonly<Record<Provider, string>>;
  /** The trusted local builder (daemon only, no order: buildpacks come by `-b`). */
  readonly localBuilder: string;
  /** The builder in the registry: every buildpack by `docker://` URI, Paketo's Python order. */
  readonly builder: string;
  /**
   * A builder with the consolidated group alone (cpython,
   * python-package-managers-install, -run, poetry-run, procfile?): in the
   * Python order an app only reaches it when the two groups before fail.
   */
  readonly managersBuilder: string;
  /** The lifecycle image in the registry, for pack's untrusted flow. */
  readonly lifecycleImage: string;
  /** Runs a step, recording and printing its time. */
  readonly timed: <T>(step: string, fn: () => Promise<T>) => Promise<T>;
  /** Records an image's size for the report (once per image). */
  readonly recordSize: (image: string, bytes: number, note: string) => void;
}

/** A started suite; dispose stops it (daemons, files) and prints its step times and sizes. */
export interface StartedSuite extends Suite, AsyncDisposable {}

/**
 * Starts a suite: dockerd, the registry, the images, the package, the
 * stand-ins, the builders. What it started is stopped again when a step fails.
 *
 * @example Usage
 * ```ts
 * import { startSuite } from "./e2e.ts";
 * await using suite = await startSuite();
 * ```
 *
 * @returns The suite.
 */
export async function startSuite(): Promise<StartedSuite> {
  const timings: { step: string; ms: number }[] = [];
  const sizes: { image: string; bytes: number; note: string }[] = [];
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      const ms = performance.now() - start;
      timings.push({ step, ms });
      console.log(`    [e2e] ${step}: ${(ms / 1000).toFixed(1)} s`);
    }
  };
  const recordSize = (image: string, bytes: number, note: string) => {
    if (!sizes.some((s) => s.image === image)) sizes.push({ image, bytes, note });
  };
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn();
    if (timings.length > 0) {
      console.log("\n[e2e] step times");
      for (const t of timings) {
        console.log(`  ${(t.ms / 1000).toFixed(1).padStart(7)} s  ${t.step}`);
      }
    }
    if (sizes.length > 0) {
      console.log("[e2e] image sizes");
      for (const s of sizes) {
        console.log(
          `  ${(s.bytes / 1024 / 1024).toFixed(1).padStart(7)} MiB  ${s.image}  ${s.note}`,
        );
      }
    }
  };
  try {
    const suite = await setUp(timed, recordSize, stops);
    return { ...suite, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function setUp(
  timed: Suite["timed"],
  recordSize: Suite["recordSize"],
  stops: (() => Promise<void>)[],
): Promise<Suite> {
  // A short path: the socket's path must fit in a sockaddr_un (108 bytes).
  const root = await Deno.makeTempDir({ dir: "/tmp", prefix: "pr-e2e-" });
  stops.push(() => Deno.remove(root, { recursive: true }));
  const sock = join(root, "docker.sock");
  const env = {
    DOCKER_HOST: `unix://${sock}`,
    PACK_HOME: join(root, "pack-home"),
    PACK_VOLUME_KEY: "poetry-run-e2e",
  };
  const docker = (args: readonly string[], timeoutMs = 120_000, input?: string) =>
    output("docker", args, { env, timeoutMs, ...(input === undefined ? {} : { input }) });
  const pack = (args: readonly string[], timeoutMs = 600_000) =>
    output(PACK, args, { env, timeoutMs });

  const dockerd = await timed("start dockerd (private socket)", () => startDockerd(root, sock));
  stops.push(async () => {
    // Images persist in the tools directory between runs; drop the ones this run replaced.
    await docker(["image", "prune", "-f"]).catch(() => {});
    await timed("stop dockerd", dockerd.stop);
    // dockerd leaves its exec root's netns/default bind mount behind.
    await output("sh", [
      "-c",
      `awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r umount`,
      "sh",
      root,
    ], { timeoutMs: 30_000 });
  });
  const registry = await timed(
    "start docker-registry (127.0.0.1:80)",
    () => startRegistry(join(root, "registry")),
  );
  stops.push(() => timed("stop docker-registry", registry.daemon.stop));
  const inRegistry = (image: string) => `${registry.host}/${image}`;

  await timed("import the build, run and lifecycle images; push them", async () => {
    await importImage(docker, join(E2E_DIR, "run.tar"), IMAGES.run, stackImage());
    await importImage(docker, join(E2E_DIR, "build.tar"), IMAGES.build, stackImage());
    await importImage(
      docker,
      join(E2E_DIR, "lifecycle-image.tar"),
      IMAGES.lifecycle,
      await lifecycleImage(),
    );
    for (const image of [IMAGES.run, IMAGES.build, IMAGES.lifecycle]) {
      must(`docker tag ${image}`, await docker(["tag", image, inRegistry(image)]));
      must(`docker push ${image}`, await docker(["push", inRegistry(image)], 300_000));
    }
  });

  const packageDir = join(root, "package");
  const published = inRegistry(`poetry-run:${BUILDPACK_VERSION}`);
  await timed(
    `deno task package --runtime deno --target ${TARGETS.join(",")} --publish ${published}`,
    () => packageAndPublish(packageDir, published, env.PACK_HOME),
  );

  const providers = {} as Record<Provider, string>;
  await timed("pack buildpack package --publish, every stand-in", async () => {
    await Promise.all(PROVIDERS.map(async (name) => {
      providers[name] = await writeProvider(name, join(root, "providers", name));
      must(
        `publish ${name}`,
        await pack([
          "buildpack",
          "package",
          inRegistry(`test/${name}:${PROVIDER_VERSION}`),
          "--path",
          providers[name],
          "--publish",
        ]),
      );
    }));
  });

  const lifecycleArchive = join(E2E_DIR, "lifecycle.tgz");
  await timed(`pack builder create ${IMAGES.localBuilder} (trusted, daemon)`, async () => {
    const config = join(root, "builder-local.toml");
    await Deno.writeTextFile(
      config,
      builderToml({ build: IMAGES.build, run: IMAGES.run, lifecycle: lifecycleArchive }),
    );
    must(
      "pack builder create",
      await pack([
        "builder",
        "create",
        IMAGES.localBuilder,
        "--config",
        config,
        "--pull-policy",
        "never",
      ]),
    );
  });
  const publishBuilder = (name: string, groups: readonly (readonly Member[])[], what: string) =>
    timed(`pack builder create ${inRegistry(name)} --publish (${what})`, async () => {
      const config = join(root, `${name.replace(/\W/g, "_")}.toml`);
      await Deno.writeTextFile(
        config,
        builderToml({
          build: inRegistry(IMAGES.build),
          run: inRegistry(IMAGES.run),
          lifecycle: lifecycleArchive,
          buildpacks: [
            ...providersOf(groups).map((p) =>
              `docker://${inRegistry(`test/${p}:${PROVIDER_VERSION}`)}`
            ),
            `docker://${published}`,
          ],
          order: orderToml(groups, BUILDPACK_VERSION),
        }),
      );
      must(
        "pack builder create --publish",
        await pack(["builder", "create", inRegistry(name), "--config", config, "--publish"]),
      );
      return inRegistry(name);
    });
  const builder = await publishBuilder(
    `builder:${BUILDPACK_VERSION}`,
    PYTHON_ORDER,
    "Paketo Python's three Poetry groups",
  );
  const managersBuilder = await publishBuilder(
    `builder-managers:${BUILDPACK_VERSION}`,
    [PACKAGE_MANAGERS_GROUP],
    "the consolidated group alone",
  );
  return {
    root,
    docker,
    pack,
    registry,
    packageDir,
    buildpackage: join(packageDir, "buildpackage-linux-amd64.cnb"),
    published,
    providers,
    localBuilder: IMAGES.localBuilder,
    builder,
    managersBuilder,
    lifecycleImage: inRegistry(IMAGES.lifecycle),
    timed,
    recordSize,
  };
}

/**
 * `deno task package` as a publisher runs it: `--runtime deno` (what can be
 * built here), both targets, `--publish`.
 *
 * @param out The output directory.
 * @param ref The image reference to publish to.
 * @param packHome pack's home (its manifest store), when not the default.
 * @returns The task's output.
 * @throws {Error} When the task fails.
 */
export async function packageAndPublish(
  out: string,
  ref: string,
  packHome?: string,
): Promise<Output> {
  const args = ["--version", BUILDPACK_VERSION, "--runtime", "deno", "--target", TARGETS.join(",")];
  return must(
    `deno task package --publish ${ref}`,
    await output(
      Deno.execPath(),
      denoTaskArgs("package", [...args, "--output", out, "--publish", ref]),
      {
        env: { PACK, ...(packHome === undefined ? {} : { PACK_HOME: packHome }) },
        timeoutMs: 600_000,
      },
    ),
  );
}

/** What builder.toml says. */
export interface BuilderConfig {
  /** The build image. */
  readonly build: string;
  /** The run image. */
  readonly run: string;
  /** The lifecycle archive (the builder's own lifecycle). */
  readonly lifecycle: string;
  /** `[[buildpacks]]` URIs. */
  readonly buildpacks?: readonly string[];
  /** `[[order]]` tables (from {@linkcode orderToml}). */
  readonly order?: string;
}

/**
 * builder.toml: the build and run images (also as the deprecated `[stack]`,
 * which pack still reads), the lifecycle, and optionally buildpacks and order.
 *
 * @param config What it holds.
 * @returns The TOML text.
 */
export function builderToml(config: BuilderConfig): string {
  return `description = "poetry-run end-to-end builder"\n` +
    (config.buildpacks ?? []).map((uri) => `[[buildpacks]]\n  uri = "${uri}"\n`).join("") +
    (config.order === undefined ? "" : `${config.order}\n`) +
    `[stack]\n  id = "${STACK_ID}"\n  build-image = "${config.build}"\n  run-image = "${config.run}"\n` +
    `[build]\n  image = "${config.build}"\n[run]\n[[run.images]]\n  image = "${config.run}"\n` +
    `[lifecycle]\n  uri = "${config.lifecycle}"\n`;
}

/** A dockerd of our own, as root, on a private socket; images persist in the tools dir. */
function startDockerd(root: string, sock: string): Promise<Daemon> {
  return startDaemon({
    name: `dockerd on ${sock}`,
    cmd: "dockerd",
    args: [
      "--data-root",
      join(TOOLS_DIR, "docker"),
      "--exec-root",
      join(root, "exec"),
      "--pidfile",
      join(root, "dockerd.pid"),
      "--host",
      `unix://${sock}`,
      "--iptables=false",
      "--bridge=none",
    ],
    log: join(root, "dockerd.log"),
    ready: async () =>
      (await output("docker", ["version", "--format", "{{.Server.Version}}"], {
        env: { DOCKER_HOST: `unix://${sock}` },
        timeoutMs: 10_000,
      })).code === 0,
  });
}

/** `docker import --change` lines of the build and run images: a CNB stack's user and labels. */
function stackImage(): string[] {
  return [
    "ENV CNB_USER_ID=1000",
    "ENV CNB_GROUP_ID=1000",
    "USER 1000:1000",
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    `LABEL io.buildpacks.stack.id=${STACK_ID}`,
    "LABEL io.buildpacks.base.distro.name=debian",
    "LABEL io.buildpacks.base.distro.version=12",
  ];
}

/**
 * The lifecycle image's labels: its version, and its APIs as the JSON of
 * lifecycle.toml's `[apis]`, quoted with escaped quotes (unquoted, Docker
 * strips them and pack cannot read the label).
 */
async function lifecycleImage(): Promise<string[]> {
  const toml = parseToml(await Deno.readTextFile(join(E2E_DIR, "lifecycle.toml")));
  const apis = JSON.stringify(toml.apis);
  return [
    `LABEL io.buildpacks.lifecycle.version=${version("LIFECYCLE")}`,
    `LABEL io.buildpacks.lifecycle.apis="${apis.replaceAll('"', '\\"')}"`,
  ];
}

/** Imports a root file system as an image (again only when the tar changed). */
async function importImage(
  docker: Suite["docker"],
  tar: string,
  image: string,
  changes: readonly string[],
): Promise<void> {
  const info = await Deno.stat(tar);
  const source = `${info.size}-${info.mtime?.getTime()}-${changes.length}`;
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
      ...[...changes, `LABEL io.poetry-run.e2e.source=${source}`].flatMap((c) => ["--change", c]),
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
  /**
   * The app's dependencies are real packages from PyPI: the build containers
   * get the host's CA bundle (mounted, named by `REQUESTS_CA_BUNDLE`) for Poetry.
   */
  readonly fromPyPI?: boolean;
  /** More pack arguments (`--clear-cache`, …). */
  readonly extra?: readonly string[];
}

/** Where the host's CA bundle is mounted in a build container for Poetry. */
const CONTAINER_CA = "/etc/poetry-run-test/ca-certificates.crt";

/** pack options for an app whose dependencies come from PyPI. */
function pypiFlags(opts: PackBuildOptions): string[] {
  return opts.fromPyPI
    ? ["--volume", `${CA_BUNDLE}:${CONTAINER_CA}:ro`, "--env", `REQUESTS_CA_BUNDLE=${CONTAINER_CA}`]
    : [];
}

const envFlags = (env: Record<string, string> = {}) =>
  Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]);

/**
 * The daemon flow a laptop user takes: `pack build <image> --builder <local>
 * --pull-policy never -b <stand-ins…> -b <buildpackage.cnb>`, trusted, with
 * no network.
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
  const providers: Provider[] = [
    ...(opts.watchexec ? ["watchexec" as const] : []),
    "cpython",
    "pip",
    "poetry",
    "poetry-install",
  ];
  return await suite.timed(`pack build ${image} (trusted, daemon, -b)`, () =>
    suite.pack([
      "build",
      image,
      "--builder",
      suite.localBuilder,
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
      ...providers.flatMap((p) => ["-b", suite.providers[p]]),
      "-b",
      suite.buildpackage,
      ...envFlags(opts.env),
      ...opts.extra ?? [],
    ]));
}

/**
 * The flow platforms take: `pack build <registry>/<name> --builder
 * <registry builder> --lifecycle-image <registry lifecycle> --publish`, no
 * `-b`, not trusted (pack runs the five phases in separate containers), then
 * `docker pull`.
 *
 * @param suite The suite.
 * @param name The app image's repository and tag in the registry.
 * @param opts App, env, and another builder than the one with Paketo's order.
 * @returns pack's output (the caller asserts on the exit code) and the image reference.
 */
export async function packBuildPublished(
  suite: Suite,
  name: string,
  opts: Omit<PackBuildOptions, "watchexec"> & { readonly builder?: string },
): Promise<{ readonly built: Output; readonly image: string }> {
  const image = `${suite.registry.host}/${name}`;
  const built = await suite.timed(
    `pack build ${image} --publish (untrusted, registry)`,
    () =>
      suite.pack([
        "build",
        image,
        "--builder",
        opts.builder ?? suite.builder,
        "--lifecycle-image",
        suite.lifecycleImage,
        "--publish",
        "--docker-host",
        "inherit",
        "--network",
        "host",
        "--path",
        opts.app,
        ...envFlags(opts.env),
        ...pypiFlags(opts),
        ...opts.extra ?? [],
      ]),
  );
  if (built.code === 0) {
    must(`docker pull ${image}`, await suite.docker(["pull", image], 300_000));
  }
  return { built, image };
}

/**
 * An image's size, recorded for the report.
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
  suite.recordSize(image, bytes, note);
  return bytes;
}

/**
 * A label of an image in the daemon, parsed as JSON.
 *
 * @param suite The suite.
 * @param image The image.
 * @param label The label.
 * @returns Its value.
 */
export async function imageLabel(suite: Suite, image: string, label: string): Promise<unknown> {
  const out = must(
    "docker image inspect",
    await suite.docker(["image", "inspect", "-f", `{{index .Config.Labels "${label}"}}`, image]),
  );
  return JSON.parse(out.stdout);
}

/**
 * The launch layers the lifecycle exported, as `<buildpack id>:<layer>`.
 *
 * @param suite The suite.
 * @param image The image.
 * @returns Sorted layer names.
 */
export async function launchLayers(suite: Suite, image: string): Promise<string[]> {
  const md = await imageLabel(suite, image, "io.buildpacks.lifecycle.metadata") as {
    buildpacks?: { key: string; layers?: Record<string, unknown> }[];
  };
  return (md.buildpacks ?? []).flatMap((b) =>
    Object.keys(b.layers ?? {}).map((l) => `${b.key}:${l}`)
  ).sort();
}

/**
 * The group that built the image, as the lifecycle recorded it
 * (`io.buildpacks.build.metadata`).
 *
 * @param suite The suite.
 * @param image The image.
 * @returns `<id>@<version>`, in group order.
 */
export async function imageGroup(suite: Suite, image: string): Promise<string[]> {
  const md = await imageLabel(suite, image, "io.buildpacks.build.metadata") as {
    buildpacks?: { id: string; version: string }[];
  };
  return (md.buildpacks ?? []).map((b) => `${b.id}@${b.version}`);
}

/** A process of an image, as the lifecycle recorded it. */
export interface ImageProcess {
  /** Its type. */
  readonly type: string;
  /** Its command and arguments. */
  readonly argv: readonly string[];
  /** Which buildpack made it. */
  readonly buildpackID: string;
}

/**
 * The image's processes (`io.buildpacks.build.metadata`).
 *
 * @param suite The suite.
 * @param image The image.
 * @returns The processes.
 */
export async function imageProcesses(suite: Suite, image: string): Promise<ImageProcess[]> {
  const md = await imageLabel(suite, image, "io.buildpacks.build.metadata") as {
    processes?: {
      type: string;
      command: string | string[];
      args?: string[] | null;
      buildpackID: string;
    }[];
  };
  return (md.processes ?? []).map((p) => ({
    type: p.type,
    argv: [...[p.command].flat(), ...(p.args ?? [])],
    buildpackID: p.buildpackID,
  }));
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
 * `HOST=127.0.0.1` and `PORT` (or none: an inferred command then listens on
 * 8080, on all interfaces).
 *
 * @param suite The suite.
 * @param image The image.
 * @param port The port, or `"unset"` for no `PORT`.
 * @param extra More `docker run` options (before the image).
 * @returns The container; dispose removes it.
 */
export async function runContainer(
  suite: Suite,
  image: string,
  port: number | "unset",
  extra: readonly string[] = [],
): Promise<Container> {
  const out = must(
    `docker run ${image}`,
    await suite.docker([
      "run",
      "-d",
      "--network",
      "host",
      ...(port === "unset" ? [] : ["-e", `PORT=${port}`]),
      "-e",
      "HOST=127.0.0.1",
      ...extra,
      image,
    ]),
  );
  const id = out.stdout.trim();
  return {
    id,
    port: port === "unset" ? DEFAULT_PORT : port,
    logs: async () => {
      const l = await suite.docker(["logs", id]);
      return l.stdout + l.stderr;
    },
    [Symbol.asyncDispose]: async () => {
      await suite.docker(["rm", "-f", id]);
    },
  };
}

/**
 * Starts a container of the image and waits for its first HTTP 200; on a
 * timeout, the error carries the container's output and the container is
 * removed.
 *
 * @param suite The suite.
 * @param image The image.
 * @param extra More `docker run` options.
 * @returns The container (dispose removes it) and the body.
 */
export async function serve(
  suite: Suite,
  image: string,
  extra: readonly string[] = [],
): Promise<[Container, string]> {
  const c = await runContainer(suite, image, freePort(), extra);
  try {
    const { body } = await waitForHttp(c.port);
    return [c, body];
  } catch (error) {
    const logs = await c.logs();
    await c[Symbol.asyncDispose]();
    throw new Error(`${error}\n--- container output ---\n${logs}`);
  }
}

/**
 * The pycs a container wrote (`docker diff`): none when the image's bytecode
 * layer has all it imports.
 *
 * @param suite The suite.
 * @param c The container.
 * @returns The paths.
 */
export async function writtenPycs(suite: Suite, c: Container): Promise<string[]> {
  const diff = must("docker diff", await suite.docker(["diff", c.id]));
  return diff.stdout.split("\n").filter((l) => l.endsWith(".pyc"));
}
