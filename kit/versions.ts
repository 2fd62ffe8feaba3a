/**
 * The pinned versions of `versions.env`, the project's one versions file.
 *
 * @module
 */
import { join } from "node:path";
import { REPO_ROOT } from "./phase_command.ts";

/** The keys of versions.env. */
export type VersionKey =
  | "DENO"
  | "DENO_ARM64"
  | "LIFECYCLE"
  | "PACK"
  | "POETRY"
  | "WATCHEXEC"
  | "CPYTHON"
  | "DEBIAN_SUITE"
  | "BUILDPACK_APIS"
  | "PLATFORM_APIS";

/**
 * Parses the text of versions.env: `KEY=value` lines (a value may be in
 * double quotes), `#` comments.
 *
 * @example Usage
 * ```ts
 * import { parseVersions } from "./versions.ts";
 * parseVersions('DENO=2.9.6\nAPIS="0.7 0.8"\n'); // { DENO: "2.9.6", APIS: "0.7 0.8" }
 * ```
 *
 * @param text The file's text.
 * @returns The values by key.
 * @throws {SyntaxError} For a line that is neither.
 */
export function parseVersions(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const m = /^([A-Z][A-Z0-9_]*)=(?:"([^"]*)"|([^"\s]*))$/.exec(line);
    if (m === null) throw new SyntaxError(`versions.env:${i + 1}: not KEY=value: ${line}`);
    out[m[1] as string] = m[2] ?? m[3] ?? "";
  });
  return out;
}

let cache: Record<string, string> | undefined;

/**
 * One pinned version.
 *
 * @param key The key.
 * @returns The value.
 * @throws {Error} When versions.env has no such key.
 */
export function version(key: VersionKey): string {
  cache ??= parseVersions(Deno.readTextFileSync(join(REPO_ROOT, "versions.env")));
  const value = cache[key];
  if (value === undefined) throw new Error(`versions.env has no ${key}`);
  return value;
}
