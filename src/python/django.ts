/**
 * A Django project, found the way Django itself finds it: `manage.py` names
 * the settings module (`os.environ.setdefault("DJANGO_SETTINGS_MODULE",
 * "mysite.settings")`), the settings name the application
 * (`WSGI_APPLICATION = "mysite.wsgi.application"`, and `ASGI_APPLICATION`
 * where it is set; settings split into modules are followed through
 * `from .base import *`), and the application's module must bind it at
 * module level. `startproject` also writes `<project>/asgi.py`, which serves
 * the project over ASGI without an `ASGI_APPLICATION` setting.
 *
 * @module
 */
import type { Outline } from "./outline.ts";
import type { Token } from "./tokens.ts";

/** A module the search can look up by import name. */
export interface LoadedModule {
  /** Its path relative to the app. */
  readonly file: string;
  /** Its outline. */
  readonly outline: Outline;
}

/** Where an application object of the project is. */
export interface DjangoApp {
  /** The module's import name. */
  readonly module: string;
  /** The attribute (`application`). */
  readonly attr: string;
  /** The module's file. */
  readonly file: string;
  /** The line that binds it. */
  readonly line: number;
  /** Where it was named: `WSGI_APPLICATION in mysite/settings.py:55`. */
  readonly how: string;
}

/** A Django project. */
export interface DjangoProject {
  /** The settings module's import name. */
  readonly settings: string;
  /** Its file. */
  readonly settingsFile: string;
  /** The WSGI application (`WSGI_APPLICATION`). */
  readonly wsgi?: DjangoApp;
  /** The ASGI application (`ASGI_APPLICATION`, else `<project>/asgi.py`). */
  readonly asgi?: DjangoApp;
  /** Whether `ASGI_APPLICATION` is set (the project asks for ASGI, e.g. for Channels). */
  readonly asgiSetting: boolean;
}

/** The settings module manage.py names, from its tokens. */
export function settingsModuleOf(lines: readonly (readonly Token[])[]): string | undefined {
  for (const tokens of lines) {
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] as Token;
      if (t.kind !== "string" || t.value !== "DJANGO_SETTINGS_MODULE") continue;
      const prev = tokens[i - 1];
      const call = prev?.text === "(" && tokens[i - 2]?.text === "setdefault";
      const item = prev?.text === "[" && tokens[i + 1]?.text === "]" && tokens[i + 2]?.text === "=";
      const value = call && tokens[i + 1]?.text === ","
        ? tokens[i + 2]
        : item
        ? tokens[i + 3]
        : undefined;
      if (value?.kind === "string" && value.value !== undefined && value.value !== "") {
        return value.value;
      }
    }
  }
  return undefined;
}

/** A module-level string setting, following star imports (depth-bounded). */
function setting(
  name: string,
  module: string,
  load: (module: string) => LoadedModule | undefined,
  depth = 0,
): { value: string; file: string; line: number } | undefined {
  const m = load(module);
  if (m === undefined || depth > 4) return undefined;
  let found: { value: string; file: string; line: number } | undefined;
  for (const s of m.outline.statements) {
    if (s.where === "main") continue;
    if (s.kind === "assign" && s.value.kind === "str") {
      if (s.targets.some((t) => t.kind === "name" && t.path.length === 1 && t.path[0] === name)) {
        found = { value: s.value.value, file: m.file, line: s.line };
      }
    } else if (s.kind === "import" && s.star !== undefined) {
      const dots = /^\.*/.exec(s.star)?.[0].length ?? 0;
      const pkg = m.file.endsWith("__init__.py")
        ? module.split(".")
        : module.split(".").slice(0, -1);
      const target = dots === 0
        ? s.star
        : [...pkg.slice(0, Math.max(0, pkg.length - (dots - 1))), s.star.slice(dots)]
          .filter((p) => p !== "").join(".");
      const inner = setting(name, target, load, depth + 1);
      if (inner !== undefined) found = inner;
    }
  }
  return found;
}

/** Where a module binds `attr` at module level, unconditionally. */
function bindingLine(m: LoadedModule, attr: string): number | undefined {
  for (const s of m.outline.statements) {
    if (s.where !== "module") continue;
    if (
      s.kind === "assign" && s.targets.some((t) => t.kind === "name" && t.path.join(".") === attr)
    ) {
      return s.line;
    }
    if (s.kind === "import" && s.binds.some((b) => b.local === attr)) return s.line;
    if (s.kind === "def" && s.name === attr) return s.line;
  }
  return undefined;
}

/**
 * Finds the project.
 *
 * @example Usage
 * ```ts
 * import { findDjango } from "./django.ts";
 * findDjango(undefined, () => undefined); // { doubt: "..." } without manage.py
 * ```
 *
 * @param manage manage.py's logical lines' tokens (`undefined`: there is none).
 * @param load Looks a module up by import name.
 * @returns The project, or why it is not certain.
 */
export function findDjango(
  manage: readonly (readonly Token[])[] | undefined,
  load: (module: string) => LoadedModule | undefined,
): DjangoProject | { readonly doubt: string } | undefined {
  if (manage === undefined) return undefined;
  const settings = settingsModuleOf(manage);
  if (settings === undefined) {
    return { doubt: "manage.py does not set DJANGO_SETTINGS_MODULE to a string" };
  }
  const settingsModule = load(settings);
  if (settingsModule === undefined) {
    return { doubt: `manage.py names settings ${settings}, which is not a module in the app` };
  }
  const app = (
    key: "WSGI_APPLICATION" | "ASGI_APPLICATION",
  ): DjangoApp | { doubt: string } | undefined => {
    const value = setting(key, settings, load);
    if (value === undefined) return undefined;
    const dot = value.value.lastIndexOf(".");
    const module = value.value.slice(0, dot);
    const attr = value.value.slice(dot + 1);
    const where = `${key} in ${value.file}:${value.line}`;
    const m = dot > 0 ? load(module) : undefined;
    const line = m === undefined ? undefined : bindingLine(m, attr);
    if (m === undefined || line === undefined) {
      return { doubt: `${where} names ${value.value}, which no module of the app binds` };
    }
    return { module, attr, file: m.file, line, how: where };
  };
  const wsgi = app("WSGI_APPLICATION");
  if (wsgi !== undefined && "doubt" in wsgi) return wsgi;
  let asgi = app("ASGI_APPLICATION");
  if (asgi !== undefined && "doubt" in asgi) return asgi;
  const asgiSetting = asgi !== undefined;
  if (asgi === undefined) {
    // startproject's asgi.py next to the WSGI module (or the settings).
    const pkg = (wsgi?.module ?? settings).split(".").slice(0, -1).join(".");
    const name = pkg === "" ? "asgi" : `${pkg}.asgi`;
    const m = load(name);
    const line = m === undefined ? undefined : bindingLine(m, "application");
    if (m !== undefined && line !== undefined) {
      asgi = {
        module: name,
        attr: "application",
        file: m.file,
        line,
        how: "startproject's asgi.py",
      };
    }
  }
  if (wsgi === undefined && asgi === undefined) {
    return { doubt: `${settingsModule.file} sets neither WSGI_APPLICATION nor ASGI_APPLICATION` };
  }
  return {
    settings,
    settingsFile: settingsModule.file,
    ...(wsgi === undefined ? {} : { wsgi }),
    ...(asgi === undefined ? {} : { asgi }),
    asgiSetting,
  };
}
