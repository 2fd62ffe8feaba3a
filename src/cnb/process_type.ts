/**
 * Validated CNB process type names.
 *
 * @module
 */

const PROCESS_TYPE = /^[A-Za-z0-9._-]+$/;

/** A process type name that satisfies the spec: `^[A-Za-z0-9._-]+$`. */
export type ProcessType = string & { readonly __processType: never };

/**
 * Tells whether a name is a valid process type.
 *
 * @param name The candidate.
 * @returns `true` when it matches `^[A-Za-z0-9._-]+$`.
 */
export function isProcessType(name: string): name is ProcessType {
  return PROCESS_TYPE.test(name);
}

/**
 * Makes a process type, refusing invalid names.
 *
 * @example Usage
 * ```ts
 * import { processType } from "./process_type.ts";
 * processType("web");
 * ```
 *
 * @param name The candidate.
 * @returns The validated name.
 * @throws {TypeError} When the name is empty or has characters other than
 * letters, digits, `.`, `_` and `-`.
 */
export function processType(name: string): ProcessType {
  if (!isProcessType(name)) {
    throw new TypeError(
      `Cannot use process type ${
        JSON.stringify(name)
      }: only letters, digits, ".", "_" and "-" are allowed`,
    );
  }
  return name;
}
