/**
 * The four builds the benches compare: each start mode, with and without the
 * bytecode layers.
 *
 * @module
 */

/** One build variant. */
export interface Variant {
  /** `poetry run` or `direct` (`BP_POETRY_RUN_DIRECT=true`). */
  readonly mode: "poetry run" | "direct";
  /** Whether the bytecode layers are built (`BP_POETRY_RUN_BYTECODE`). */
  readonly bytecode: boolean;
}

/** The four. */
export const VARIANTS: readonly Variant[] = [
  { mode: "poetry run", bytecode: true },
  { mode: "poetry run", bytecode: false },
  { mode: "direct", bytecode: true },
  { mode: "direct", bytecode: false },
];

/**
 * The build variables of a variant.
 *
 * @param v The variant.
 * @returns `BP_*` values.
 */
export function variantEnv(v: Variant): Record<string, string> {
  return {
    ...(v.mode === "direct" ? { BP_POETRY_RUN_DIRECT: "true" } : {}),
    ...(v.bytecode ? {} : { BP_POETRY_RUN_BYTECODE: "false" }),
  };
}
