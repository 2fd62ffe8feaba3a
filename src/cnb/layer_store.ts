/**
 * The runner's side of layers: the handles a build uses
 * ({@linkcode openLayerStore}) and, after the build, writing what it declared
 * and removing the rest ({@linkcode writeLayers}). Every file goes through
 * here, written atomically.
 *
 * Why undeclared layers are removed: the lifecycle restores the `<name>.toml`
 * of the previous image's launch layers (and the content of `cache = true`
 * ones) before build. A toml left in place makes the exporter reuse the old
 * layer, so a layer this build did not declare would be served stale.
 *
 * @module
 */
import { writeFileAtomic } from "./atomic_write.ts";
import {
  type Layer,
  type LayerEnvFile,
  type LayerHandle,
  type LayerMetadataValue,
  type LayerName,
  type LayerStore,
  layerToml,
  type RestoredLayer,
} from "./layers.ts";
import { BuildpackError } from "./errors.ts";
import { describeIoError } from "./io_error.ts";
import { dirName, joinPath } from "./posix_path.ts";
import { isProcessType } from "./process_type.ts";
import { isTable, parseToml } from "./toml.ts";

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Files of the layers directory that are the lifecycle's, not layers. */
const NOT_LAYERS = new Set(["launch", "build", "store"]);
const ENV_SCOPES = ["env", "env.launch", "env.build"] as const;

function removeIfThere(path: string, recursive = false): void {
  try {
    Deno.removeSync(path, { recursive });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function listing(dir: string): Deno.DirEntry[] {
  try {
    return [...Deno.readDirSync(dir)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return [];
    }
    throw error;
  }
}

/** A relative path inside a layer: no `..`, not absolute, not empty. */
function inside(dir: string, relative: string): string {
  const parts = relative.split("/");
  if (relative === "" || relative.startsWith("/") || parts.some((p) => p === ".." || p === "")) {
    throw new TypeError(`Cannot use ${JSON.stringify(relative)} as a path inside a layer`);
  }
  return joinPath(dir, relative);
}

function readRestored(layersDir: string, name: LayerName): RestoredLayer | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(joinPath(layersDir, `${name}.toml`));
  } catch {
    return undefined;
  }
  const metadata: Record<string, LayerMetadataValue> = {};
  try {
    const table = parseToml(text).metadata;
    if (isTable(table)) {
      for (const [key, value] of Object.entries(table)) {
        if (typeof value === "bigint") metadata[key] = Number(value);
        else if (["string", "number", "boolean"].includes(typeof value)) {
          metadata[key] = value as LayerMetadataValue;
        }
      }
    }
  } catch {
    // A toml that does not parse restores nothing usable: the layer starts over.
    return { metadata: {}, hasContent: false };
  }
  return { metadata, hasContent: listing(joinPath(layersDir, name)).length > 0 };
}

/**
 * Opens the buildpack's layers directory for a build: each handle reports
 * what the lifecycle restored and changes the layer's content.
 *
 * @example Usage
 * ```ts
 * import { openLayerStore } from "./layer_store.ts";
 * import { layerName } from "./layers.ts";
 * const layer = openLayerStore("/layers/example").layer(layerName("bytecode"));
 * layer.restored?.metadata;
 * ```
 *
 * @param layersDir The buildpack's layers directory.
 * @returns The store.
 */
export function openLayerStore(layersDir: string): LayerStore {
  return {
    layer(name: LayerName): LayerHandle {
      const path = joinPath(layersDir, name);
      return {
        name,
        path,
        restored: readRestored(layersDir, name),
        reset: () =>
          guarded(path, () => {
            removeLayer(layersDir, name);
            Deno.mkdirSync(path, { recursive: true });
          }),
        makeDir: (relative) =>
          guarded(path, () => Deno.mkdirSync(inside(path, relative), { recursive: true })),
        writeFile: (relative, text, mode = 0o644) => {
          const file = inside(path, relative);
          guarded(file, () => {
            Deno.mkdirSync(dirName(file), { recursive: true });
            writeFileAtomic(file, text);
            Deno.chmodSync(file, mode);
          });
        },
        symlink: (relative, target) => {
          const link = inside(path, relative);
          guarded(link, () => {
            Deno.mkdirSync(dirName(link), { recursive: true });
            removeIfThere(link);
            Deno.symlinkSync(target, link);
          });
        },
      };
    },
  };
}

