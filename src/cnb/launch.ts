/**
 * Launch processes and launch.toml in the format of each Buildpack API.
 *
 * @module
 */
import { type BuildpackApi, usesCommandArrays } from "./api.ts";
import type { ProcessType } from "./process_type.ts";
import { stringifyToml } from "./toml.ts";

/** A process the app image can run. */
export interface LaunchProcess {
  /** The validated process type. */
  readonly type: ProcessType;
  /** The executable. */
  readonly command: string;
  /** Its arguments, each one argv entry. */
  readonly args: readonly string[];
  /** Whether this is the buildpack's default process (at most one is). */
  readonly default: boolean;
}

/**
 * Encodes processes as launch.toml for a Buildpack API.
 *
 * API ≤ 0.8: `command` is a string, `args` the arguments, `direct = true`.
 * API ≥ 0.9: `command` is an array holding the executable and its arguments
 * (always passed; user arguments are appended via `args` defaults, which we
 * leave empty), and there is no `direct`.
 *
 * @param processes The processes, in order.
 * @param api The API declared in buildpack.toml.
 * @returns The TOML text.
 * @throws {TypeError} When more than one process is the default.
 */
export function launchToml(processes: readonly LaunchProcess[], api: BuildpackApi): string {
  if (processes.filter((p) => p.default).length > 1) {
    throw new TypeError("Cannot write launch.toml: more than one process is marked default");
  }
  const arrays = usesCommandArrays(api);
  return stringifyToml({
    processes: processes.map((p) =>
      arrays
        ? { type: p.type, command: [p.command, ...p.args], default: p.default }
        : { type: p.type, command: p.command, args: [...p.args], direct: true, default: p.default }
    ),
  });
}
