/**
 * Finding the web application objects of a set of modules from their
 * outlines, without running them: a module-level assignment of a framework's
 * application class (`app = Flask(__name__)`, `app = FastAPI()`), of a
 * factory's result (`app = create_app()`), or a factory itself (a
 * module-level function every `return` of which returns a new application).
 *
 * What is one application counts once: the object a factory makes consumes
 * the factory; a sub-application mounted into another (`app.mount("/v1",
 * v1)`, passed to another's constructor or attribute) is part of it; an
 * object rebound to a middleware wrapping it (`app = Middleware(app)`, or a
 * new `application = Middleware(app)`) stays one application. What is not
 * certain is reported as a doubt rather than a candidate: an application
 * assigned only under a condition, rebound to something else, or a factory
 * that needs arguments. A framework whose object a server does not call
 * itself (Dash) is served through the attribute that holds its WSGI app, when
 * a module-level name binds it (`server = app.server`) or the app was given
 * one (`Dash(__name__, server=server)`).
 *
 * @module
 */
import type { Expr, Outline, Statement } from "./outline.ts";
import {
  APP_CLASSES,
  APP_TUPLE_FACTORIES,
  type AppInterface,
  type Framework,
} from "./web_frameworks.ts";

/** A module to search. */
export interface SourceModule {
  /** Its import name (`pkg.main`). */
  readonly name: string;
  /** Its path relative to the app, for messages. */
  readonly file: string;
  /** Whether it is a package's `__init__.py`. */
  readonly isPackage: boolean;
  /** Its outline. */
  readonly outline: Outline;
}

/** An application found. */
export interface AppCandidate {
  /** The module's import name. */
  readonly module: string;
  /** The file, relative to the app. */
  readonly file: string;
  /** The line where it is made. */
  readonly line: number;
  /** The attribute to serve: the object, or the factory. */
  readonly attr: string;
  /** Whether `attr` is a factory (called with no arguments). */
  readonly factory: boolean;
  /** Its framework. */
  readonly framework: Framework;
  /** How it was recognized, for the log (`made by create_app at app/__init__.py:8`). */
  readonly how?: string;
}

/** What the search found. */
export interface AppSearch {
  /** The applications. */
  readonly candidates: readonly AppCandidate[];
  /** Applications that were seen but are not certain, each one line (`file:line: why`). */
  readonly doubts: readonly string[];
}

/** Names a wrapper of an application is conventionally bound to. */
const APP_NAMES = new Set(["app", "application", "asgi_app", "wsgi_app", "api", "asgi", "wsgi"]);

interface Scope {
  readonly module: SourceModule;
  /** Local names bound by imports and defs: name → qualified path. */
  readonly names: Map<string, string>;
  /** Star-imported modules (qualified). */
  readonly stars: string[];
}

function packageOf(m: SourceModule): string {
  return m.isPackage ? m.name : m.name.split(".").slice(0, -1).join(".");
}

/** Resolves a relative import target (`..a.b`) against a module's package. */
function absolute(target: string, m: SourceModule): string {
  const dots = /^\.*/.exec(target)?.[0].length ?? 0;
  if (dots === 0) return target;
  const base = packageOf(m).split(".").filter((p) => p !== "");
  const up = base.slice(0, Math.max(0, base.length - (dots - 1)));
  const rest = target.slice(dots);
  return [...up, ...(rest === "" ? [] : [rest])].join(".");
}

function scopeOf(m: SourceModule): Scope {
  const names = new Map<string, string>();
  const stars: string[] = [];
  for (const s of m.outline.statements) {
    if (s.where === "main") continue;
    if (s.kind === "import") {
      for (const b of s.binds) names.set(b.local, absolute(b.target, m));
      if (s.star !== undefined) stars.push(absolute(s.star, m));
    } else if (s.kind === "def" || s.kind === "class") {
      names.set(s.name, `${m.name}.${s.name}`);
    }
  }
  return { module: m, names, stars };
}

