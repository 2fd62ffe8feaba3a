/**
 * Layers a build contributes, as data: `<layers>/<name>/` with its content and
 * environment files, and `<layers>/<name>.toml` saying what the layer is for
 * (Buildpack API 0.7–0.12 all use the `[types]` table) and its metadata.
 *
 * A build declares its layers in its result ({@linkcode Layer}); the runner
 * writes them and removes every other layer of the buildpack
 * (`layer_store.ts`). The content goes through a {@linkcode LayerHandle} the
 * runner gives the build, so the buildpack itself makes no file-system call
 * on its layers.
 *
 * @module
 */
import { tomlString } from "./toml_string.ts";

/** What a layer is for. Unset flags are `false`. */
export interface LayerTypes {
  /** Exported into the app image. */
  readonly launch?: boolean;
  /** Visible to later buildpacks at build. */
  readonly build?: boolean;
  /** Kept in the build cache for the next build (its content is restored). */
  readonly cache?: boolean;
}

/** How an environment file changes a variable (the file name's suffix). */
export type EnvAction = "default" | "override" | "prepend" | "append";

/** One environment file of a layer: `<layer>/<scope>/[<process>/]<name>.<action>`. */
export interface LayerEnvFile {
  /** `env` (build and launch), `env.launch` or `env.build`. */
  readonly scope: "env" | "env.launch" | "env.build";
  /** With `env.launch`: only for this process type (`env.launch/<type>/`). */
  readonly process?: string;
  /** The variable. */
  readonly name: string;
  /** What the file does to it. */
  readonly action: EnvAction;
  /** The value, written verbatim (no newline is added). */
  readonly value: string;
  /** For `prepend` and `append`: the delimiter (a `<name>.delim` file). */
  readonly delim?: string;
}

/** A metadata value of `<name>.toml`. */
export type LayerMetadataValue = string | number | boolean;

/** A layer contributed by a build: what the runner writes as `<name>.toml` and env files. */
export interface Layer {
  /** The layer's name: its directory under the buildpack's layers directory. */
  readonly name: LayerName;
  /** What it is for. */
  readonly types: LayerTypes;
  /** Environment files (the layer's whole environment: others are removed). */
  readonly env?: readonly LayerEnvFile[];
  /** `[metadata]` of `<name>.toml`, read back by the next build ({@linkcode LayerHandle.restored}). */
  readonly metadata?: Readonly<Record<string, LayerMetadataValue>>;
}

/** What the lifecycle restored of a layer from the previous build. */
export interface RestoredLayer {
  /** `[metadata]` of the restored `<name>.toml` (integers as numbers; nested values left out). */
  readonly metadata: Readonly<Record<string, LayerMetadataValue>>;
  /** Whether the layer's content was restored too (a `cache = true` layer, from the cache). */
  readonly hasContent: boolean;
}

/**
 * One of the buildpack's layers, as the runner lets a build use it: what the
 * previous build left, and the only ways to change its content. Paths given
 * to its methods are relative to the layer's directory.
 */
export interface LayerHandle {
  /** The layer's name. */
  readonly name: LayerName;
  /** The layer's directory, for a program the build runs to write content into. */
  readonly path: string;
  /** What the previous build left (`undefined` when nothing was restored). */
  readonly restored: RestoredLayer | undefined;
  /** Removes whatever the layer holds (content, environment, toml) and creates its empty directory. */
  reset(): void;
  /** Creates a directory (and its parents) in the layer. */
  makeDir(relative: string): void;
  /** Writes a text file in the layer atomically (parents created; mode default 0o644). */
  writeFile(relative: string, text: string, mode?: number): void;
  /** Creates (or replaces) a symbolic link in the layer pointing at `target`. */
  symlink(relative: string, target: string): void;
}

/** The buildpack's layers, as the runner hands them to a build. */
export interface LayerStore {
  /** A handle on a layer (its directory need not exist). */
  layer(name: LayerName): LayerHandle;
}

/** A valid layer name (see {@linkcode layerName}). */
export type LayerName = string & { readonly __layerName: never };

/** As libcnb.rs: letters, digits, `.`, `_`, `-`; not the names of the lifecycle's own files. */
const LAYER_NAME = /^[A-Za-z0-9._-]+$/;
const RESERVED = new Set(["build", "launch", "store", ".", ".."]);

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
 * @throws {TypeError} For a metadata number TOML cannot hold.
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
