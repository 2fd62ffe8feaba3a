/**
 * Live reload (`BP_LIVE_RELOAD_ENABLED`): the watchexec-wrapped process.
 *
 * @module
 */
import type { LaunchProcess } from "../cnb/launch.ts";
import { processType } from "../cnb/process_type.ts";

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
