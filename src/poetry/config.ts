/**
 * The buildpack's configuration: every variable it reads, and its reader
 * (as the reference keeps its names in one `constants.go`). The switches use
 * Go's `strconv.ParseBool`, as Paketo buildpacks do.
 *
 * @module
 */
import type { EnvLookup } from "../cnb/io.ts";
import { boolVariable } from "../paketo/parse_bool.ts";
import { isDebugLevel } from "../paketo/scribe.ts";

/** What follows `poetry run`, instead of a pyproject.toml script. */
export const TARGET_VARIABLE = "BP_POETRY_RUN_TARGET";
/** Adds `reload-web`, watchexec restarting the app on changes. */
export const LIVE_RELOAD_VARIABLE = "BP_LIVE_RELOAD_ENABLED";
/** Starts processes without `poetry run` where Poetry installed what they run. */
export const DIRECT_VARIABLE = "BP_POETRY_RUN_DIRECT";
/** `false` leaves the precompiled bytecode layer out. */
export const BYTECODE_VARIABLE = "BP_POETRY_RUN_BYTECODE";
/** `false` turns off inferring a start command for an app with no script. */
export const INFER_VARIABLE = "BP_POETRY_RUN_INFER";
/** Paketo poetry-install's: the dependency groups it installs (`poetry sync --only`, default main). */
export const INSTALL_ONLY_VARIABLE = "BP_POETRY_INSTALL_ONLY";
/** `DEBUG` prints how the target was found, and stack traces. */
export const LOG_LEVEL_VARIABLE = "BP_LOG_LEVEL";

/** What to tell a user whose build failed unexpectedly. */
export const DEBUG_HINT = `set ${LOG_LEVEL_VARIABLE}=DEBUG for details`;

/**
 * Reads `BP_POETRY_RUN_TARGET`, as set (blank included).
 *
 * @param env Environment lookup.
 * @returns The value, or `undefined` when unset.
 * @throws {BuildpackError} When the value is not UTF-8.
 */
export function targetOverride(env: EnvLookup): string | undefined {
  return env(TARGET_VARIABLE);
}

/**
 * Reads `BP_LIVE_RELOAD_ENABLED` (unset = off).
 *
 * @example Usage
 * ```ts
 * import { liveReloadEnabled } from "./config.ts";
 * liveReloadEnabled(() => "true"); // true
 * ```
 *
 * @param env Environment lookup.
 * @returns Whether live reload is on.
 * @throws {BuildpackError} `failed to parse BP_LIVE_RELOAD_ENABLED value X: …` (the reference's text).
 */
export function liveReloadEnabled(env: EnvLookup): boolean {
  return boolVariable(LIVE_RELOAD_VARIABLE, env(LIVE_RELOAD_VARIABLE));
}

/**
 * Reads `BP_POETRY_RUN_DIRECT` (unset = off).
 *
 * @param env Environment lookup.
 * @returns Whether processes start without `poetry run` where they can.
 * @throws {BuildpackError} `failed to parse BP_POETRY_RUN_DIRECT value X: …; set it to true or false`.
 */
export function directEnabled(env: EnvLookup): boolean {
  return boolVariable(DIRECT_VARIABLE, env(DIRECT_VARIABLE), "set it to true or false");
}

/**
 * Reads `BP_POETRY_RUN_BYTECODE` (unset = on).
 *
 * @param env Environment lookup.
 * @returns Whether to build the bytecode layer.
 * @throws {BuildpackError} `failed to parse BP_POETRY_RUN_BYTECODE value X: …; set it to true or false`.
 */
export function bytecodeEnabled(env: EnvLookup): boolean {
  const value = env(BYTECODE_VARIABLE);
  return value === undefined || boolVariable(BYTECODE_VARIABLE, value, "set it to true or false");
}

/**
 * Reads `BP_POETRY_RUN_INFER` (unset = on).
 *
 * @param env Environment lookup.
 * @returns Whether a start command is inferred for an app with no script.
 * @throws {BuildpackError} `failed to parse BP_POETRY_RUN_INFER value X: …; set it to true or false`.
 */
export function inferEnabled(env: EnvLookup): boolean {
  const value = env(INFER_VARIABLE);
  return value === undefined || boolVariable(INFER_VARIABLE, value, "set it to true or false");
}

/**
 * Reads `BP_LOG_LEVEL`: `DEBUG` in any case turns debug output on; never throws.
 *
 * @param env Environment lookup.
 * @returns Whether debug output is on, and why the variable could not be
 * read (then INFO).
 */
export function logLevel(
  env: EnvLookup,
): { readonly debug: boolean; readonly unreadable?: string } {
  try {
    return { debug: isDebugLevel(env(LOG_LEVEL_VARIABLE)) };
  } catch (error) {
    return { debug: false, unreadable: error instanceof Error ? error.message : String(error) };
  }
}
