/**
 * Which distributions the image's venv will have, known before anything is
 * installed: what Paketo's poetry-install installs is
 * `poetry sync --only <BP_POETRY_INSTALL_ONLY, default main>`, so from
 * poetry.lock when there is one (its `groups` and `markers` per package,
 * lock 2.1; older locks by following each package's dependencies and extras
 * from the project's), else from the project's own dependency tables (and a
 * few facts about well-known extras). Each distribution is present for
 * certain, or only maybe (a marker that depends on what is not known yet,
 * such as the Python version).
 *
 * The reading is lenient: a table of an unexpected shape is skipped, never an
 * error, because it only decides whether a start command can be inferred.
 *
 * @module
 */
import { isTable } from "../cnb/toml.ts";
import {
  evaluateOverPythons,
  type MarkerEnv,
  pythonMinors,
  type Truth,
} from "../python/markers.ts";
import { normalizeName, parseRequirement } from "../python/requirement.ts";

/** A distribution the venv will (or may) have, and why. */
export interface Presence {
  /** `true`: installed; `undefined`: only under a marker that is not known yet. */
  readonly present: true | undefined;
  /** Where that comes from, for the log: `poetry.lock: uvicorn 0.30.6 (main)`. */
  readonly why: string;
}

/** The distributions the venv will have, by normalized name. */
export type Installed = ReadonlyMap<string, Presence>;

const KNOWN_EXTRAS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  // fastapi's metadata: each of these extras requires uvicorn[standard].
  "fastapi": {
    "standard": ["uvicorn"],
    "standard-no-fastapi-cloud-cli": ["uvicorn"],
    "all": ["uvicorn"],
  },
  // litestar's "standard" extra requires uvicorn.
  "litestar": { "standard": ["uvicorn"] },
};
const KNOWN_REQUIRES: Readonly<Record<string, readonly string[]>> = {
  // quart requires hypercorn (its own server).
  "quart": ["hypercorn"],
  // uvicorn-worker (gunicorn's uvicorn worker class, out of uvicorn) requires both.
  "uvicorn-worker": ["gunicorn", "uvicorn"],
};

/**
 * A condition per possible Python minor version (one element when the
 * version is not known): whether a package is installed under each.
 */
type Cond = readonly Truth[];

const or1 = (a: Truth, b: Truth): Truth =>
  a === true || b === true ? true : a === false && b === false ? false : undefined;
const and1 = (a: Truth, b: Truth): Truth =>
  a === false || b === false ? false : a === true && b === true ? true : undefined;
const or = (a: Cond, b: Cond): Cond => a.map((x, i) => or1(x, b[i]));
const and = (a: Cond, b: Cond): Cond => a.map((x, i) => and1(x, b[i]));
/** True for every version: certain; false for every one: absent; else not known. */
const fold = (c: Cond): Truth =>
  c.every((x) => x === true) ? true : c.every((x) => x === false) ? false : undefined;
const table = (value: unknown): Record<string, unknown> => isTable(value) ? value : {};

/** What markers are evaluated against: the platform's values, and the possible Pythons. */
interface Where {
  readonly env: MarkerEnv;
  /** The possible Python minors (empty: not known). */
  readonly pythons: readonly string[];
}

const always = (w: Where, value: Truth): Cond => Array(Math.max(1, w.pythons.length)).fill(value);

function marker(text: unknown, w: Where, extras: ReadonlySet<string> = new Set()): Cond {
  if (typeof text !== "string") return always(w, true);
  try {
    return evaluateOverPythons(text, { values: w.env.values, extras }, w.pythons);
  } catch {
    return always(w, undefined);
  }
}

/** A `python = "..."` constraint of a dependency, per possible Python. */
function pythonCond(constraint: string, w: Where): Cond {
  const allowed = pythonMinors(constraint);
  if (allowed === undefined || w.pythons.length === 0) {
    return always(w, constraint.trim() === "*" ? true : undefined);
  }
  return w.pythons.map((p) => allowed.includes(p));
}

/** A direct dependency as the project declares it. */
interface Declared {
  readonly name: string;
  readonly extras: readonly string[];
  readonly present: Cond;
  readonly where: string;
}

/** One `[tool.poetry.dependencies]`-style entry: its constraints' markers, extras, optional. */
function poetryEntry(name: string, value: unknown, w: Where, where: string): Declared[] {
  const constraints = Array.isArray(value) ? value : [value];
  let present: Cond = always(w, false);
  const extras = new Set<string>();
  for (const c of constraints) {
    if (typeof c === "string") {
      present = always(w, true);
      continue;
    }
    if (!isTable(c)) continue;
    if (c.optional === true) continue; // installed only with the project's extras
    let p = marker(c.markers, w);
    if (typeof c.python === "string") p = and(p, pythonCond(c.python, w));
    if (typeof c.platform === "string") p = and(p, always(w, c.platform.trim() === "linux"));
    if (Array.isArray(c.extras)) {
      for (const e of c.extras) if (typeof e === "string") extras.add(normalizeName(e));
    }
    present = or(present, p);
  }
  if (fold(present) === false) return [];
  return [{ name: normalizeName(name), extras: [...extras], present, where }];
}

