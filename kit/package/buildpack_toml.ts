/**
 * The one stamper of buildpack.toml: the repository's, with a version (the
 * repository's has none) and, as a package or a test needs, another Buildpack
 * API, only the targets that were built, and the files the package holds.
 *
 * @module
 */
import { isTable, parseToml } from "../../src/cnb/toml.ts";
import { stringifyToml } from "../toml_write.ts";

/** What to stamp. */
export interface Stamp {
  /** `[buildpack] version`. */
  readonly version: string;
  /** `api`, when not the repository's. */
  readonly api?: string;
  /** `[[targets]]`, e.g. `["linux/amd64"]`, when not the repository's. */
  readonly targets?: readonly string[];
  /** `[metadata] include-files`: every path in the package (sorted). */
  readonly files?: readonly string[];
}

/**
 * Stamps a buildpack.toml.
 *
 * @example Usage
 * ```ts
 * import { stampBuildpackToml } from "./buildpack_toml.ts";
 * stampBuildpackToml('api = "0.8"\n[buildpack]\nid = "x"\n', { version: "1.0.0", targets: ["linux/amd64"] });
 * ```
 *
 * @param source The repository's buildpack.toml.
 * @param stamp Version, and optionally API, targets and files.
 * @returns The TOML text.
 * @throws {TypeError} When the source has no `[buildpack]` table.
 */
export function stampBuildpackToml(source: string, stamp: Stamp): string {
  const doc = parseToml(source);
  if (!isTable(doc.buildpack)) {
    throw new TypeError("Cannot stamp buildpack.toml: it has no [buildpack] table");
  }
  doc.buildpack = { ...doc.buildpack, version: stamp.version };
  if (stamp.api !== undefined) doc.api = stamp.api;
  if (stamp.targets !== undefined) {
    doc.targets = stamp.targets.map((t) => {
      const [os, arch] = t.split("/");
      return { os, arch };
    });
  }
  if (stamp.files !== undefined) {
    const metadata = isTable(doc.metadata) ? doc.metadata : {};
    doc.metadata = { ...metadata, "include-files": [...stamp.files] };
  }
  return stringifyToml(doc);
}
