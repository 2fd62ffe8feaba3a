/**
 * A Cloud Native Buildpack that sets the start command of a Poetry app to
 * `poetry run <target>` (or starts it without Poetry, with
 * `BP_POETRY_RUN_DIRECT`): a drop-in replacement for
 * `paketo-buildpacks/poetry-run`.
 *
 * {@linkcode run} runs a phase as the lifecycle calls it; {@linkcode detect}
 * and {@linkcode build} are the phases as plain functions over a context.
 *
 * @example Usage
 * ```ts
 * import { run } from "./mod.ts";
 * Deno.exit(await run(Deno.args));
 * ```
 *
 * @module
 */
export { run } from "./src/main.ts";
export { build, detect } from "./src/poetry/buildpack.ts";
export type { EnvLookup, Io, Sink } from "./src/cnb/io.ts";
export type { BuildContext, BuildResult, DetectContext, DetectResult } from "./src/cnb/runner.ts";
export type { BuildPlan, PlanValue, Requirement } from "./src/cnb/plan.ts";
export type { LaunchProcess } from "./src/cnb/launch.ts";
export { layerName } from "./src/cnb/layers.ts";
export type {
  EnvAction,
  Layer,
  LayerEnvFile,
  LayerHandle,
  LayerMetadataValue,
  LayerName,
  LayerStore,
  LayerTypes,
  RestoredLayer,
} from "./src/cnb/layers.ts";
export type { BuildpackInfo } from "./src/cnb/buildpack_toml.ts";
export type { BuildpackApi } from "./src/cnb/api.ts";
export type { ProcessType } from "./src/cnb/process_type.ts";
