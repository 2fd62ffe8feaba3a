/**
 * Web apps that are scripts, served by running them: a Streamlit app (a
 * top-level script that imports streamlit and calls it at module level, run
 * by `streamlit run <script>`; pages in `pages/` are not top-level) and a
 * Gradio app (a top-level script that makes a Gradio interface or `Blocks` at
 * module level and calls its `launch()`, run as `python <script>`). Only
 * top-level scripts of the app directory count: `streamlit run` and
 * `python` are given a file.
 *
 * @module
 */
import type { SourceModule } from "./app_objects.ts";
import type { Expr, Statement } from "./outline.ts";

/** A script app. */
export interface ScriptApp {
  /** What runs it. */
  readonly runner: "streamlit" | "gradio";
  /** The script, relative to the app directory. */
  readonly file: string;
  /** The line that makes it an app. */
  readonly line: number;
}

/** What the search found. */
export interface ScriptSearch {
  /** The apps. */
  readonly apps: readonly ScriptApp[];
  /** Scripts that look like apps but are not certain, each one line. */
  readonly doubts: readonly string[];
}

const GRADIO_APPS = new Set([
  "gradio.Blocks",
  "gradio.Interface",
  "gradio.ChatInterface",
  "gradio.TabbedInterface",
]);

/** Local names bound to a module or its attributes, by the module's name. */
function bindings(m: SourceModule, module: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const s of m.outline.statements) {
    if (s.kind !== "import" || s.where === "main") continue;
    for (const b of s.binds) {
      if (b.target === module || b.target.startsWith(`${module}.`)) names.set(b.local, b.target);
    }
  }
  return names;
}

const qualified = (path: readonly string[], names: ReadonlyMap<string, string>) => {
  const bound = names.get(path[0] ?? "");
  return bound === undefined ? undefined : [bound, ...path.slice(1)].join(".");
};

function streamlit(m: SourceModule): ScriptApp | undefined {
  const names = bindings(m, "streamlit");
  if (names.size === 0) return undefined;
  const use = m.outline.statements.find((s) =>
    s.where === "module" && (s.kind === "expr" || s.kind === "assign") &&
    s.refs.some((r) => names.has(r.split(".")[0] as string))
  );
  return use === undefined ? undefined : { runner: "streamlit", file: m.file, line: use.line };
}

function gradio(m: SourceModule, doubts: string[]): ScriptApp | undefined {
  const names = bindings(m, "gradio");
  if (names.size === 0) return undefined;
  const made = new Map<string, Statement>();
  for (const s of m.outline.statements) {
    if (s.kind !== "assign" || s.where !== "module" || s.value.kind !== "call") continue;
    const func = s.value.func;
    const q = func.kind === "name" ? qualified(func.path, names) : undefined;
    const target = s.targets[0];
    if (
      q !== undefined && GRADIO_APPS.has(q) && target?.kind === "name" && target.path.length === 1
    ) {
      made.set(target.path[0] as string, s);
    }
  }
  if (made.size === 0) return undefined;
  const launches = m.outline.statements.flatMap((s) => {
    const call = s.kind === "expr" ? s.value : undefined;
    if (call?.kind !== "call" || call.func.kind !== "name" || call.func.path.length !== 2) {
      return [];
    }
    const [obj, method] = call.func.path;
    return method === "launch" && made.has(obj as string) ? [{ s, call }] : [];
  });
  const [launch] = launches;
  // No plain launch() here: the interface is mounted into another app, or launched in a way
  // this reading does not follow; either way this script is not the app.
  if (launches.length !== 1 || launch === undefined) return undefined;
  const own = (launch.call as Extract<Expr, { kind: "call" }>).keywords.filter((k) =>
    k.name === "server_name" || k.name === "server_port"
  );
  if (own.length > 0) {
    doubts.push(
      `${m.file}:${launch.s.line}: the Gradio app chooses its own address (${
        own.map((k) => k.name).join(", ")
      }), not PORT`,
    );
    return undefined;
  }
  return { runner: "gradio", file: m.file, line: launch.s.line };
}

/**
 * Finds the script apps among the top-level modules.
 *
 * @example Usage
 * ```ts
 * import { findScriptApps } from "./script_apps.ts";
 * import { outline } from "./outline.ts";
 * const app = { name: "app", file: "app.py", isPackage: false,
 *   outline: outline("import streamlit as st\nst.title('hi')\n") };
 * findScriptApps([app]).apps[0]?.runner; // "streamlit"
 * ```
 *
 * @param modules The modules (only top-level ones are looked at).
 * @returns The apps, and the doubts.
 */
export function findScriptApps(modules: readonly SourceModule[]): ScriptSearch {
  const apps: ScriptApp[] = [];
  const doubts: string[] = [];
  for (const m of modules) {
    if (m.isPackage || m.name.includes(".") || m.file.includes("/")) continue;
    const found = gradio(m, doubts) ?? streamlit(m);
    if (found !== undefined) apps.push(found);
  }
  return { apps, doubts };
}
