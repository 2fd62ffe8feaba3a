/**
 * Inferring the start command of a Poetry web app that declares no script:
 * exactly one application the app's own modules make (or a Django project),
 * and a production server for it that poetry-install will put in the venv.
 * Everything is read statically from the app directory (detect runs before
 * any Python exists); anything less than certain is no inference, with the
 * reason.
 *
 * @module
 */
import type { EnvLookup } from "../cnb/io.ts";
import { isDirectory, isFile } from "../cnb/file_kind.ts";
import { joinPath } from "../cnb/posix_path.ts";
import { parseToml } from "../cnb/toml.ts";
import { type AppCandidate, findApps, type SourceModule } from "../python/app_objects.ts";
import { type DjangoProject, findDjango, type LoadedModule } from "../python/django.ts";
import { linuxCPython } from "../python/markers.ts";
import { outlineOf } from "../python/outline.ts";
import { logicalLines, PythonSyntaxError } from "../python/tokens.ts";
import { type AppInterface, FRAMEWORK_MODULES } from "../python/web_frameworks.ts";
import { findScriptApps, type ScriptApp } from "../python/script_apps.ts";
import { type AppRef, SCRIPT_RUNNERS, WEB_SERVERS, type WebServer } from "../python/web_servers.ts";
import {
  importableModules,
  installedRoots,
  type ModuleFile,
  type WalkLimits,
} from "./app_modules.ts";
import { type Installed, installedDistributions, installGroups } from "./dependencies.ts";
import type { PyProject } from "./pyproject.ts";
import { INSTALL_ONLY_VARIABLE, TARGET_VARIABLE } from "./config.ts";

/** The application the inferred command serves. */
export interface InferredApp extends AppRef {
  /** What it is, for the log: `Flask app app`, `Django project mysite.settings`. */
  readonly label: string;
  /** Its file relative to the app, and line. */
  readonly at: string;
  /** How it was recognized, when there is more to say. */
  readonly how?: string;
  /** The distribution its framework comes from (checked in the venv at build). */
  readonly distribution: string;
}

/** An inferred start command. */
export interface InferredCommand {
  /** The application. */
  readonly app: InferredApp;
  /** The server. */
  readonly server: WebServer;
  /** Why the venv will have the server (`poetry.lock: gunicorn 23.0.0 (main)`). */
  readonly serverWhy: string;
  /** The server's arguments. */
  readonly args: readonly string[];
}

/** The outcome. */
export type Inference =
  | { readonly certain: true; readonly command: InferredCommand; readonly notes: readonly string[] }
  | { readonly certain: false; readonly reason: string; readonly notes: readonly string[] };

/** What inference reads. */
export interface InferInput {
  /** The app directory. */
  readonly appDir: string;
  /** pyproject.toml. */
  readonly project: PyProject;
  /** The environment (`BP_POETRY_INSTALL_ONLY`, `CNB_TARGET_ARCH`). */
  readonly env: EnvLookup;
  /** Bounds of the walk (tests and benches set their own). */
  readonly limits?: WalkLimits;
}

/** Files larger than this are not read (no application module is this large). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MENTIONS = new RegExp(`\\b(?:${[...FRAMEWORK_MODULES, "streamlit", "gradio"].join("|")})\\b`);
const decoder = new TextDecoder("utf-8", { fatal: true });

function readText(path: string): string | undefined {
  try {
    if (Deno.statSync(path).size > MAX_FILE_BYTES) return undefined;
    return decoder.decode(Deno.readFileSync(path));
  } catch {
    return undefined;
  }
}

/** Whether the app's Procfile defines a `web` process (the procfile buildpack then sets it). */
function procfileWeb(appDir: string): boolean {
  const text = readText(joinPath(appDir, "Procfile"));
  return text !== undefined && /^[ \t]*web[ \t]*:/m.test(text);
}

