/**
 * The build plan a detect phase writes, and its TOML form.
 *
 * @module
 */
import { tomlString } from "./toml_string.ts";

/** A dependency this buildpack needs from an earlier one. */
export interface Requirement {
  /** Dependency name, e.g. `cpython`. */
  readonly name: string;
  /** Buildpack-specific metadata; here only `launch`. */
  readonly metadata: { readonly launch: boolean };
}

/** The plan written to `$CNB_BUILD_PLAN_PATH` when detection passes. */
export interface BuildPlan {
  /** Dependencies provided (none for this buildpack). */
  readonly provides: readonly { readonly name: string }[];
  /** Dependencies required, in order. */
  readonly requires: readonly Requirement[];
}

/**
 * Encodes a plan as TOML, byte for byte as packit (BurntSushi/toml) does.
 *
 * @example Usage
 * ```ts
 * import { buildPlanToml } from "./plan.ts";
 * buildPlanToml({ provides: [], requires: [{ name: "cpython", metadata: { launch: true } }] });
 * ```
 *
 * @param plan The plan.
 * @returns The TOML text (empty for an empty plan).
 */
export function buildPlanToml(plan: BuildPlan): string {
  const blocks: string[] = [];
  for (const provide of plan.provides) {
    blocks.push(`[[provides]]\n  name = ${tomlString(provide.name)}\n`);
  }
  for (const require of plan.requires) {
    blocks.push(
      `[[requires]]\n  name = ${tomlString(require.name)}\n` +
        `  [requires.metadata]\n    launch = ${require.metadata.launch}\n`,
    );
  }
  return blocks.join("\n");
}
