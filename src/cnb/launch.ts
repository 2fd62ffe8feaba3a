/**
 * Launch processes and launch.toml in the format of each Buildpack API.
 *
 * @module
 */
import { type BuildpackApi, usesCommandArrays } from "./api.ts";
import type { ProcessType } from "./process_type.ts";
import { tomlString } from "./toml_string.ts";

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
  if (processes.length === 0) return "processes = []\n";
  const arrays = usesCommandArrays(api);
  // Written directly (the layout smol-toml's stringify gives): a phase runs once per
  // process, and the library's cold stringify costs ~0.7 ms of it.
  return processes.map((p) => {
    const lines = ["[[processes]]", `type = ${tomlString(p.type)}`];
    if (arrays) lines.push(`command = ${tomlArray([p.command, ...p.args])}`);
    else {
      lines.push(
        `command = ${tomlString(p.command)}`,
        `args = ${tomlArray(p.args)}`,
        "direct = true",
      );
    }
    lines.push(`default = ${p.default}`);
    return `${lines.join("\n")}\n`;
  }).join("\n");
}

function tomlArray(values: readonly string[]): string {
  return values.length === 0 ? "[]" : `[ ${values.map(tomlString).join(", ")} ]`;
}
