/**
 * This buildpack as the runner calls it: binds pyproject.toml to the app
 * directory, logs in packit's scribe format, and hands over to the Poetry
 * logic; build then adds the bytecode layer.
 *
 * @module
 */
import type {
  BuildContext,
  Buildpack,
  BuildResult,
  DetectContext,
  DetectResult,
} from "../cnb/runner.ts";
import type { EnvLookup } from "../cnb/io.ts";
import { Scribe } from "../paketo/scribe.ts";
import { poetryBuild } from "./build.ts";
import { bytecodeEnabled, DEBUG_HINT, logLevel } from "./config.ts";
import { poetryDetect } from "./detect.ts";
import { loadPyProject } from "./load_pyproject.ts";
import type { PoetryContext } from "./resolve.ts";
import { describeLaunchEnv, startLayer } from "./start_layer.ts";

function poetryContext(ctx: DetectContext, layersDir?: string): PoetryContext {
  const level = logLevel(ctx.env);
  const logger = new Scribe(ctx.stdout, ctx.stderr, level.debug);
  if (level.unreadable !== undefined) logger.warn(`${level.unreadable}; logging at INFO`);
  return {
    appDir: ctx.appDir,
    ...(layersDir === undefined ? {} : { layersDir }),
    env: ctx.env,
    loadPyProject: () => loadPyProject(ctx.appDir),
    logger,
  };
}

/**
 * Detect: passes when `BP_POETRY_RUN_TARGET` or a pyproject.toml script names
 * something to run; requires cpython, poetry (unless nothing needs it) and
 * poetry-venv at launch, and watchexec with live reload.
 *
 * @example Usage
 * ```ts
 * import { detect } from "./buildpack.ts";
 * const result = await detect({
 *   appDir: "/workspace",
 *   env: (name) => name === "BP_POETRY_RUN_TARGET" ? "web" : undefined,
 *   stdout: () => {},
 *   stderr: () => {},
 * });
 * ```
 *
 * @param ctx The phase's context.
 * @returns Pass with the plan, or fail with the reason.
 * @throws {BuildpackError} On a malformed variable or pyproject.toml.
 */
export function detect(ctx: DetectContext): Promise<DetectResult> {
  return poetryDetect(poetryContext(ctx));
}

/**
 * Build: the launch processes (`web`, `reload-web` with live reload, one per
 * extra script), through `poetry run` or, with `BP_POETRY_RUN_DIRECT`, directly;
 * and, unless `BP_POETRY_RUN_BYTECODE=false`, a launch layer with their bytecode.
 *
 * @param ctx The phase's context.
 * @returns The processes and layers.
 * @throws {BuildpackError} On a malformed variable or pyproject.toml, or a
 * target that cannot start.
 */
export async function build(ctx: BuildContext): Promise<BuildResult> {
  const poetry = poetryContext(ctx, ctx.layersDir);
  const { processes, project, target } = await poetryBuild({ ...poetry, buildpack: ctx.buildpack });
  // Every switch is read before any layer is written: a malformed one leaves nothing behind.
  const bytecode = bytecodeEnabled(ctx.env);
  const start = startLayer(ctx.layers, processes, target);
  poetry.logger.process("Configuring launch environment");
  for (const line of describeLaunchEnv(start)) poetry.logger.subprocess(line);
  poetry.logger.break();
  // Loaded here, not at the top: detect never needs it, and each module loaded costs start-up.
  const { precompileBytecode } = await import("./bytecode.ts");
  const bytecodeLayers = await precompileBytecode(
    {
      enabled: bytecode,
      layersDir: ctx.layersDir,
      layers: ctx.layers,
      appDir: ctx.appDir,
      buildpackId: ctx.buildpack.id,
      env: ctx.env,
      logger: poetry.logger,
    },
    processes,
    project,
  );
  return { processes, layers: [start, ...bytecodeLayers] };
}

/** The Poetry Run buildpack, for the runner. */
export const poetryRun: Buildpack = {
  detect,
  build,
  debug: (env: EnvLookup) => logLevel(env).debug,
  debugHint: DEBUG_HINT,
};
