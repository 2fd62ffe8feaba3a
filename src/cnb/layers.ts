/**
 * Layers a build contributes: `<layers>/<name>/` with its content and
 * environment files, and `<layers>/<name>.toml` saying what the layer is for
 * (Buildpack API 0.7–0.12 all use the `[types]` table).
 *
 * The buildpack writes a layer's content itself, into the directory
 * {@linkcode resetLayer} gives it; the runner then writes the layer's
 * environment files and, last, its `<name>.toml` ({@linkcode writeLayer}), each
 * atomically. A layer from an earlier build that this build does not
 * contribute again must be removed ({@linkcode removeLayer}): the lifecycle
 * restores launch layers' `<name>.toml` from the previous image, and a
 * restored toml left in place makes the exporter reuse the old layer.
 *
 * @module
 */
import { writeFileAtomic } from "./atomic_write.ts";
import { joinPath } from "./posix_path.ts";
import { tomlString } from "./toml_string.ts";

/** What a layer is for. Unset flags are `false`. */
export interface LayerTypes {
  /** Exported into the app image. */
  readonly launch?: boolean;
  /** Visible to later buildpacks at build. */
  readonly build?: boolean;
  /** Kept in the build cache for the next build. */
  readonly cache?: boolean;
}

/** How an environment file changes a variable (the file name's suffix). */
export type EnvAction = "default" | "override" | "prepend" | "append";

/** One environment file of a layer: `<layer>/<scope>/<name>.<action>`. */
export interface LayerEnvFile {
  /** `env` (build and launch), `env.launch` or `env.build`. */
  readonly scope: "env" | "env.launch" | "env.build";
  /** The variable. */
  readonly name: string;
  /** What the file does to it. */
  readonly action: EnvAction;
  /** The value, written verbatim (no newline is added). */
  readonly value: string;
  /** For `prepend` and `append`: the delimiter (a `<name>.delim` file). */
  readonly delim?: string;
}

/** A layer contributed by a build. */
export interface Layer {
  /** The layer's name: its directory under the buildpack's layers directory. */
  readonly name: LayerName;
  /** What it is for. */
  readonly types: LayerTypes;
  /** Environment files. */
  readonly env?: readonly LayerEnvFile[];
  /** `[metadata]` of `<name>.toml`: strings, numbers and booleans. */
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
}

/** A valid layer name (see {@linkcode layerName}). */
export type LayerName = string & { readonly __layerName: never };

/** As libcnb.rs: letters, digits, `.`, `_`, `-`; not the names of the lifecycle's own files. */
const LAYER_NAME = /^[A-Za-z0-9._-]+$/;
const RESERVED = new Set(["build", "launch", "store", ".", ".."]);
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Makes a layer name, refusing names the lifecycle would misread.
 *
 * @example Usage
 * ```ts
 * import { layerName } from "./layers.ts";
 * layerName("bytecode");
 * ```
 *
 * @param name The candidate.
 * @returns The validated name.
 * @throws {TypeError} For an empty name, characters other than letters,
 * digits, `.`, `_` and `-`, or `build`, `launch`, `store` (their `.toml`
 * files are the lifecycle's).
 */
export function layerName(name: string): LayerName {
  if (!LAYER_NAME.test(name) || RESERVED.has(name)) {
    throw new TypeError(
      `Cannot use layer name ${
        JSON.stringify(name)
      }: use letters, digits, ".", "_" and "-", and not build, launch or store`,
    );
  }
  return name as LayerName;
}

/**
 * Encodes `<name>.toml` (Buildpack API 0.6 and later: the flags in `[types]`).
 *
 * @example Usage
 * ```ts
 * import { layerName, layerToml } from "./layers.ts";
 * layerToml({ name: layerName("bytecode"), types: { launch: true } });
 * // "[types]\n  launch = true\n  build = false\n  cache = false\n"
 * ```
 *
 * @param layer The layer.
 * @returns The TOML text.
 * @throws {TypeError} For a metadata key or value TOML cannot hold as written.
 */
export function layerToml(layer: Layer): string {
  const t = layer.types;
  let text = `[types]\n  launch = ${t.launch === true}\n  build = ${t.build === true}\n` +
    `  cache = ${t.cache === true}\n`;
  const entries = Object.entries(layer.metadata ?? {});
  if (entries.length > 0) {
    text += "\n[metadata]\n";
    for (const [key, value] of entries) {
      if (typeof value === "number" && !Number.isFinite(value)) {
        throw new TypeError(`Cannot write layer metadata ${key}: ${value} is not a finite number`);
      }
      text += `  ${tomlString(key)} = ${typeof value === "string" ? tomlString(value) : value}\n`;
    }
  }
  return text;
}

/** The path of a layer's directory. */
function layerDir(layersDir: string, name: LayerName): string {
  return joinPath(layersDir, name);
}

/**
 * Removes a layer: its directory, `<name>.toml` and `<name>.sbom.*` files.
 * Missing parts are fine.
 *
 * @param layersDir The buildpack's layers directory.
 * @param name The layer.
 * @throws {Deno.errors.PermissionDenied} As the file calls do.
 */
export function removeLayer(layersDir: string, name: LayerName): void {
  const gone = (path: string, recursive = false) => {
    try {
      Deno.removeSync(path, { recursive });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  };
  let listing: Deno.DirEntry[];
  try {
    listing = [...Deno.readDirSync(layersDir)];
  } catch (error) {
    // No layers directory: no layer to remove (writing launch.toml will say what is wrong).
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) return;
    throw error;
  }
  gone(joinPath(layersDir, `${name}.toml`));
  gone(layerDir(layersDir, name), true);
  for (const entry of listing) {
    if (entry.name.startsWith(`${name}.sbom.`)) gone(joinPath(layersDir, entry.name));
  }
}

/**
 * Empties a layer (whatever an earlier build or the cache left) and creates
 * its directory, for the build to write the content into.
 *
 * @param layersDir The buildpack's layers directory.
 * @param name The layer.
 * @returns The layer's directory, empty.
 * @throws {Deno.errors.PermissionDenied} As the file calls do.
 */
export function resetLayer(layersDir: string, name: LayerName): string {
  removeLayer(layersDir, name);
  const dir = layerDir(layersDir, name);
  Deno.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Writes a layer's environment files, then its `<name>.toml`, each
 * atomically; the layer's directory is created when the build wrote none.
 *
 * @param layersDir The buildpack's layers directory.
 * @param layer The layer.
 * @throws {TypeError} For an environment file whose variable name is not a
 * POSIX name, or a delimiter on `default`/`override`.
 */
export function writeLayer(layersDir: string, layer: Layer): void {
  const dir = layerDir(layersDir, layer.name);
  Deno.mkdirSync(dir, { recursive: true });
  for (const file of layer.env ?? []) {
    if (!VARIABLE.test(file.name)) {
      throw new TypeError(
        `Cannot write an environment file for ${JSON.stringify(file.name)}: not a variable name`,
      );
    }
    const scope = joinPath(dir, file.scope);
    Deno.mkdirSync(scope, { recursive: true });
    writeFileAtomic(joinPath(scope, `${file.name}.${file.action}`), file.value);
    if (file.delim !== undefined) {
      if (file.action !== "prepend" && file.action !== "append") {
        throw new TypeError(`Cannot write a delimiter for ${file.name}.${file.action}`);
      }
      writeFileAtomic(joinPath(scope, `${file.name}.delim`), file.delim);
    }
  }
  writeFileAtomic(joinPath(layersDir, `${layer.name}.toml`), layerToml(layer));
}