/** Runs a file operation on a layer; a file-system error becomes one line naming the path. */
function guarded(path: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error && !(error instanceof TypeError)) {
      throw new BuildpackError(
        `${path}: cannot write the layer (${
          describeIoError(error)
        }); check CNB_LAYERS_DIR and that the directory is writable`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Removes a layer: its directory, `<name>.toml` and `<name>.sbom.*` files.
 * Missing parts are fine.
 *
 * @param layersDir The buildpack's layers directory.
 * @param name The layer.
 */
export function removeLayer(layersDir: string, name: string): void {
  const entries = listing(layersDir);
  removeIfThere(joinPath(layersDir, `${name}.toml`));
  removeIfThere(joinPath(layersDir, name), true);
  for (const entry of entries) {
    if (entry.name.startsWith(`${name}.sbom.`)) removeIfThere(joinPath(layersDir, entry.name));
  }
}

/** The names of the layers present in a layers directory (restored, or written by this build). */
function presentLayers(layersDir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of listing(layersDir)) {
    const name = entry.isDirectory
      ? entry.name
      : entry.name.endsWith(".toml")
      ? entry.name.slice(0, -".toml".length)
      : /^(.+?)\.sbom\./.exec(entry.name)?.[1];
    if (name !== undefined && !NOT_LAYERS.has(name)) found.add(name);
  }
  return found;
}

function envPath(layerDir: string, file: LayerEnvFile): string {
  if (!VARIABLE.test(file.name)) {
    throw new TypeError(
      `Cannot write an environment file for ${JSON.stringify(file.name)}: not a variable name`,
    );
  }
  if (file.delim !== undefined && file.action !== "prepend" && file.action !== "append") {
    throw new TypeError(`Cannot write a delimiter for ${file.name}.${file.action}`);
  }
  if (file.process === undefined) return joinPath(layerDir, file.scope);
  if (file.scope !== "env.launch" || !isProcessType(file.process)) {
    throw new TypeError(
      `Cannot write ${file.name} for process ${JSON.stringify(file.process)} in ${file.scope}: ` +
        `only env.launch has process directories, named as process types`,
    );
  }
  return joinPath(layerDir, file.scope, file.process);
}

/**
 * Writes the layers a build declared, each environment (replacing the
 * previous one) then its `<name>.toml`, atomically; removes every other layer
 * in the directory.
 *
 * @example Usage
 * ```ts
 * import { writeLayers } from "./layer_store.ts";
 * import { layerName } from "./layers.ts";
 * writeLayers("/layers/example", [{ name: layerName("bytecode"), types: { launch: true } }]);
 * ```
 *
 * @param layersDir The buildpack's layers directory.
 * @param declared The layers.
 * @throws {TypeError} For an environment file whose variable name is not a
 * POSIX name, a delimiter on `default`/`override`, a process directory
 * outside `env.launch`, or a layer declared twice.
 */
export function writeLayers(layersDir: string, declared: readonly Layer[]): void {
  const names = new Set<string>();
  for (const layer of declared) {
    if (names.has(layer.name)) throw new TypeError(`Cannot declare layer ${layer.name} twice`);
    names.add(layer.name);
    // Checked before anything is written or removed.
    for (const file of layer.env ?? []) envPath("", file);
    layerToml(layer);
  }
  for (const name of presentLayers(layersDir)) {
    if (!names.has(name)) removeLayer(layersDir, name);
  }
  for (const layer of declared) {
    const dir = joinPath(layersDir, layer.name);
    Deno.mkdirSync(dir, { recursive: true });
    for (const scope of ENV_SCOPES) removeIfThere(joinPath(dir, scope), true);
    for (const file of layer.env ?? []) {
      const scopeDir = envPath(dir, file);
      Deno.mkdirSync(scopeDir, { recursive: true });
      writeFileAtomic(joinPath(scopeDir, `${file.name}.${file.action}`), file.value);
      if (file.delim !== undefined) {
        writeFileAtomic(joinPath(scopeDir, `${file.name}.delim`), file.delim);
      }
    }
    writeFileAtomic(joinPath(layersDir, `${layer.name}.toml`), layerToml(layer));
  }
}
