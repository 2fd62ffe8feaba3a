/**
 * The inputs the lifecycle hands to `bin/detect` and `bin/build`.
 *
 * Positional arguments are always passed (every API); from Buildpack API 0.8
 * the same paths also arrive as `CNB_*` variables, which win when set.
 *
 * @module
 */
import { BuildpackError } from "./errors.ts";
import { ExitCode } from "./exit_codes.ts";

/** Reads an environment variable. */
export type EnvLookup = (name: string) => string | undefined;

/** Inputs of `bin/detect`. */
export interface DetectInputs {
  /** The platform directory. */
  readonly platformDir: string;
  /** Where to write the build plan. */
  readonly planPath: string;
}

/** Inputs of `bin/build`. */
export interface BuildInputs {
  /** This buildpack's layers directory (launch.toml goes here). */
  readonly layersDir: string;
  /** The platform directory. */
  readonly platformDir: string;
  /** The buildpack plan (read-only). */
  readonly planPath: string;
}

function pick(
  env: EnvLookup,
  variable: string,
  args: readonly string[],
  index: number,
  phase: string,
  what: string,
): string {
  const fromEnv = env(variable);
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const fromArgs = args[index];
  if (fromArgs !== undefined && fromArgs !== "") return fromArgs;
  throw new BuildpackError(
    `${phase}: the ${what} is missing: pass it as argument ${index + 1} or set ${variable}`,
    { exitCode: ExitCode.Usage },
  );
}

/**
 * Resolves the inputs of detect: `<platform> <plan>` or `CNB_PLATFORM_DIR`,
 * `CNB_BUILD_PLAN_PATH`.
 *
 * @param args Positional arguments after the phase.
 * @param env Environment lookup.
 * @returns The inputs.
 * @throws {BuildpackError} When an input is given neither way.
 */
export function detectInputs(args: readonly string[], env: EnvLookup): DetectInputs {
  return {
    platformDir: pick(env, "CNB_PLATFORM_DIR", args, 0, "detect", "platform directory"),
    planPath: pick(env, "CNB_BUILD_PLAN_PATH", args, 1, "detect", "build plan path"),
  };
}

/**
 * Resolves the inputs of build: `<layers> <platform> <plan>` or
 * `CNB_LAYERS_DIR`, `CNB_PLATFORM_DIR`, `CNB_BP_PLAN_PATH`.
 *
 * @param args Positional arguments after the phase.
 * @param env Environment lookup.
 * @returns The inputs.
 * @throws {BuildpackError} When an input is given neither way.
 */
export function buildInputs(args: readonly string[], env: EnvLookup): BuildInputs {
  return {
    layersDir: pick(env, "CNB_LAYERS_DIR", args, 0, "build", "layers directory"),
    platformDir: pick(env, "CNB_PLATFORM_DIR", args, 1, "build", "platform directory"),
    planPath: pick(env, "CNB_BP_PLAN_PATH", args, 2, "build", "buildpack plan path"),
  };
}
