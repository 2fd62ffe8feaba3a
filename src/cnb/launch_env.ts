/**
 * The environment the launcher will give a process, worked out at build from
 * the layers earlier buildpacks left: what lifecycle v0.21's launcher does at
 * start (`launch/launcher.go` `doEnv`, `env/env.go`), for the buildpacks
 * that built before this one.
 *
 * For each buildpack in group order, the launcher takes each layer directory
 * (by name; in the image only launch layers exist) and prepends its `bin/`
 * to `PATH` and `lib/` to `LD_LIBRARY_PATH`; then, again per layer, it
 * applies `env/`, `env.launch/` and `env.launch/<process>/` files by their
 * suffix (`.default` only sets an empty variable; no suffix overrides;
 * `.prepend`/`.append` use `<name>.delim`, default none). exec.d programs,
 * which run after that, are not run here: their output is known only at start.
 *
 * Reading the other buildpacks' layers and `group.toml` in the layers root
 * goes beyond what the Buildpack API promises a buildpack; the lifecycle lays
 * them out so in every flow (the creator and the five phases). Where
 * group.toml is missing, the buildpack directories are taken in name order.
 *
 * @module
 */
import { isDirectory } from "./file_kind.ts";
import type { EnvLookup } from "./io.ts";
import { cleanPath, dirName, joinPath } from "./posix_path.ts";
import { isTable, parseToml } from "./toml.ts";

/** Variables by name. */
export type EnvMap = Record<string, string>;

/**
 * A buildpack ID as the lifecycle names its layers directory (`/` → `_`).
 *
 * @param id The buildpack ID.
 * @returns The directory name.
 */
export function escapeBuildpackId(id: string): string {
  return id.replaceAll("/", "_");
}

/**
 * The buildpack IDs of `<layersRoot>/group.toml`, in group order.
 *
 * @param layersRoot The lifecycle's layers directory (the parent of each buildpack's).
 * @returns The IDs, or `undefined` when the file is missing or unreadable.
 */
export function readGroupOrder(layersRoot: string): string[] | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(Deno.readTextFileSync(joinPath(layersRoot, "group.toml")));
  } catch {
    return undefined;
  }
  const group = Array.isArray(doc.group) ? doc.group : [];
  return group.flatMap((g) => isTable(g) && typeof g.id === "string" ? [g.id] : []);
}

function entries(dir: string): Deno.DirEntry[] {
  try {
    // Go's os.ReadDir sorts by name, byte by byte.
    return [...Deno.readDirSync(dir)].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
  } catch {
    return [];
  }
}

/** Whether `<bpDir>/<layer>.toml` says `[types] launch = true`. */
function isLaunchLayer(bpDir: string, layer: string): boolean {
  try {
    const types = parseToml(Deno.readTextFileSync(joinPath(bpDir, `${layer}.toml`))).types;
    return isTable(types) && types.launch === true;
  } catch {
    return false;
  }
}

/** The launch layers of one buildpack, in the launcher's order. */
function launchLayers(bpDir: string): string[] {
  return entries(bpDir).filter((e) => isDirectory(joinPath(bpDir, e.name)))
    .map((e) => e.name).filter((name) => isLaunchLayer(bpDir, name))
    .map((name) => joinPath(bpDir, name));
}

const prefixed = (value: string, delim: string, rest: string | undefined) =>
  rest === undefined || rest === "" ? value : `${value}${delim}${rest}`;

function readDelim(dir: string, name: string): string {
  try {
    return Deno.readTextFileSync(joinPath(dir, `${name}.delim`));
  } catch {
    return "";
  }
}

/**
 * Applies one environment directory to `env` as the lifecycle does (default
 * action: override).
 *
 * @param env The variables, changed in place.
 * @param dir The directory (`<layer>/env`, `<layer>/env.launch`, …); missing is fine.
 */
export function applyEnvDir(env: EnvMap, dir: string): void {
  for (const entry of entries(dir)) {
    const path = joinPath(dir, entry.name);
    if (isDirectory(path)) continue;
    let value: string;
    try {
      value = Deno.readTextFileSync(path);
    } catch {
      continue;
    }
    const dot = entry.name.indexOf(".");
    const name = dot < 0 ? entry.name : entry.name.slice(0, dot);
    const action = dot < 0 ? "override" : entry.name.slice(dot + 1);
    const current = env[name];
    switch (action) {
      case "override":
        env[name] = value;
        break;
      case "default":
        if (current === undefined || current === "") env[name] = value;
        break;
      case "prepend":
        env[name] = prefixed(value, readDelim(dir, name), current);
        break;
      case "append":
        env[name] = current === undefined || current === ""
          ? value
          : `${current}${readDelim(dir, name)}${value}`;
        break;
        // `.delim` files and unknown suffixes change nothing, as in the lifecycle.
    }
  }
}

/** Options of {@linkcode launchEnvironment}. */
export interface LaunchEnvOptions {
  /** The lifecycle's layers directory. */
  readonly layersRoot: string;
  /** The buildpacks whose layers apply, in group order. */
  readonly buildpacks: readonly string[];
  /** The environment the launcher starts from (the run image's). */
  readonly base: Readonly<EnvMap>;
  /** The process type, for `env.launch/<type>/`. */
  readonly processType?: string;
}

/**
 * Works out a process's launch environment from earlier buildpacks' launch layers.
 *
 * @example Usage
 * ```ts
 * import { launchEnvironment } from "./launch_env.ts";
 * launchEnvironment({ layersRoot: "/layers", buildpacks: ["example/python"], base: { PATH: "/usr/bin" } });
 * ```
 *
 * @param opts Layers root, buildpacks, base environment, process type.
 * @returns The environment.
 */
