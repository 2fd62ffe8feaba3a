/**
 * Precompiled bytecode for a fast first start (`BP_POETRY_RUN_BYTECODE`, on
 * by default): plan (`bytecode_plan.ts`) → compile (`../python/bytecode.ts`)
 * → report (`messages.ts`), into three layers:
 *
 * - `bytecode` (launch, cache): the tree `env.launch/PYTHONPYCACHEPREFIX.default`
 *   names, with the pycs of the app's files and links to `bytecode-deps`;
 * - `bytecode-deps` (launch, cache): the pycs of the standard library, the
 *   venv and Poetry, the same bytes from build to build while they do not
 *   change, so that the exporter reuses the image layer;
 * - `bytecode-index` (cache only): what each source imports, by its hash.
 *
 * Why a layer of its own: Paketo's cpython sets `PYTHONPYCACHEPREFIX` to
 * `$HOME/.pycache` at launch (an exec.d program that leaves a value already
 * set alone), so Python reads bytecode only from that tree, which is empty in
 * every new container. The launcher applies layers' `env.launch/` files
 * before any exec.d, so this layer's `.default` wins and a value the platform
 * or user sets still does. Checked hash-based pycs (PEP 552), because the
 * exporter resets every file's modification time, and so that a source
 * edited after the build (live reload) is compiled again rather than run stale.
 *
 * Rebuilds: the cache restores the layers; a pyc whose header has the
 * interpreter's magic number and its source's hash is kept, everything else
 * is compiled, and what no process imports any more is removed.
 *
 * Nothing here fails the build: a missing interpreter, a file that does not
 * compile or a failed compile is one warning, and the image starts as it
 * would without the layers.
 *
 * @module
 */
import type { EnvLookup } from "../cnb/io.ts";
import type { LaunchProcess } from "../cnb/launch.ts";
import { processEnvironment } from "../cnb/launch_env.ts";
import { type Layer, type LayerHandle, layerName, type LayerStore } from "../cnb/layers.ts";
import { joinPath } from "../cnb/posix_path.ts";
import type { Scribe } from "../paketo/scribe.ts";
import { compileBytecode } from "../python/bytecode.ts";
import { pythonRun } from "../python/invocation.ts";
import { planCompileJobs } from "./bytecode_plan.ts";
import { BYTECODE_VARIABLE } from "./config.ts";
import {
  bytecodeErrors,
  bytecodeFailed,
  bytecodeJob,
  bytecodePreset,
  bytecodeSummary,
  bytecodeUnexpected,
} from "./messages.ts";
import type { PyProject } from "./pyproject.ts";

/** The layer `PYTHONPYCACHEPREFIX` names. */
export const BYTECODE_LAYER = layerName("bytecode");
/** The layer with the pycs of everything outside the app. */
export const BYTECODE_DEPS_LAYER = layerName("bytecode-deps");
/** The cache-only layer with what each source imports. */
export const BYTECODE_INDEX_LAYER = layerName("bytecode-index");
/** How the layers are laid out: restored layers of another layout start over. */
const LAYOUT = 1;

/** What compiling needs from the build. */
export interface BytecodeContext {
  /** `BP_POETRY_RUN_BYTECODE`. */
  readonly enabled: boolean;
  /** This buildpack's layers directory. */
  readonly layersDir: string;
  /** This buildpack's layers. */
  readonly layers: LayerStore;
  /** The app directory (the working directory of every process). */
  readonly appDir: string;
  /** This buildpack's ID. */
  readonly buildpackId: string;
  /** The build environment. */
  readonly env: EnvLookup;
  /** Output. */
  readonly logger: Scribe;
}

/**
 * Compiles the bytecode of the processes' Python starts into the layers.
 *
 * @param ctx Layers, app and build environment, logger.
 * @param processes The launch processes this buildpack writes.
 * @param project The project, `null` when not read.
 * @returns The layers to contribute (none: turned off, or nothing compiled;
 *   the runner then removes whatever an earlier build left of them).
 */
export async function precompileBytecode(
  ctx: BytecodeContext,
  processes: readonly LaunchProcess[],
  project: PyProject | null,
): Promise<Layer[]> {
  if (!ctx.enabled) {
    ctx.logger.debug.process(`${BYTECODE_VARIABLE}=false: no precompiled bytecode`);
    return [];
  }
  try {
    return await compileLayers(ctx, processes, project);
  } catch (error) {
    ctx.logger.warn(bytecodeUnexpected(error instanceof Error ? error.message : String(error)));
    ctx.logger.break();
    return [];
  }
}

