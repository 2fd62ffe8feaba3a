/**
 * Live reload: `BP_LIVE_RELOAD_ENABLED` and the watchexec-wrapped process.
 *
 * @module
 */
import { boolVariable } from "../paketo/parse_bool.ts";
import type { LaunchProcess } from "../cnb/launch.ts";
import { processType } from "../cnb/process_type.ts";

/** The environment variable that turns live reload on. */
export const LIVE_RELOAD_VARIABLE = "BP_LIVE_RELOAD_ENABLED";

/**
 * Reads `BP_LIVE_RELOAD_ENABLED` with Go `strconv.ParseBool` semantics
 * (unset = off).
 *
 * @param value The variable's value.
 * @returns Whether live reload is on.
 * @throws {BuildpackError} `failed to parse BP_LIVE_RELOAD_ENABLED value X: …`.
 */
export function liveReloadEnabled(value: string | undefined): boolean {
  return boolVariable(LIVE_RELOAD_VARIABLE, value);
}

/**
 * Wraps a process in watchexec as libreload-packit does: a `reload-<type>`
 * process (keeping the original's default flag) that restarts the original on
 * any change under the app directory, followed by the original, no longer default.
 *
 * @param process The process to wrap.
 * @param appDir The directory to watch.
 * @returns `[reload-<type>, <type>]`.
 */
export function withLiveReload(process: LaunchProcess, appDir: string): LaunchProcess[] {
  return [
    {
      type: processType(`reload-${process.type}`),
      command: "watchexec",
      args: [
        "--restart",
        "--watch",
        appDir,
        "--shell",
        "none",
        "--",
        process.command,
        ...process.args,
      ],
      default: process.default,
    },
    { ...process, default: false },
  ];
}
