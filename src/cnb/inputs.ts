/**
 * The inputs of `bin/detect` and `bin/build` that a buildpack writes to.
 *
 * Buildpack API 0.7 passes them only as positional arguments
 * (`bin/detect <platform> <plan>`, `bin/build <layers> <platform> <plan>`);
 * from 0.8 the spec replaces the arguments with `CNB_*` variables, and
 * lifecycle v0.21 still passes both. A variable wins when set. The platform
 * directory and build's plan are not read: the lifecycle exports the platform's
 * `env/` files as variables, and this runner does not use the buildpack plan.
 *
 * @module
 */
import { BuildpackError } from "./errors.ts";
import { ExitCode } from "./exit_codes.ts";
import type { EnvLookup } from "./io.ts";

function pick(
  env: EnvLookup,
  variable: string,
  args: readonly string[],
  index: number,
  usage: string,
  what: string,
): string {
  const fromEnv = env(variable);
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const fromArgs = args[index];
  if (fromArgs !== undefined && fromArgs !== "") return fromArgs;
  throw new BuildpackError(
    `${usage}: the ${what} is missing: set ${variable} or pass it as argument ${index + 1}`,
    { exitCode: ExitCode.Usage },
  );
}

/**
 * Where detect writes its build plan: `CNB_BUILD_PLAN_PATH`, else the second
 * argument of `<platform> <plan>`.
 *
 * @param args Positional arguments after the phase.
 * @param env Environment lookup.
 * @returns The plan path.
 * @throws {BuildpackError} When it is given neither way (exit code 2).
 */
export function detectPlanPath(args: readonly string[], env: EnvLookup): string {
  return pick(env, "CNB_BUILD_PLAN_PATH", args, 1, "detect <platform> <plan>", "build plan path");
}

/**
 * Where build writes launch.toml: `CNB_LAYERS_DIR`, else the first argument
 * of `<layers> <platform> <plan>`.
 *
 * @param args Positional arguments after the phase.
 * @param env Environment lookup.
 * @returns The layers directory.
 * @throws {BuildpackError} When it is given neither way (exit code 2).
 */
export function buildLayersDir(args: readonly string[], env: EnvLookup): string {
  return pick(
    env,
    "CNB_LAYERS_DIR",
    args,
    0,
    "build <layers> <platform> <plan>",
    "layers directory",
  );
}
