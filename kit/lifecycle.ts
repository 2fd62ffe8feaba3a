/**
 * The real CNB lifecycle (v0.21 detector and builder, built by
 * scripts/install-tools.sh) on the host, as an unprivileged user, against an
 * order of Paketo Python's Poetry group (tests/providers' stand-ins and this
 * buildpack: watchexec?, cpython, pip, poetry, poetry-install, poetry-run,
 * procfile?), and what an image would
 * hold afterwards.
 *
 * @module
 */
import { join } from "node:path";
import { writeDevBuildpack } from "./dev_buildpack.ts";
import { parseToml } from "../src/cnb/toml.ts";
import { output, sh } from "./command.ts";
import { FIXTURES } from "./fixtures.ts";
import { lifecycleLayout } from "./layout.ts";
import { CA_BUNDLE, lockAgainstPyPI } from "./pypi.ts";
import { BUILDPACK_DIR_NAME, TOOLS_DIR } from "./paths.ts";
import {
  type Member,
  orderToml,
  POETRY_GROUP,
  PROVIDER_VERSION,
  providersOf,
  writeProvider,
} from "./providers.ts";
import { missingPath } from "./files.ts";

/** The unprivileged user the lifecycle runs as (it refuses root). */
export const UID = 65534;

/** How to run a program as {@linkcode UID}. */
export const AS_USER: readonly string[] = [
  "setpriv",
  `--reuid=${UID}`,
  `--regid=${UID}`,
  "--clear-groups",
];

/**
 * Tells why the integration tests cannot run, or `undefined` when they can.
 * In CI (`CI` set) the caller must fail on a reason rather than skip.
 *
 * @returns A reason, or undefined.
 */
export function missingTools(): string | undefined {
  const paths = ["bin/lifecycle", "bin/launcher", "poetry/bin/poetry", "watchexec/bin/watchexec"];
  return missingPath(
    [...paths, "deno_dir"].map((p) => join(TOOLS_DIR, p)),
    "scripts/install-tools.sh",
  );
}

/** A lifecycle run's inputs and outputs. */
export interface Build extends AsyncDisposable {
  /** Root of the temporary tree. */
  readonly root: string;
  /** The app directory (copy of the fixture). */
  readonly app: string;
  /** The lifecycle's layers directory. */
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
  /**
   * Builds the app again in the same directories, as a platform's next build
   * does: the layers directory starts over with what the cache holds (the
   * `cache = true` layers of this build, their tomls' metadata only, as the
   * restorer writes them). Edit the app first to test a rebuild.
   */
  readonly rebuild: () => Promise<Build>;
}

/** Options of {@linkcode lifecycleBuild}. */
export interface BuildOptions {
  /** BP_* values, written as `<platform>/env/NAME`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Buildpack API of this buildpack's buildpack.toml. */
  readonly api?: string;
  /** Stop after detect. */
  readonly detectOnly?: boolean;
  /** Lock the app against PyPI first: its dependencies are real packages poetry-install syncs. */
  readonly fromPyPI?: boolean;
  /** The order's groups (default: Paketo Python's Poetry group alone). */
  readonly groups?: readonly (readonly Member[])[];
}

const readOr = (path: string) => Deno.readTextFile(path).catch(() => "");

/**
 * Copies a fixture app, writes the buildpacks and order, runs `lifecycle detect`
 * then (when it passed) `lifecycle build` as {@linkcode UID}.
 *
 * @param fixture Name under tests/fixtures/apps, or an absolute directory.
 * @param opts Env, API, detect only.
 * @returns The outputs; dispose to remove the tree.
 */
export async function lifecycleBuild(fixture: string, opts: BuildOptions = {}): Promise<Build> {
  const src = fixture.startsWith("/") ? fixture : join(FIXTURES, fixture);
  const layout = await lifecycleLayout({
    prefix: "poetry-run-it-",
    app: { copyOf: src },
    env: {
      POETRY_RUN_TOOLS_DIR: TOOLS_DIR,
      ...(opts.fromPyPI ? { REQUESTS_CA_BUNDLE: CA_BUNDLE } : {}),
      ...opts.env,
    },
  });
  try {
    const { root, app, platform, layersRoot } = layout;
    if (opts.fromPyPI) await lockAgainstPyPI(app);
    // The lifecycle makes this buildpack's layers directory itself.
    await Deno.remove(layout.layers);
    const bps = join(root, "buildpacks");
    for (const dir of [join(root, "tmp"), join(root, "home")]) await Deno.mkdir(dir);
    await writeDevBuildpack(join(bps, BUILDPACK_DIR_NAME, "0.0.1"), {
      version: "0.0.1",
      denoDir: join(TOOLS_DIR, "deno_dir"),
      ...(opts.api === undefined ? {} : { api: opts.api }),
    });
    const groups = opts.groups ?? [POETRY_GROUP];
    for (const provider of providersOf(groups)) {
      await writeProvider(provider, join(bps, `test_${provider}`, PROVIDER_VERSION));
    }
    const order = join(root, "order.toml");
    await Deno.writeTextFile(order, orderToml(groups, "0.0.1"));
    await sh(`chown -R ${UID}:${UID} "$1" && chmod 755 "$1"`, root);
    const lifecycle = join(TOOLS_DIR, "bin", "lifecycle");
    const env = {
      PATH: "/usr/local/bin:/usr/bin:/bin",
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
      layersRoot,
      "-platform",
      platform,
      "-log-level",
      "debug",
    ];
    const run = async (args: string[]) => {
      const out = await output(AS_USER[0] as string, [...AS_USER.slice(1), lifecycle, ...args], {
        env,
        clearEnv: true,
      });
      return { code: out.code, output: out.stdout + out.stderr };
    };
    const cache = join(root, "cache");
    const phases = async (): Promise<Build> => {
      const detect = await run(["detect", ...common, "-order", order]);
      let buildCode: number | undefined;
      let buildOutput = "";
      if (detect.code === 0 && !opts.detectOnly) {
        const build = await run(["build", ...common]);
        buildCode = build.code;
        buildOutput = build.output;
        if (build.code === 0) await exportAndCache(layersRoot, cache);
      }
      return {
        root,
        app,
        layers: layersRoot,
        detectCode: detect.code,
        detectOutput: detect.output,
        ...(buildCode === undefined ? {} : { buildCode }),
        buildOutput,
        group: await readOr(join(layersRoot, "group.toml")),
        plan: await readOr(join(layersRoot, "plan.toml")),
        launch: await readOr(join(layersRoot, BUILDPACK_DIR_NAME, "launch.toml")),
        metadata: await readOr(join(layersRoot, "config", "metadata.toml")),
        rebuild: async () => {
          await restoreCache(layersRoot, cache);
          return await phases();
        },
        [Symbol.asyncDispose]: () => layout[Symbol.asyncDispose](),
      };
    };
    return await phases();
  } catch (error) {
    await layout[Symbol.asyncDispose]();
    throw error;
  }
}