function loadLock(appDir: string): Record<string, unknown> | undefined | { error: string } {
  const path = joinPath(appDir, "poetry.lock");
  try {
    Deno.statSync(path);
  } catch {
    return undefined;
  }
  const text = readText(path);
  if (text === undefined) return { error: "poetry.lock cannot be read as UTF-8 text" };
  try {
    return parseToml(text);
  } catch (error) {
    return { error: `poetry.lock does not parse (${(error as Error).message})` };
  }
}

/** The interface a candidate is served over, and its servers in order. */
function serversFor(iface: AppInterface): WebServer[] {
  return WEB_SERVERS.filter((s) => s.interfaces.includes(iface));
}

function scriptLabel(a: ScriptApp): string {
  return `${a.runner === "streamlit" ? "Streamlit" : "Gradio"} app ${a.file}`;
}

function describeScript(a: ScriptApp): string {
  return `${scriptLabel(a)} (line ${a.line})`;
}

function describeCandidate(c: AppCandidate): string {
  return `${c.framework.label} ${c.factory ? "factory" : "app"} ${c.attr} at ${c.file}:${c.line}`;
}

/**
 * Infers the start command.
 *
 * @example Usage
 * ```ts
 * import { inferStart } from "./infer.ts";
 * import { parsePyProject } from "./pyproject.ts";
 * const project = parsePyProject('[project]\nname = "a"\ndependencies = ["flask", "gunicorn"]\n');
 * const result = inferStart({ appDir: "/workspace", project, env: () => undefined });
 * if (result.certain) result.command.server.name; // "gunicorn"
 * ```
 *
 * @param input The app directory, pyproject.toml and environment.
 * @returns The command, or why there is none.
 */
export function inferStart(input: InferInput): Inference {
  const { appDir, project, env } = input;
  const notes: string[] = [];
  const uncertain = (reason: string): Inference => ({ certain: false, reason, notes });
  if (procfileWeb(appDir)) {
    return uncertain(
      "the Procfile defines web, so the procfile buildpack sets the start command (nothing to do)",
    );
  }
  const lock = loadLock(appDir);
  if (lock !== undefined && "error" in lock && typeof lock.error === "string") {
    return uncertain(`${lock.error}; fix it (poetry lock) or set ${TARGET_VARIABLE}`);
  }
  const groups = installGroups(env(INSTALL_ONLY_VARIABLE));
  const installed = installedDistributions(
    project.document as Record<string, unknown>,
    lock as Record<string, unknown> | undefined,
    groups,
    { values: linuxCPython(env("CNB_TARGET_ARCH")), extras: new Set() },
  );
  const groupText = groups.length === 1 && groups[0] === "main"
    ? "the main dependencies"
    : `the groups ${INSTALL_ONLY_VARIABLE} installs (${groups.join(", ")})`;

  const roots = installedRoots(appDir, {
    packageMode: project.packageMode,
    document: project.document,
  });
  const tree = importableModules(appDir, roots, input.limits);
  if (tree.truncated) {
    return uncertain(
      `the app directory has more files than detect reads (${
        (input.limits?.entries ?? 100_000).toLocaleString("en")
      } entries), so it cannot be certain there is one application; set ${TARGET_VARIABLE}`,
    );
  }
  const loaded = loadModules(appDir, tree.modules, notes);
  const doubts = [...loaded.doubts];
  const django = djangoProject(appDir, loaded, doubts);
  const search = findApps(loaded.modules);
  const scripts = findScriptApps(loaded.modules);
  doubts.push(...search.doubts, ...scripts.doubts);
  notes.push(
    ...search.candidates.map((c) => `found ${describeCandidate(c)}`),
    ...(django === undefined ? [] : [`found Django project ${django.settings} (manage.py)`]),
    ...scripts.apps.map((a) => `found ${describeScript(a)}`),
    ...doubts.map((d) => `not certain: ${d}`),
  );
  const count = search.candidates.length + (django === undefined ? 0 : 1) + scripts.apps.length;
  if (count === 0) {
    return uncertain(
      doubts.length > 0
        ? `no application is certain (${doubts.join("; ")}); set ${TARGET_VARIABLE}`
        : offPath(appDir, project.packageMode, roots, input.limits) ??
          "no module of the app makes a web application at module level (Flask, FastAPI, " +
            "Starlette, Quart, Litestar, Falcon, Bottle, FastHTML, Dash; a Streamlit or Gradio script) and there is no Django manage.py; " +
            `add a [project.scripts] entry or set ${TARGET_VARIABLE}`,
    );
  }
  if (count > 1 || doubts.length > 0) {
    const seen = [
      ...search.candidates.map(describeCandidate),
      ...(django === undefined ? [] : [`Django project ${django.settings}`]),
      ...scripts.apps.map(describeScript),
      ...doubts,
    ];
    return uncertain(
      `which application to serve is not certain: ${seen.join("; ")}; ` +
        `set ${TARGET_VARIABLE} to the command that serves the one you want`,
    );
  }
  const script = scripts.apps[0];
  return django !== undefined
    ? serveDjango(django, installed, groupText, notes)
    : script !== undefined
    ? runScript(script, installed, groupText, notes)
    : serveApp(search.candidates[0] as AppCandidate, installed, groupText, notes);
}