function pep508List(list: unknown, w: Where, where: string): Declared[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const req = typeof item === "string" ? parseRequirement(item) : undefined;
    if (req === undefined) return [];
    const present = marker(req.marker, w);
    return fold(present) === false ? [] : [{ name: req.name, extras: req.extras, present, where }];
  });
}

/**
 * The groups poetry-install installs: `BP_POETRY_INSTALL_ONLY` (Poetry's
 * `--only`, comma-separated), else `main`.
 *
 * @param value `BP_POETRY_INSTALL_ONLY`.
 * @returns The group names.
 */
export function installGroups(value: string | undefined): string[] {
  const groups = (value ?? "").split(",").map((g) => g.trim()).filter((g) => g !== "");
  return groups.length > 0 ? groups : ["main"];
}

/**
 * The project's direct dependencies in the installed groups.
 *
 * @param doc pyproject.toml, parsed.
 * @param groups The installed groups.
 * @param env Marker values.
 * @returns The dependencies that may be installed.
 */
function declared(doc: Record<string, unknown>, groups: readonly string[], w: Where) {
  const project = table(doc.project);
  const poetry = table(table(doc.tool).poetry);
  const out: Declared[] = [];
  for (const group of groups) {
    if (group === "main") {
      const dynamic = Array.isArray(project.dynamic) && project.dynamic.includes("dependencies");
      if (Array.isArray(project.dependencies) && !dynamic) {
        out.push(...pep508List(project.dependencies, w, "[project.dependencies]"));
      } else {
        for (const [name, value] of Object.entries(table(poetry.dependencies))) {
          if (name !== "python") {
            out.push(...poetryEntry(name, value, w, "[tool.poetry.dependencies]"));
          }
        }
      }
      continue;
    }
    const where = `[tool.poetry.group.${group}.dependencies]`;
    const deps = table(table(table(poetry.group)[group]).dependencies);
    for (const [name, value] of Object.entries(deps)) {
      out.push(...poetryEntry(name, value, w, where));
    }
    if (group === "dev") {
      for (const [name, value] of Object.entries(table(poetry["dev-dependencies"]))) {
        out.push(...poetryEntry(name, value, w, "[tool.poetry.dev-dependencies]"));
      }
    }
    const pep735 = table(doc["dependency-groups"])[group];
    out.push(...pep508List(pep735, w, `[dependency-groups] ${group}`));
  }
  return out;
}

/** Folds a condition into a presence, unless it is absent. */
function presence(c: Cond, why: string): Presence | undefined {
  const t = fold(c);
  return t === false ? undefined : { present: t === true ? true : undefined, why };
}

/** From the project alone (no lock): its declared dependencies and well-known extras. */
function fromProject(deps: readonly Declared[]): Map<string, Presence> {
  const found = new Map<string, Presence>();
  const add = (name: string, c: Cond, why: string) => {
    const p = presence(c, why);
    if (p !== undefined && found.get(name)?.present !== true) found.set(name, p);
  };
  for (const d of deps) {
    const spelled = d.extras.length > 0 ? `${d.name}[${d.extras.join(",")}]` : d.name;
    add(d.name, d.present, `${d.where} ${spelled} (no poetry.lock)`);
    for (const extra of d.extras) {
      for (const brought of KNOWN_EXTRAS[d.name]?.[extra] ?? []) {
        add(
          brought,
          d.present,
          `${d.where} ${spelled}, which requires ${brought} (no poetry.lock)`,
        );
      }
    }
    for (const brought of KNOWN_REQUIRES[d.name] ?? []) {
      add(brought, d.present, `${d.where} ${d.name}, which requires ${brought} (no poetry.lock)`);
    }
  }
  return found;
}

interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly raw: Record<string, unknown>;
}

/**
 * From a lock with `groups` (lock 2.1): each package's groups and markers.
 * A name locked several times (one version per Python range) is present
 * where any of its entries is.
 */
function fromGroups(
  packages: readonly LockedPackage[],
  groups: readonly string[],
  w: Where,
): Map<string, Presence> {
  const conds = new Map<string, { c: Cond; versions: string[]; groups: Set<string> }>();
  for (const p of packages) {
    const its = Array.isArray(p.raw.groups)
      ? p.raw.groups.filter((g) => typeof g === "string")
      : [];
    const mine = its.filter((g) => groups.includes(g));
    if (mine.length === 0) continue;
    let c: Cond = always(w, false);
    for (const g of mine) {
      c = or(c, marker(isTable(p.raw.markers) ? p.raw.markers[g] : p.raw.markers, w));
    }
    const before = conds.get(p.name) ?? { c: always(w, false), versions: [], groups: new Set() };
    before.c = or(before.c, c);
    before.versions.push(p.version);
    for (const g of mine) before.groups.add(g);
    conds.set(p.name, before);
  }
  const found = new Map<string, Presence>();
  for (const [name, { c, versions, groups: gs }] of conds) {
    const p = presence(c, `poetry.lock: ${name} ${versions.join(" or ")} (${[...gs].join(", ")})`);
    if (p !== undefined) found.set(name, p);
  }
  return found;
}