/**
 * Does what the exporter does: the `cache = true` layers are copied into the
 * cache (`<cache>/<buildpack>/<layer>` and its toml), then only launch layers
 * stay, as in the image: every layer directory whose `<layer>.toml` does not
 * say `[types] launch = true` is removed (the launcher applies whatever layer
 * directories it finds).
 */
async function exportAndCache(layers: string, cache: string): Promise<void> {
  await Deno.remove(cache, { recursive: true }).catch(() => {});
  for await (const bp of Deno.readDir(layers)) {
    if (!bp.isDirectory || bp.name === "config") continue;
    const dir = join(layers, bp.name);
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isDirectory) continue;
      const toml = await Deno.readTextFile(join(dir, `${entry.name}.toml`)).catch(() => "");
      const doc = parseToml(toml);
      const types = doc.types as { launch?: boolean; cache?: boolean } | undefined;
      if (types?.cache === true) {
        await Deno.mkdir(join(cache, bp.name), { recursive: true });
        await sh(`cp -a "$1" "$2/"`, join(dir, entry.name), join(cache, bp.name));
        const metadata = toml.indexOf("[metadata]");
        await Deno.writeTextFile(
          join(cache, bp.name, `${entry.name}.toml`),
          metadata < 0 ? "" : toml.slice(metadata),
        );
      }
      if (types?.launch !== true) await Deno.remove(join(dir, entry.name), { recursive: true });
    }
  }
}

/** What the analyzer and restorer leave for the next build: the cached layers, nothing else. */
async function restoreCache(layers: string, cache: string): Promise<void> {
  await sh(`chmod -R u+w "$1" && rm -rf "$1" && mkdir -p "$1"`, layers);
  await sh(`[ ! -d "$1" ] || cp -a "$1"/. "$2/"`, cache, layers);
  await sh(`chown -R ${UID}:${UID} "$1"`, layers);
}

/** The modification time the exporter gives every file of an image (lifecycle layers/writer.go). */
const EXPORTER_MTIME = "1980-01-01T00:00:01Z";

/**
 * Makes a build's files what an image holds: every file's modification time
 * the exporter's; the bytecode layers (when there are) read-only.
 *
 * @param build The build.
 * @returns The bytecode layer's pyc tree (it may not exist).
 */
export async function asInAnImage(build: Build): Promise<string> {
  await sh(`find "$1" "$2" -exec touch -h -d "$3" {} +`, build.layers, build.app, EXPORTER_MTIME);
  for (const name of ["bytecode", "bytecode-deps"]) {
    await sh(`[ ! -d "$1" ] || chmod -R a-w "$1"`, join(build.layers, BUILDPACK_DIR_NAME, name));
  }
  return join(build.layers, BUILDPACK_DIR_NAME, "bytecode", "pycache");
}

/**
 * Parses TOML into plain JSON data (integers as numbers).
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
  const plan = plainToml(text) as { entries?: { providers?: unknown[]; requires?: unknown[] }[] };
  const sorted = (items: unknown[] = []) => items.map((i) => JSON.stringify(i)).sort();
  return (plan.entries ?? []).map((e) =>
    JSON.stringify({ providers: sorted(e.providers), requires: sorted(e.requires) })
  ).sort();
}

/**
 * The names the lifecycle's resolved plan.toml requires with `launch = true`.
 *
 * @param planToml plan.toml.
 * @returns The names, sorted, each once.
 */
export function launchRequirements(planToml: string): string[] {
  const plan = plainToml(planToml) as {
    entries?: { requires?: { name: string; metadata?: { launch?: boolean } }[] }[];
  };
  return [
    ...new Set(
      (plan.entries ?? []).flatMap((e) =>
        (e.requires ?? []).filter((r) => r.metadata?.launch).map((r) => r.name)
      ),
    ),
  ].sort();
}