/**
 * When no application is on the import path: one that is off it, and why
 * (a `src/` tree Poetry does not install, a `manage.py` one directory down),
 * so the user learns what to change rather than that nothing was found.
 * Read only on this failure path, within the same bounds.
 */
function offPath(
  appDir: string,
  packageMode: boolean,
  roots: readonly [string, string[]][],
  limits?: WalkLimits,
): string | undefined {
  if (isDirectory(joinPath(appDir, "src")) && !roots.some(([from]) => from === "src")) {
    // src/ walked as if it were on the path, its modules named as they would be there.
    const files = importableModules(joinPath(appDir, "src"), [], limits).modules
      .map((m) => ({ ...m, file: `src/${m.file}` }));
    const found = findApps(loadModules(appDir, files, []).modules).candidates[0];
    if (found !== undefined) {
      const top = found.module.split(".")[0] as string;
      const why = packageMode
        ? "no [tool.poetry] packages entry names a package from src/"
        : "package-mode = false";
      const fix = packageMode
        ? `add { include = "${top}", from = "src" } to [tool.poetry] packages, or set ${TARGET_VARIABLE}`
        : `set ${TARGET_VARIABLE} (a server's --chdir or --app-dir src)`;
      return "no module on the import path at launch makes a web application: " +
        `${describeCandidate(found)} is under src/, which Poetry does not install (${why}), ` +
        `and a server imports from the app directory; ${fix}`;
    }
  }
  let entries: Deno.DirEntry[] = [];
  try {
    entries = [...Deno.readDirSync(appDir)];
  } catch {
    return undefined;
  }
  const sub = entries
    .filter((e) => e.isDirectory && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort()
    .find((d) => isFile(joinPath(appDir, d, "manage.py")));
  return sub === undefined ? undefined : "there is no Django manage.py in the app directory: " +
    `manage.py is in ${sub}/, but a server starts in the app directory; ` +
    `set ${TARGET_VARIABLE} (gunicorn --chdir ${sub} …)`;
}

/** The modules outlined, the doubts reading them raised, and a loader for more by name. */
interface Loaded {
  readonly modules: readonly SourceModule[];
  readonly doubts: readonly string[];
  /** Outlines the module of that import name (a Django settings module), if the app has it. */
  readonly load: (name: string) => SourceModule | undefined;
}

/**
 * Reads the modules worth outlining: those that mention a framework, then
 * those that import one of them (a factory's caller, a module mounting an
 * application), then Django's settings and application modules on demand.
 */
function loadModules(appDir: string, files: readonly ModuleFile[], notes: string[]): Loaded {
  const byName = new Map<string, SourceModule>();
  const texts = new Map<string, string>();
  const doubts: string[] = [];
  const unreadable: string[] = [];
  const read = (f: ModuleFile) => {
    if (texts.has(f.file)) return texts.get(f.file);
    const text = readText(joinPath(appDir, f.file));
    if (text === undefined) unreadable.push(f.file);
    else texts.set(f.file, text);
    return text;
  };
  const parse = (f: ModuleFile, text: string) => {
    if (byName.has(f.name)) return;
    try {
      byName.set(f.name, { ...f, outline: outlineOf(logicalLines(text)) });
    } catch (error) {
      if (!(error instanceof PythonSyntaxError)) throw error;
      if (MENTIONS.test(text)) {
        doubts.push(
          `${f.file}:${error.line} mentions a web framework but does not parse (${error.message})`,
        );
      } else notes.push(`skipped ${f.file}: it does not parse (${error.message})`);
    }
  };
  for (const f of files) {
    const text = read(f);
    if (text !== undefined && MENTIONS.test(text)) parse(f, text);
  }
  // Second pass: modules importing the first ones' modules or names.
  const words = new Set<string>();
  for (const m of byName.values()) {
    words.add(m.name.split(".").at(-1) as string);
    for (const s of m.outline.statements) if (s.kind === "def") words.add(s.name);
  }
  if (words.size > 0) {
    const pattern = new RegExp(`\\b(?:${[...words].map(escape).join("|")})\\b`);
    for (const f of files) {
      if (byName.has(f.name)) continue;
      const text = read(f);
      if (text !== undefined && /\bimport\b/.test(text) && pattern.test(text)) parse(f, text);
    }
  }
  if (unreadable.length > 0) {
    notes.push(
      `not read (unreadable, not UTF-8, or over 8 MiB): ${unreadable.slice(0, 5).join(", ")}${
        unreadable.length > 5 ? ", …" : ""
      }`,
    );
  }
  const all = new Map(files.map((f) => [f.name, f]));
  const modules = [...byName.values()];
  return {
    modules,
    doubts,
    load: (name) => {
      const f = all.get(name);
      const text = f === undefined ? undefined : read(f);
      if (f !== undefined && text !== undefined) parse(f, text);
      return byName.get(name);
    },
  };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function djangoProject(
  appDir: string,
  loaded: Loaded,
  doubts: string[],
): DjangoProject | undefined {
  const manage = readText(joinPath(appDir, "manage.py"));
  if (manage === undefined) return undefined;
  let lines;
  try {
    lines = logicalLines(manage).map((l) => l.tokens);
  } catch (error) {
    if (!(error instanceof PythonSyntaxError)) throw error;
    doubts.push(`manage.py:${error.line} does not parse`);
    return undefined;
  }
  const found = findDjango(lines, (name): LoadedModule | undefined => loaded.load(name));
  if (found === undefined) return undefined;
  if ("doubt" in found) {
    doubts.push(found.doubt);
    return undefined;
  }
  return found;
}

function presence(installed: Installed, name: string): "yes" | "maybe" | "no" {
  const p = installed.get(name);
  return p === undefined ? "no" : p.present === true ? "yes" : "maybe";
}

/** The first installed server for an interface, or why none. */
function pickServer(
  iface: AppInterface,
  installed: Installed,
  factory = false,
): { server: WebServer; why: string } | { missing: string } {
  const servers = serversFor(iface).filter((s) => !factory || s.objectsOnly !== true);
  for (const s of servers) {
    if (presence(installed, s.distribution) === "yes") {
      return { server: s, why: installed.get(s.distribution)?.why ?? "" };
    }
  }
  const maybe = servers.find((s) => presence(installed, s.distribution) === "maybe");
  if (maybe !== undefined) {
    return {
      missing: `${maybe.name} is installed only under a marker that is not known before build (${
        installed.get(maybe.distribution)?.why
      })`,
    };
  }
  return {
    missing: `no production ${iface.toUpperCase()} server${
      factory ? " that calls a factory" : ""
    } (${servers.map((s) => s.name).join(", ")})`,
  };
}

function serveApp(
  c: AppCandidate,
  installed: Installed,
  groupText: string,
  notes: string[],
): Inference {
  const what = describeCandidate(c);
  const framework = presence(installed, c.framework.distribution);
  if (framework !== "yes") {
    return {
      certain: false,
      reason: `${what}, but ${c.framework.distribution} is ${
        framework === "maybe" ? "only maybe" : "not"
      } among ${groupText}: add it, or set ${TARGET_VARIABLE}`,
      notes,
    };
  }
  const picked = pickServer(c.framework.interface, installed, c.factory);
  if ("missing" in picked) {
    return {
      certain: false,
      reason: `${what}, but ${picked.missing} among ${groupText}: add ${
        serversFor(c.framework.interface)[0]?.name
      }, or set ${TARGET_VARIABLE}`,
      notes,
    };
  }
  const app: InferredApp = {
    module: c.module,
    attr: c.attr,
    factory: c.factory,
    label: `${c.framework.label} ${c.factory ? "factory" : "app"} ${c.attr}`,
    at: `${c.file}:${c.line}`,
    distribution: c.framework.distribution,
    ...(c.how === undefined ? {} : { how: c.how }),
  };
  return {
    certain: true,
    command: { app, server: picked.server, serverWhy: picked.why, args: picked.server.args(app) },
    notes,
  };
}

function runScript(
  a: ScriptApp,
  installed: Installed,
  groupText: string,
  notes: string[],
): Inference {
  const runner = SCRIPT_RUNNERS[a.runner];
  const p = presence(installed, runner.distribution);
  if (p !== "yes") {
    return {
      certain: false,
      reason: `${describeScript(a)}, but ${runner.distribution} is ${
        p === "maybe" ? "only maybe" : "not"
      } among ${groupText}: add it, or set ${TARGET_VARIABLE}`,
      notes,
    };
  }
  const app: InferredApp = {
    module: "",
    attr: "",
    factory: false,
    script: a.file,
    label: scriptLabel(a),
    at: `${a.file}:${a.line}`,
    distribution: runner.distribution,
  };
  return {
    certain: true,
    command: {
      app,
      server: runner,
      serverWhy: installed.get(runner.distribution)?.why ?? "",
      args: runner.args(app),
    },
    notes,
  };
}

function serveDjango(
  d: DjangoProject,
  installed: Installed,
  groupText: string,
  notes: string[],
): Inference {
  const what = `Django project ${d.settings}`;
  if (presence(installed, "django") !== "yes") {
    return {
      certain: false,
      reason:
        `${what} (manage.py), but django is not certainly among ${groupText}: add it, or set ${TARGET_VARIABLE}`,
      notes,
    };
  }
  const wsgi = d.wsgi === undefined ? undefined : pickServer("wsgi", installed);
  const asgi = d.asgi === undefined ? undefined : pickServer("asgi", installed);
  const use = (which: "wsgi" | "asgi") => {
    const app = which === "wsgi" ? d.wsgi : d.asgi;
    const picked = which === "wsgi" ? wsgi : asgi;
    if (app === undefined || picked === undefined || "missing" in picked) return undefined;
    const ref: InferredApp = {
      module: app.module,
      attr: app.attr,
      factory: false,
      label:
        `Django project ${d.settings}, ${which.toUpperCase()} application ${app.module}.${app.attr}`,
      at: `${app.file}:${app.line}`,
      how: app.how,
      distribution: "django",
    };
    return {
      certain: true as const,
      command: {
        app: ref,
        server: picked.server,
        serverWhy: picked.why,
        args: picked.server.args(ref),
      },
      notes,
    };
  };
  // ASGI when the settings ask for it (Channels, websockets) and a server can; else WSGI first.
  const chosen = d.asgiSetting ? use("asgi") ?? use("wsgi") : use("wsgi") ?? use("asgi");
  if (chosen !== undefined) return chosen;
  const missing = [wsgi, asgi].flatMap((p) => p !== undefined && "missing" in p ? [p.missing] : []);
  return {
    certain: false,
    reason: `${what} (manage.py), but ${
      missing.join(" and ")
    } among ${groupText}: add gunicorn, or set ${TARGET_VARIABLE}`,
    notes,
  };
}
