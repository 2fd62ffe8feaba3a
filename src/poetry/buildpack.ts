/**
 * This buildpack as the runner calls it: reads its variables from the
 * environment, binds pyproject.toml to the app directory, logs in packit's
 * scribe format, and hands over to the Poetry logic.
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
import { isDebugLevel, Scribe } from "../paketo/scribe.ts";
import { poetryBuild } from "./build.ts";
import { poetryDetect } from "./detect.ts";
import { LIVE_RELOAD_VARIABLE } from "./live_reload.ts";
import { loadPyProject } from "./load_pyproject.ts";
import type { PoetryContext } from "./resolve.ts";
import { DIRECT_VARIABLE } from "./start.ts";
import { TARGET_VARIABLE } from "./target.ts";

const LOG_LEVEL_VARIABLE = "BP_LOG_LEVEL";

/** `BP_LOG_LEVEL=DEBUG`; a value that cannot be read means INFO (never throws). */
function debug(env: EnvLookup): boolean {
  try {
    return isDebugLevel(env(LOG_LEVEL_VARIABLE));
  } catch {
    return false;
  }
}

function poetryContext(ctx: DetectContext): PoetryContext {
  const logger = new Scribe(ctx.stdout, ctx.stderr, debug(ctx.env));
  try {
    ctx.env(LOG_LEVEL_VARIABLE);
  } catch (error) {
    logger.warn(`${(error as Error).message}; logging at INFO`);
  }
  return {
    target: () => ctx.env(TARGET_VARIABLE),
    liveReload: () => ctx.env(LIVE_RELOAD_VARIABLE),
    direct: () => ctx.env(DIRECT_VARIABLE),
    loadPyProject: () => loadPyProject(ctx.appDir),
    logger,
  };
}

/**
 * Detect: passes when `BP_POETRY_RUN_TARGET` or a pyproject.toml script names
 * something to run; requires cpython, poetry (unless nothing needs it) and
 * poetry-venv at launch, and watchexec with live reload.
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
 * @returns The processes.
 * @throws {BuildpackError} On a malformed variable or pyproject.toml, or a
 * target that cannot start.
 */
export async function build(ctx: BuildContext): Promise<BuildResult> {
  const poetry = poetryContext(ctx);
  const { processes, project } = await poetryBuild({
    ...poetry,
    appDir: ctx.appDir,
    buildpack: ctx.buildpack,
  });
  const { precompileBytecode } = await import("./bytecode.ts");
  const layer = await precompileBytecode(
    {
      layersDir: ctx.layersDir,
      appDir: ctx.appDir,
      buildpackId: ctx.buildpack.id,
      env: ctx.env,
      logger: poetry.logger,
    },
    processes,
    project,
  );
  return { processes, layers: layer === undefined ? [] : [layer] };
}

/** The Poetry Run buildpack, for {@linkcode runBuildpack}. */
export const poetryRun: Buildpack = { detect, build, debug };
