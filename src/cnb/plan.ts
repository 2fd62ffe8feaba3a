/**
 * The build plan a detect phase writes, and its TOML form.
 *
 * @module
 */
import { tomlString } from "./toml_string.ts";

/** A metadata value a plan entry can carry. */
export type PlanValue = string | number | boolean;

/** A dependency this buildpack needs from an earlier one. */
export interface Requirement {
  /** Dependency name, e.g. `cpython`. */
  readonly name: string;
  /** Metadata for the provider, e.g. `{ launch: true }` (packit's convention for launch layers). */
  readonly metadata: Readonly<Record<string, PlanValue>>;
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
    const entries = Object.entries(require.metadata);
    const metadata = entries.length === 0
      ? ""
      : `  [requires.metadata]\n${
        entries.map(([key, value]) => `    ${bareKey(key)} = ${tomlValue(value)}\n`).join("")
      }`;
    blocks.push(`[[requires]]\n  name = ${tomlString(require.name)}\n${metadata}`);
  }
  return blocks.join("\n");
}

function bareKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

function tomlValue(value: PlanValue): string {
  if (typeof value === "string") return tomlString(value);
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new TypeError(`Cannot write plan metadata: ${value} is not a finite number`);
  }
  return String(value);
}