export function launchEnvironment(opts: LaunchEnvOptions): EnvMap {
  const env: EnvMap = { ...opts.base };
  for (const id of opts.buildpacks) {
    const layers = launchLayers(joinPath(opts.layersRoot, escapeBuildpackId(id)));
    for (const layer of layers) {
      for (const [sub, name] of [["bin", "PATH"], ["lib", "LD_LIBRARY_PATH"]] as const) {
        const dir = joinPath(layer, sub);
        if (isDirectory(dir)) env[name] = prefixed(dir, ":", env[name]);
      }
    }
    for (const layer of layers) {
      applyEnvDir(env, joinPath(layer, "env"));
      applyEnvDir(env, joinPath(layer, "env.launch"));
      if (opts.processType !== undefined && opts.processType !== "") {
        applyEnvDir(env, joinPath(layer, "env.launch", opts.processType));
      }
    }
  }
  return env;
}

function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Whether `path` lies in `dir` (or is it). */
const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/**
 * The environment the run image gives the launcher, as far as the build can
 * tell: the build's `PATH` and `LD_LIBRARY_PATH` without the build layers'
 * directories, and `HOME`. Everything else a Python start reads (`PYTHONPATH`,
 * …) comes from launch layers.
 *
 * @param env The build environment.
 * @param layersRoot The lifecycle's layers directory.
 * @returns The base environment.
 */
export function runImageEnv(env: EnvLookup, layersRoot: string): EnvMap {
  const base: EnvMap = {};
  for (const name of ["PATH", "LD_LIBRARY_PATH"]) {
    const value = env(name);
    if (value === undefined) continue;
    const kept = value.split(":").filter((p) => p !== "" && !under(p, layersRoot));
    if (kept.length > 0) base[name] = kept.join(":");
  }
  const home = env("HOME");
  if (home !== undefined) base.HOME = home;
  return base;
}

/**
 * Finds a program as the launcher does for a process command (Go's
 * `exec.LookPath`): a name with a `/` as it is (relative to `cwd`), else the
 * first executable file of that name in a `PATH` directory.
 *
 * @example Usage
 * ```ts
 * import { lookPath } from "./launch_env.ts";
 * lookPath("sh", "/usr/bin:/bin", "/"); // "/usr/bin/sh"
 * ```
 *
 * @param name The command.
 * @param path The `PATH` value.
 * @param cwd The directory the process starts in (the app directory).
 * @returns The file's path, or `undefined` when there is none.
 */
export function lookPath(name: string, path: string | undefined, cwd: string): string | undefined {
  if (name === "") return undefined;
  const resolve = (p: string) => cleanPath(p.startsWith("/") ? p : `${cwd}/${p}`);
  if (name.includes("/")) {
    const file = resolve(name);
    return isExecutableFile(file) ? file : undefined;
  }
  for (const dir of (path ?? "").split(":")) {
    const file = resolve(`${dir === "" ? "." : dir}/${name}`);
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}

/**
 * The buildpacks that built before `self`, in group order: from group.toml,
 * else every other buildpack directory in name order.
 *
 * @param layersRoot The lifecycle's layers directory.
 * @param self This buildpack's ID.
 * @returns The IDs (escaped directory names where group.toml is missing) and
 * whether the order is known.
 */
export function earlierBuildpacks(
  layersRoot: string,
  self: string,
): { readonly ids: string[]; readonly fromGroup: boolean } {
  const group = readGroupOrder(layersRoot);
  if (group !== undefined && group.includes(self)) {
    return { ids: group.slice(0, group.indexOf(self)), fromGroup: true };
  }
  const mine = escapeBuildpackId(self);
  const ids = entries(layersRoot).filter((e) =>
    e.name !== mine && e.name !== "config" && e.name !== "sbom" &&
    isDirectory(joinPath(layersRoot, e.name))
  ).map((e) => e.name);
  return { ids, fromGroup: false };
}

/** Where a buildpack's process will run: its launch environment as far as build can tell. */
export interface ProcessEnvironment {
  /** The variables. */
  readonly env: EnvMap;
  /** Whether the earlier buildpacks' order came from group.toml (else: directory names). */
  readonly fromGroup: boolean;
}

/**
 * The launch environment of one of a buildpack's processes, worked out at
 * build: the run image's base ({@linkcode runImageEnv}) with the launch
 * layers of the buildpacks that built before it applied in group order.
 *
 * @example Usage
 * ```ts
 * import { processEnvironment } from "./launch_env.ts";
 * const { env } = processEnvironment("/layers/example_bp", "example/bp", (n) => Deno.env.get(n), "web");
 * env.PATH;
 * ```
 *
 * @param layersDir The buildpack's own layers directory (`<layers root>/<escaped id>`).
 * @param buildpackId The buildpack's ID.
 * @param buildEnv The build environment.
 * @param processType The process type (`env.launch/<type>/` applies to it).
 * @returns The environment.
 */
export function processEnvironment(
  layersDir: string,
  buildpackId: string,
  buildEnv: EnvLookup,
  processType?: string,
): ProcessEnvironment {
  const layersRoot = dirName(layersDir);
  const earlier = earlierBuildpacks(layersRoot, buildpackId);
  const env = launchEnvironment({
    layersRoot,
    buildpacks: earlier.ids,
    base: runImageEnv(buildEnv, layersRoot),
    ...(processType === undefined ? {} : { processType }),
  });
  return { env, fromGroup: earlier.fromGroup };
}
