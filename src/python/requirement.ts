/**
 * PEP 508 requirement strings (`uvicorn[standard]>=0.30; sys_platform !=
 * "win32"`), read for what an install includes: the distribution's name, the
 * extras asked for, and the marker.
 *
 * @module
 */

/** A parsed requirement. */
export interface Requirement {
  /** The distribution's name, normalized (PEP 503: lower case, runs of `-_.` as `-`). */
  readonly name: string;
  /** The extras asked for, normalized. */
  readonly extras: readonly string[];
  /** The marker after `;` (empty when there is none). */
  readonly marker: string;
}

/**
 * Normalizes a distribution or extra name as PEP 503 does.
 *
 * @example Usage
 * ```ts
 * import { normalizeName } from "./requirement.ts";
 * normalizeName("Flask_SQLAlchemy"); // "flask-sqlalchemy"
 * ```
 *
 * @param name The name.
 * @returns It in lower case, with runs of `-`, `_` and `.` as one `-`.
 */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

const HEAD = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?/;

/**
 * Parses a PEP 508 requirement.
 *
 * @example Usage
 * ```ts
 * import { parseRequirement } from "./requirement.ts";
 * parseRequirement('fastapi[standard] (>=0.110) ; python_version >= "3.9"');
 * // { name: "fastapi", extras: ["standard"], marker: 'python_version >= "3.9"' }
 * ```
 *
 * @param text The requirement.
 * @returns It, or `undefined` when it does not start with a distribution name.
 */
export function parseRequirement(text: string): Requirement | undefined {
  const head = HEAD.exec(text);
  if (head === null) return undefined;
  const extras = (head[2] ?? "").split(",").map((e) => e.trim()).filter((e) => e !== "")
    .map(normalizeName);
  const rest = text.slice(head[0].length);
  // A URL requirement (`name @ https://…;`) needs a space before its `;`.
  const url = /^\s*@/.test(rest);
  const semi = url ? rest.search(/\s;/) : rest.indexOf(";");
  const marker = semi < 0 ? "" : rest.slice(semi + (url ? 2 : 1)).trim();
  return { name: normalizeName(head[1] as string), extras, marker };
}