/** From an older lock: the closure of the project's dependencies through the packages' own. */
function fromClosure(
  packages: readonly LockedPackage[],
  roots: readonly Declared[],
  w: Where,
): Map<string, Presence> {
  const byName = new Map<string, LockedPackage[]>();
  for (const p of packages) byName.set(p.name, [...byName.get(p.name) ?? [], p]);
  const state = new Map<string, { c: Cond; extras: Set<string>; why: string }>();
  const reach = (name: string, c: Cond, extras: readonly string[], why: string) => {
    if (fold(c) === false || !byName.has(name)) return false;
    const s = state.get(name);
    if (s === undefined) {
      state.set(name, { c, extras: new Set(extras), why });
      return true;
    }
    let changed = false;
    const merged = or(s.c, c);
    if (merged.some((x, i) => x !== s.c[i])) {
      s.c = merged;
      changed = true;
    }
    for (const e of extras) {
      if (!s.extras.has(e)) {
        s.extras.add(e);
        changed = true;
      }
    }
    return changed;
  };
  for (const r of roots) reach(r.name, r.present, r.extras, `${r.where} ${r.name}`);
  for (let round = 0, changed = true; changed && round < 50; round++) {
    changed = false;
    for (const [name, s] of [...state]) {
      for (const p of byName.get(name) ?? []) {
        for (const [dep, value] of Object.entries(table(p.raw.dependencies))) {
          for (const spec of Array.isArray(value) ? value : [value]) {
            const t = isTable(spec) ? spec : {};
            if (t.optional === true) continue; // through the package's extras below
            const c = and(s.c, marker(t.markers, w, s.extras));
            const extras = Array.isArray(t.extras) ? t.extras.map(String).map(normalizeName) : [];
            const why = `poetry.lock: ${name} ${p.version}, which requires ${dep}`;
            if (reach(normalizeName(dep), c, extras, why)) changed = true;
          }
        }
        const extrasTable = table(p.raw.extras);
        for (const extra of s.extras) {
          const list = Object.entries(extrasTable).find(([e]) => normalizeName(e) === extra)?.[1];
          for (const item of Array.isArray(list) ? list : []) {
            const req = typeof item === "string" ? parseRequirement(item) : undefined;
            if (req === undefined) continue;
            const c = and(s.c, marker(req.marker, w, s.extras));
            const why = `poetry.lock: ${name}[${extra}], which requires ${req.name}`;
            if (reach(req.name, c, req.extras, why)) changed = true;
          }
        }
      }
    }
  }
  const found = new Map<string, Presence>();
  for (const [name, s] of state) {
    const versions = (byName.get(name) ?? []).map((p) => p.version).join(" or ");
    const why = s.why.startsWith("poetry.lock")
      ? s.why
      : `poetry.lock: ${name} ${versions}, from ${s.why}`;
    const p = presence(s.c, why);
    if (p !== undefined) found.set(name, p);
  }
  return found;
}

/** The Python versions the project can run on: the lock's, else the project's constraint. */
function pythonsOf(pyproject: Record<string, unknown>, lock: Record<string, unknown> | undefined) {
  const fromLock = table(lock?.metadata)["python-versions"];
  const fromProject = table(pyproject.project)["requires-python"];
  const fromPoetry = table(table(table(pyproject.tool).poetry).dependencies).python;
  const constraint = [fromLock, fromProject, fromPoetry].find((c) => typeof c === "string");
  return pythonMinors(constraint as string | undefined) ?? [];
}

/**
 * Works out which distributions poetry-install will put in the venv.
 *
 * @example Usage
 * ```ts
 * import { installedDistributions } from "./dependencies.ts";
 * const doc = { project: { dependencies: ["flask>=3", "gunicorn"] } };
 * const env = { values: { sys_platform: "linux" }, extras: new Set<string>() };
 * installedDistributions(doc, undefined, ["main"], env).get("gunicorn")?.present; // true
 * ```
 *
 * @param pyproject pyproject.toml, parsed.
 * @param lock poetry.lock, parsed (`undefined` when there is none).
 * @param groups The groups installed.
 * @param env Marker values of the launch platform (no `python_version`: the
 *   project's allowed versions are tried).
 * @returns The distributions, by normalized name.
 */
export function installedDistributions(
  pyproject: Record<string, unknown>,
  lock: Record<string, unknown> | undefined,
  groups: readonly string[],
  env: MarkerEnv,
): Installed {
  const w: Where = { env, pythons: pythonsOf(pyproject, lock) };
  const roots = declared(pyproject, groups, w);
  if (lock === undefined) return fromProject(roots);
  const packages: LockedPackage[] = (Array.isArray(lock.package) ? lock.package : [])
    .filter(isTable).flatMap((raw) =>
      typeof raw.name === "string"
        ? [{ name: normalizeName(raw.name), version: String(raw.version ?? "?"), raw }]
        : []
    );
  return packages.some((p) => Array.isArray(p.raw.groups))
    ? fromGroups(packages, groups, w)
    : fromClosure(packages, roots, w);
}
