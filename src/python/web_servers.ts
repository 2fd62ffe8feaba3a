/**
 * The production servers the start-command inference may choose, in order of
 * preference for each interface, and how each is told what to serve and
 * where: gunicorn binds `0.0.0.0:$PORT` by itself when `PORT` is set (and
 * no `--bind` is given); uvicorn, hypercorn, daphne and waitress take their address
 * only as arguments or variables of their own, and a process starts without
 * a shell, so they are started through `serve.py` (see that file), which
 * sets them from `PORT` at start.
 *
 * @module
 */
import type { AppInterface } from "./web_frameworks.ts";

/** What to serve: `module:attribute`, a factory to call, or a script to run. */
export interface AppRef {
  /** The module's import name. */
  readonly module: string;
  /** The attribute: the application object, or the factory function. */
  readonly attr: string;
  /** Whether `attr` is a factory the server calls (with no arguments). */
  readonly factory: boolean;
  /** For an app that is a script (Streamlit, Gradio): its file, relative to the app directory. */
  readonly script?: string;
}

/** A server. */
export interface WebServer {
  /** Its name, as `serve.py` and the log call it. */
  readonly name: string;
  /** The distribution that provides it (normalized name). */
  readonly distribution: string;
  /** The program it installs into the venv's `bin/`, looked for at build. */
  readonly executable: string;
  /** What it serves. */
  readonly interfaces: readonly AppInterface[];
  /** Whether it binds to `PORT` by itself; otherwise it starts through `serve.py`. */
  readonly readsPort: boolean;
  /** Its arguments for an application. */
  readonly args: (app: AppRef) => readonly string[];
  /** The oldest version that can call a factory as `args` asks, when there is a limit. */
  readonly factorySince?: string;
  /** Set when no version can call a factory (daphne): it serves application objects only. */
  readonly objectsOnly?: true;
}

const spec = (app: AppRef, call: boolean) =>
  `${app.module}:${app.attr}${app.factory && call ? "()" : ""}`;

/** The servers, in order of preference. */
export const WEB_SERVERS: readonly WebServer[] = [
  {
    name: "gunicorn",
    distribution: "gunicorn",
    executable: "gunicorn",
    interfaces: ["wsgi"],
    readsPort: true,
    args: (app) => [spec(app, true)],
    factorySince: "20.1.0",
  },
  {
    name: "uvicorn",
    distribution: "uvicorn",
    executable: "uvicorn",
    interfaces: ["asgi"],
    readsPort: false,
    args: (app) => app.factory ? ["--factory", spec(app, false)] : [spec(app, false)],
    factorySince: "0.14.0",
  },
  {
    name: "hypercorn",
    distribution: "hypercorn",
    executable: "hypercorn",
    interfaces: ["asgi"],
    readsPort: false,
    args: (app) => [spec(app, true)],
  },
  {
    // Django Channels' server.
    name: "daphne",
    distribution: "daphne",
    executable: "daphne",
    interfaces: ["asgi"],
    readsPort: false,
    args: (app) => [spec(app, false)],
    objectsOnly: true,
  },
  {
    name: "waitress",
    distribution: "waitress",
    executable: "waitress-serve",
    interfaces: ["wsgi"],
    readsPort: false,
    args: (app) => app.factory ? ["--call", spec(app, false)] : [spec(app, false)],
  },
];

/**
 * What runs the apps that are scripts: Streamlit's `streamlit run <script>`,
 * and Gradio's script itself (`python <script>`). Both take their address
 * from variables of their own (`STREAMLIT_SERVER_*`, `GRADIO_SERVER_*`), which
 * `serve.py` sets from `PORT`.
 */
export const SCRIPT_RUNNERS: Readonly<Record<"streamlit" | "gradio", WebServer>> = {
  streamlit: {
    name: "streamlit",
    distribution: "streamlit",
    executable: "streamlit",
    interfaces: [],
    readsPort: false,
    args: (app) => ["run", app.script ?? ""],
  },
  gradio: {
    name: "gradio",
    distribution: "gradio",
    executable: "gradio",
    interfaces: [],
    readsPort: false,
    args: (app) => [app.script ?? ""],
  },
};

/**
 * Compares dotted release versions (`20.1.0` < `21.2`); pre-release and
 * local parts are ignored.
 *
 * @param a A version.
 * @param b Another.
 * @returns Negative, zero or positive, as `a` is older, the same or newer.
 */
export function compareReleases(a: string, b: string): number {
  const parts = (v: string) => (/^\d+(\.\d+)*/.exec(v)?.[0] ?? "0").split(".").map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
