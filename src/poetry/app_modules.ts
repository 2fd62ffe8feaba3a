/**
 * The Python modules a server started in the app directory can import by
 * name: the app directory is on `sys.path` (gunicorn, uvicorn, hypercorn and
 * waitress put the working directory there), so its top-level `*.py` files
 * and package directories; and in package mode, the packages Poetry installs
 * into the venv from elsewhere (a `src/` layout, `packages = [{ include,
 * from }]`). Not: hidden directories, virtual environments, tests, docs,
 * examples, vendored trees, build output, or test files.
 *
 * The walk is bounded (entries, depth, file size) and never follows a
 * symbolic link to a directory, so a symlink loop or a huge tree cannot make
 * detect hang; what it leaves out is reported.
 *
 * @module
 */
import { isTable } from "../cnb/toml.ts";
import { isFile } from "../cnb/file_kind.ts";
import { joinPath } from "../cnb/posix_path.ts";

/** A module file. */
export interface ModuleFile {
  /** Its import name (`pkg.main`). */
  readonly name: string;
  /** Its path relative to the app directory. */
  readonly file: string;
  /** Whether it is a package's `__init__.py`. */
  readonly isPackage: boolean;
}

/** The modules found, and what the walk left out. */
export interface ModuleTree {
  /** The modules, in a stable order (by path). */
  readonly modules: readonly ModuleFile[];
  /** Whether the walk stopped at its bound before seeing every file. */
  readonly truncated: boolean;
}

/** Bounds of the walk. */
export interface WalkLimits {
  /** Directory entries looked at, in all. */
  readonly entries: number;
  /** Directory levels below an import root. */
  readonly depth: number;
}

/** The default bounds: enough for any app, bounded for any tree. */
export const DEFAULT_LIMITS: WalkLimits = { entries: 100_000, depth: 12 };

const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u;
/** Directories that hold no module a server is meant to import. */
const SKIPPED_DIRS = new Set([
  "__pycache__",
  "node_modules",
  "site-packages",
  "dist-packages",
  "tests",
  "test",
  "testing",
  "docs",
  "doc",
  "examples",
  "example",
  "vendor",
  "_vendor",
  "vendored",
  "third_party",
  "build",
  "dist",
  "migrations",
  "venv",
  "env",
]);
const TEST_FILE = /^(test_.*|.*_test|tests|conftest|setup|noxfile|manage)$/;

/** What Poetry installs from the project, as `[tool.poetry] packages` and the name say. */
export interface PoetryPackages {
  /** `tool.poetry.package-mode`. */
  readonly packageMode: boolean;
  /** pyproject.toml, parsed. */
  readonly document: Readonly<Record<string, unknown>>;
}

/**
 * The directories (relative to the app) whose contents Poetry installs as
 * top-level modules: `[tool.poetry] packages` entries' `from` (with their
 * `include`), else the project's own module in `src/` when it is not at the
 * root. Only in package mode.
 *
 * @param appDir The app directory.
 * @param poetry Package mode and the parsed pyproject.toml.
 * @returns `[from directory, include names]` pairs (include `*`: all).
 */
export function installedRoots(
  appDir: string,
  poetry: PoetryPackages,
): [string, string[]][] {
  if (!poetry.packageMode) return [];
  const doc = poetry.document;
  const tool = isTable(doc.tool) ? doc.tool : {};
  const tp = isTable(tool.poetry) ? tool.poetry : {};
  const roots = new Map<string, string[]>();
  if (Array.isArray(tp.packages)) {
    for (const p of tp.packages) {
      if (!isTable(p) || typeof p.include !== "string") continue;
      const format = p.format;
      if (format === "sdist" || (Array.isArray(format) && !format.includes("wheel"))) continue;
      const from = typeof p.from === "string" ? p.from.replace(/\/+$/, "") : "";
      if (from === "") continue; // at the root: importable from the app directory anyway
      const include = p.include.replace(/\.py$/, "");
      roots.set(from, [...roots.get(from) ?? [], include]);
    }
    return [...roots];
  }
  const project = isTable(doc.project) ? doc.project : {};
  const name = typeof project.name === "string"
    ? project.name
    : typeof tp.name === "string"
    ? tp.name
    : undefined;
  if (name === undefined) return [];
  const module = name.toLowerCase().replace(/[-.]+/g, "_");
  const exists = (p: string) => {
    try {
      Deno.statSync(joinPath(appDir, p));
      return true;
    } catch {
      return false;
    }
  };
  if (exists(module) || exists(`${module}.py`)) return [];
  return exists(joinPath("src", module)) || exists(joinPath("src", `${module}.py`))
    ? [["src", [module]]]
    : [];
}

/**
 * Walks the importable modules.
 *
 * @example Usage
 * ```ts
 * import { importableModules } from "./app_modules.ts";
 * importableModules("/workspace", []).modules.map((m) => m.name);
 * ```
 *
 * @param appDir The app directory.
 * @param installed Directories Poetry installs from ({@linkcode installedRoots}).
 * @param limits Bounds of the walk.
 * @returns The modules.
 */
export function importableModules(
  appDir: string,
  installed: readonly [string, string[]][],
  limits: WalkLimits = DEFAULT_LIMITS,
): ModuleTree {
  const modules: ModuleFile[] = [];
  const files = new Set<string>();
  let seen = 0;
  let truncated = false;
  const list = (dir: string): Deno.DirEntry[] => {
    if (seen >= limits.entries) {
      truncated = true;
      return [];
    }
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      return [];
    }
    seen += entries.length;
    if (seen > limits.entries) truncated = true;
    return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  };
  const walk = (rel: string, prefix: string[], depth: number, only?: readonly string[]) => {
    const dir = rel === "" ? appDir : joinPath(appDir, rel);
    for (const entry of list(dir)) {
      const name = entry.name;
      const relPath = rel === "" ? name : `${rel}/${name}`;
      const path = joinPath(appDir, relPath);
      if (name.endsWith(".py") && (entry.isFile || (entry.isSymlink && isFile(path)))) {
        const stem = name.slice(0, -3);
        if (!IDENTIFIER.test(stem) || (stem !== "__init__" && TEST_FILE.test(stem))) continue;
        if (only !== undefined && !only.some((o) => o === "*" || o === stem)) continue;
        const isPackage = stem === "__init__";
        if ((isPackage && prefix.length === 0) || files.has(relPath)) continue;
        files.add(relPath);
        modules.push({
          name: [...prefix, ...(isPackage ? [] : [stem])].join("."),
          file: relPath,
          isPackage,
        });
        continue;
      }
      // Directories: not through symbolic links (no loops), importable names only.
      if (!entry.isDirectory || depth >= limits.depth) continue;
      if (!IDENTIFIER.test(name) || name.startsWith(".") || SKIPPED_DIRS.has(name)) continue;
      // src/ is the layout that keeps packages off the path: only what Poetry installs counts.
      if (rel === "" && name === "src" && only === undefined) continue;
      if (only !== undefined && !only.some((o) => o === "*" || o === name)) continue;
      if (isFile(joinPath(path, "pyvenv.cfg"))) continue; // a virtual environment
      walk(relPath, [...prefix, name], depth + 1);
    }
  };
  // What Poetry installs first: a file reachable both ways keeps the name its package uses.
  for (const [from, includes] of installed) {
    const only = includes.some((i) => /[*?[]/.test(i)) ? ["*"] : includes;
    walk(from, [], 0, only);
  }
  walk("", [], 0);
  return { modules, truncated };
}