/** A layer kept from the previous build when it has this layout, else emptied. */
function open(
  layers: LayerStore,
  name: typeof BYTECODE_LAYER,
): { handle: LayerHandle; kept: boolean } {
  const handle = layers.layer(name);
  const kept = handle.restored?.hasContent === true && handle.restored.metadata.layout === LAYOUT;
  if (!kept) handle.reset();
  return { handle, kept };
}

async function compileLayers(
  ctx: BytecodeContext,
  processes: readonly LaunchProcess[],
  project: PyProject | null,
): Promise<Layer[]> {
  const { logger } = ctx;
  const started = performance.now();
  logger.process(`Compiling bytecode (${BYTECODE_VARIABLE}=false turns this off)`);
  let ordered = true;
  const plan = planCompileJobs({
    processes,
    project,
    appDir: ctx.appDir,
    envOf: (type) => {
      const { env, fromGroup } = processEnvironment(ctx.layersDir, ctx.buildpackId, ctx.env, type);
      ordered &&= fromGroup;
      return env;
    },
    resolveRun: pythonRun,
  });
  if (!ordered) logger.debug.subprocess("No group.toml: buildpack layers taken in name order");
  if (plan.kind === "preset") {
    logger.warn(bytecodePreset(plan.value));
    logger.break();
    return [];
  }
  for (const s of plan.skipped) logger.debug.subprocess(`Not compiled for ${s}`);
  if (plan.jobs.length === 0) {
    logger.subprocess("No process starts Python: nothing to compile");
    logger.break();
    return [];
  }
  for (const job of plan.jobs) {
    logger.debug.subprocess(
      `Compiling for ${job.label}: ${job.run.interpreter}${
        job.run.flags.length > 0 ? ` ${job.run.flags.join(" ")}` : ""
      } from ${
        job.run.roots.map((r) =>
          "script" in r ? r.script : "module" in r ? `-m ${r.module}` : "-c …"
        )
          .join(", ") || "startup"
      } (sys.path[0] = ${JSON.stringify(job.run.path0)})`,
    );
  }

  const root = open(ctx.layers, BYTECODE_LAYER);
  const deps = open(ctx.layers, BYTECODE_DEPS_LAYER);
  const index = open(ctx.layers, BYTECODE_INDEX_LAYER);
  if (root.kept || deps.kept) {
    logger.subprocess("Keeping the previous build's bytecode where its sources did not change");
  }
  const tree = joinPath(root.handle.path, "pycache");
  const planned = performance.now();
  logger.debug.subprocess(`Planned in ${(planned - started).toFixed(0)} ms`);
  const { reports, removed, timings } = await compileBytecode({
    tree,
    depsTree: joinPath(deps.handle.path, "pycache"),
    indexDir: index.handle.path,
    appDir: ctx.appDir,
    jobs: plan.jobs,
  });
  logger.debug.subprocess(
    `Compiled in ${timings.jobs.map((ms) => `${ms.toFixed(0)} ms`).join(" + ")}; removed and ` +
      `linked in ${timings.sweep.toFixed(0)} ms`,
  );
  let compiled = 0;
  let bytes = 0;
  const pycs = new Set<string>();
  const failures = new Set<string>();
  for (const r of reports) {
    if (!r.ok) {
      failures.add(r.reason);
      continue;
    }
    compiled += r.compiled;
    bytes += r.bytes;
    for (const p of r.pycs) pycs.add(p);
    logger.subprocess(bytecodeJob(r));
    if (r.errorCount > 0) logger.warn(bytecodeErrors(r, ctx.appDir));
    if (r.otherErrors > 0) {
      logger.debug.action(`${r.otherErrors} other file(s) did not compile (never imported)`);
    }
  }
  for (const reason of failures) logger.warn(bytecodeFailed(reason));
  const seconds = (performance.now() - started) / 1000;
  if (pycs.size === 0) {
    logger.subprocess(`Nothing compiled (${seconds.toFixed(1)} s): no bytecode layer`);
    logger.break();
    return [];
  }
  logger.subprocess(
    bytecodeSummary({ compiled, bytes, kept: pycs.size - compiled, removed, seconds, dir: tree }),
  );
  logger.break();
  const metadata = { layout: LAYOUT };
  return [
    {
      name: BYTECODE_LAYER,
      types: { launch: true, cache: true },
      env: [{ scope: "env.launch", name: "PYTHONPYCACHEPREFIX", action: "default", value: tree }],
      metadata,
    },
    { name: BYTECODE_DEPS_LAYER, types: { launch: true, cache: true }, metadata },
    { name: BYTECODE_INDEX_LAYER, types: { cache: true }, metadata },
  ];
}
