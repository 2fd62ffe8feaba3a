/**
 * The packaged buildpack.toml: the repository's, with the version stamped
 * and only the targets that were built, listing the files the package holds.
 *
 * @module
 */
import { isTable, parseToml, stringifyToml } from "../../src/cnb/toml.ts";

/**
 * Stamps a buildpack.toml for a package.
 *
 * @example Usage
 * ```ts
 * import { stampBuildpackToml } from "./buildpack_toml.ts";
 * stampBuildpackToml('api = "0.8"\n[buildpack]\nid = "x"\n', "1.0.0", ["linux/amd64"], []);
 * ```
 *
 * @param source The repository's buildpack.toml.
 * @param version The version to stamp.
 * @param targets The targets built, e.g. `["linux/amd64"]`.
 * @param files Every path in the package (sorted), for `[metadata] include-files`.
 * @returns The TOML text.
 * @throws {TypeError} When the source has no `[buildpack]` table.
 */
export function stampBuildpackToml(
  source: string,
  version: string,
  targets: readonly string[],
  files: readonly string[],
): string {
  const doc = parseToml(source);
  if (!isTable(doc.buildpack)) {
    throw new TypeError("Cannot stamp buildpack.toml: it has no [buildpack] table");
  }
  doc.buildpack = { ...doc.buildpack, version };
  doc.targets = targets.map((t) => {
    const [os, arch] = t.split("/");
    return { os, arch };
  });
  const metadata = isTable(doc.metadata) ? doc.metadata : {};
  doc.metadata = { ...metadata, "include-files": [...files] };
  return stringifyToml(doc);
}
