/**
 * The buildpack's own descriptor, buildpack.toml.
 *
 * @module
 */
import { type BuildpackApi, isSupportedApi, SUPPORTED_APIS } from "./api.ts";
import { BuildpackError } from "./errors.ts";
import { describeIoError } from "./io_error.ts";
import { isTable, parseToml, TomlSyntaxError } from "./toml.ts";

/** What the phases need from buildpack.toml. */
export interface BuildpackInfo {
  /** Buildpack API the buildpack declares. */
  readonly api: BuildpackApi;
  /** Buildpack ID. */
  readonly id: string;
  /** Human-readable name. */
  readonly name: string;
  /** Version, empty when not stamped (a source checkout). */
  readonly version: string;
}

/**
 * Interprets the text of a buildpack.toml.
 *
 * @param text The file content.
 * @param path The file's path, for messages.
 * @returns The descriptor.
 * @throws {BuildpackError} When the file is not TOML or `api` is missing or
 * unsupported.
 */
export function parseBuildpackToml(text: string, path: string): BuildpackInfo {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text);
  } catch (error) {
    if (error instanceof TomlSyntaxError) {
      throw new BuildpackError(`${path}:${error.message}`, { cause: error });
    }
    throw error;
  }
  const supported = SUPPORTED_APIS.join(", ");
  const api = doc.api;
  if (api === undefined) {
    throw new BuildpackError(`${path}: "api" is missing; set it to one of ${supported}`);
  }
  if (typeof api !== "string" || !isSupportedApi(api)) {
    throw new BuildpackError(
      `${path}: api ${JSON.stringify(api)} is not supported; use one of ${supported}`,
    );
  }
  const bp = isTable(doc.buildpack) ? doc.buildpack : {};
  return {
    api,
    id: typeof bp.id === "string" ? bp.id : "",
    name: typeof bp.name === "string" ? bp.name : "",
    version: typeof bp.version === "string" ? bp.version : "",
  };
}

/**
 * Reads `<dir>/buildpack.toml`.
 *
 * @param dir The buildpack directory.
 * @returns The descriptor.
 * @throws {BuildpackError} When the file cannot be read or is invalid.
 */
export function readBuildpackToml(dir: string): BuildpackInfo {
  const path = `${dir}/buildpack.toml`;
  let text: string;
  try {
    text = Deno.readTextFileSync(path); // synchronous: see atomic_write.ts
  } catch (error) {
    throw new BuildpackError(
      `${path}: cannot be read (${
        describeIoError(error)
      }); set CNB_BUILDPACK_DIR to the buildpack directory`,
      { cause: error },
    );
  }
  return parseBuildpackToml(text, path);
}