/** A dotted path as the module would resolve it (`undefined`: not bound by an import or def). */
function qualify(path: readonly string[], scope: Scope): string[] {
  const [head, ...rest] = path;
  if (head === undefined) return [];
  const bound = scope.names.get(head);
  if (bound !== undefined) return [[bound, ...rest].join(".")];
  // Names from `from x import *`: every reading the star imports allow.
  return scope.stars.map((star) => [star, head, ...rest].join("."));
}

/**
 * Finds the applications.
 *
 * @example Usage
 * ```ts
 * import { findApps } from "./app_objects.ts";
 * import { outline } from "./outline.ts";
 * const main = { name: "main", file: "main.py", isPackage: false,
 *   outline: outline("from fastapi import FastAPI\napp = FastAPI()\n") };
 * findApps([main]).candidates[0]?.attr; // "app"
 * ```
 *
 * @param modules The modules.
 * @returns The applications, and what was seen but is not certain.
 */
export function findApps(modules: readonly SourceModule[]): AppSearch {
  const scopes = new Map(modules.map((m) => [m.name, scopeOf(m)]));
  const classes = new Map<string, Framework | null>();
  const doubts: string[] = [];
  const at = (m: SourceModule, line: number) => `${m.file}:${line}`;

  /** The framework a class (qualified) belongs to: a framework class, or a subclass of one. */
  const frameworkClass = (qualified: string, depth = 0): Framework | undefined => {
    const known = APP_CLASSES.get(qualified);
    if (known !== undefined) return known;
    if (depth > 3) return undefined;
    if (classes.has(qualified)) return classes.get(qualified) ?? undefined;
    classes.set(qualified, null);
    const dot = qualified.lastIndexOf(".");
    const scope = scopes.get(qualified.slice(0, dot));
    const def = scope?.module.outline.statements.find((s) =>
      s.kind === "class" && s.name === qualified.slice(dot + 1) && s.where !== "main"
    );
    if (scope === undefined || def?.kind !== "class") return undefined;
    for (const base of def.bases) {
      if (base.kind !== "name") continue;
      for (const q of qualify(base.path, scope)) {
        const f = frameworkClass(q, depth + 1);
        if (f !== undefined) {
          classes.set(qualified, f);
          return f;
        }
      }
    }
    return undefined;
  };

  /** The framework of an application-making call (constructor), in a scope. */
  const constructed = (value: Expr, scope: Scope): Framework | undefined => {
    if (value.kind !== "call" || value.func.kind !== "name") return undefined;
    for (const q of qualify(value.func.path, scope)) {
      const f = frameworkClass(q);
      if (f !== undefined) return f;
    }
    return undefined;
  };

  // Factories: module-level functions whose every return is a new application.
  const factories = new Map<
    string,
    { m: SourceModule; line: number; name: string; framework: Framework; ok: boolean }
  >();
  for (const scope of scopes.values()) {
    const m = scope.module;
    for (const s of m.outline.statements) {
      if (s.kind !== "def" || s.where === "main" || s.returns.length === 0) continue;
      let framework: Framework | undefined;
      let all = true;
      for (const r of s.returns) {
        let f: Framework | undefined;
        if (r?.kind === "call") f = constructed(r, scope);
        else if (r?.kind === "name" && r.path.length === 1) {
          const made = s.assigns.filter((a) => a.name === r.path[0]);
          const kinds = made.map((a) => constructed(a.value, scope));
          f = kinds.length > 0 && kinds.every((k) => k !== undefined && k === kinds[0])
            ? kinds[0]
            : undefined;
        }
        if (f === undefined || (framework !== undefined && f !== framework)) all = false;
        framework ??= f;
      }
      if (!all || framework === undefined) continue;
      if (s.where === "conditional") {
        doubts.push(
          `${at(m, s.line)}: ${framework.label} factory ${s.name} is defined under a condition`,
        );
        continue;
      }
      const ok = s.noArgs && !s.async;
      factories.set(`${m.name}.${s.name}`, { m, line: s.line, name: s.name, framework, ok });
    }
  }

  interface Found extends AppCandidate {
    readonly local: string;
    consumed?: string;
    /** What a server serves of an application served through an attribute (`server`). */
    readonly servable?: true;
    /** The application served through this one (a Dash app given it as `server=`). */
    carries?: Found;
  }
  const objects: Found[] = [];
  const usedFactories = new Set<string>();

  for (const scope of scopes.values()) {
    const m = scope.module;
    const local = new Map<string, Found>();
    for (const s of m.outline.statements) {
      if (s.kind !== "assign" || s.where === "main") continue;
      const target = s.targets.length === 1 ? s.targets[0] : undefined;
      let name: string | undefined;
      let framework: Framework | undefined;
      let how: string | undefined;
      if (target?.kind === "name" && target.path.length === 1) {
        name = target.path[0] as string;
        framework = constructed(s.value, scope);
        if (framework === undefined && s.value.kind === "call" && s.value.func.kind === "name") {
          for (const q of qualify(s.value.func.path, scope)) {
            const f = factories.get(q);
            if (f === undefined) continue;
            framework = f.framework;
            usedFactories.add(q);
            how = `made by ${f.name} at ${at(f.m, f.line)}`;
          }
        }
      } else if (
        target?.kind === "tuple" && target.items[0]?.kind === "name" && s.value.kind === "call" &&
        s.value.func.kind === "name"
      ) {
        const first = target.items[0];
        for (const q of qualify(s.value.func.path, scope)) {
          const f = APP_TUPLE_FACTORIES.get(q);
          if (f === undefined || first.kind !== "name" || first.path.length !== 1) continue;
          name = first.path[0] as string;
          framework = f;
        }
      }
      if (name === undefined) continue;
      const before = local.get(name);
      if (framework !== undefined) {
        if (s.where === "conditional") {
          doubts.push(
            `${at(m, s.line)}: ${framework.label} app ${name} is assigned under a condition`,
          );
          if (before !== undefined) before.consumed = "rebound under a condition";
          continue;
        }
        const found: Found = {
          module: m.name,
          file: m.file,
          line: s.line,
          attr: name,
          local: name,
          factory: false,
          framework,
          ...(how === undefined ? {} : { how }),
        };
        if (before !== undefined) before.consumed = `rebound at line ${s.line}`;
        local.set(name, found);
        objects.push(found);
        continue;
      }
      // server = app.server: what a server serves of an application served through an attribute.
      const through = s.value.kind === "name" && s.value.path.length === 2
        ? local.get(s.value.path[0] as string)
        : undefined;
      if (
        through?.framework.servedThrough !== undefined && through.consumed === undefined &&
        s.value.kind === "name" && s.value.path[1] === through.framework.servedThrough.attr &&
        s.where === "module" && before === undefined
      ) {
        const found: Found = {
          ...through,
          attr: name,
          local: name,
          line: s.line,
          how: servedBy(through),
          servable: true,
        };
        through.consumed = `served as ${name}`;
        local.set(name, found);
        objects.push(found);
        continue;
      }
      // An assignment that is not a new application: a wrapper, an alias, or a rebinding.
      const wrapped = [...local.values()].filter((f) =>
        f.consumed === undefined && s.refs.some((r) => r === f.local || r.startsWith(`${f.local}.`))
      );
      if (before !== undefined && before.consumed === undefined) {
        if (wrapped.includes(before) && s.value.kind === "call") {
          // app = Middleware(app): still the application, wrapped.
          const wrapper = s.value.func.kind === "name" ? s.value.func.path.join(".") : "a wrapper";
          local.set(name, {
            ...before,
            how: `${before.how ? `${before.how}, ` : ""}wrapped by ${wrapper} at line ${s.line}`,
          });
          objects[objects.indexOf(before)] = local.get(name) as Found;
        } else {
          before.consumed = `rebound at line ${s.line}`;
          doubts.push(
            `${at(m, s.line)}: ${before.framework.label} app ${name} is rebound to something else`,
          );
        }
        continue;
      }
      if (
        s.where === "module" && APP_NAMES.has(name) && wrapped.length === 1 &&
        s.value.kind === "call"
      ) {
        const inner = wrapped[0] as Found;
        const wrapper = s.value.func.kind === "name" ? s.value.func.path.join(".") : "a wrapper";
        const found: Found = {
          ...inner,
          attr: name,
          local: name,
          line: s.line,
          how: `${wrapper} wrapping ${inner.attr} (line ${inner.line})`,
        };
        inner.consumed = `wrapped as ${name}`;
        local.set(name, found);
        objects.push(found);
      }
    }
  }

  // Sub-applications: an application mentioned in a statement that belongs to another one.
  const live = () => objects.filter((o) => o.consumed === undefined);
  for (const scope of scopes.values()) {
    const m = scope.module;
    // Local names for applications: made here, or imported from their module.
    const names = new Map<string, Found>();
    for (const o of live()) {
      if (o.module === m.name) names.set(o.local, o);
      for (const [localName, q] of scope.names) {
        if (q === `${o.module}.${o.attr}`) names.set(localName, o);
      }
    }
    if (names.size < 2) continue;
    for (const s of m.outline.statements) {
      if (s.where === "main") continue;
      const owner = ownerOf(s, names);
      if (owner === undefined) continue;
      for (const ref of s.refs) {
        const o = names.get(ref.split(".")[0] as string);
        if (o === undefined || o === owner || o.consumed !== undefined) continue;
        if (owner.framework.servedThrough !== undefined && owner.consumed === undefined) {
          // Dash(__name__, server=server): the application given is what is served.
          owner.consumed = `runs on ${o.attr}`;
          o.carries = owner;
        } else o.consumed = `mounted into ${owner.attr}`;
      }
    }
  }

  const candidates: AppCandidate[] = [];
  for (const { local: _l, consumed: _c, servable, carries, ...c } of live()) {
    const through = c.framework.servedThrough;
    if (carries !== undefined) {
      candidates.push({ ...c, framework: carries.framework, how: servedBy(carries) });
    } else if (through === undefined || servable) candidates.push(c);
    else {
      doubts.push(
        `${c.file}:${c.line}: ${c.framework.label} app ${c.attr} is served through ` +
          `${c.attr}.${through.attr}, which no module-level name binds: ` +
          `add ${through.attr} = ${c.attr}.${through.attr}`,
      );
    }
  }
  for (const [q, f] of factories) {
    if (usedFactories.has(q)) continue;
    if (!f.ok) {
      doubts.push(
        `${at(f.m, f.line)}: ${f.framework.label} factory ${f.name} ${
          f.m.outline.statements.some((s) => s.kind === "def" && s.name === f.name && s.async)
            ? "is async"
            : "needs arguments"
        }, so no server can call it`,
      );
      continue;
    }
    candidates.push({
      module: f.m.name,
      file: f.m.file,
      line: f.line,
      attr: f.name,
      factory: true,
      framework: f.framework,
    });
  }
  return { candidates, doubts };
}

/** How an application served through another's attribute is named in the log. */
function servedBy(app: AppCandidate): string {
  return `the ${app.framework.servedThrough?.what} of ${app.framework.label} app ${app.attr} (line ${app.line})`;
}

/** The application a statement belongs to: its target's or called method's owner, or the one it makes. */
function ownerOf<T>(s: Statement, names: ReadonlyMap<string, T>): T | undefined {
  const head = (e: Expr | undefined): string | undefined =>
    e?.kind === "name"
      ? e.path[0]
      : e?.kind === "call" && e.func.kind === "name" && e.func.path.length > 1
      ? e.func.path[0]
      : undefined;
  if (s.kind === "expr") return names.get(head(s.value) ?? "");
  if (s.kind === "assign") {
    for (const t of s.targets) {
      const owner = names.get(head(t) ?? "");
      if (owner !== undefined) return owner;
    }
  }
  return undefined;
}

/** The interface each candidate speaks (for messages). */
export function interfaceOf(candidate: AppCandidate): AppInterface {
  return candidate.framework.interface;
}
