/**
 * The web frameworks whose application objects the start-command inference
 * recognizes: the qualified names of their application classes (and the
 * paths they are re-exported from), the interface the object speaks (WSGI
 * or ASGI), and the distribution that provides it.
 *
 * @module
 */

/** How a server talks to an application object. */
export type AppInterface = "wsgi" | "asgi";

/** A framework whose application objects can be served. */
export interface Framework {
  /** Its name for the log (`Flask`). */
  readonly label: string;
  /** What its application objects speak. */
  readonly interface: AppInterface;
  /** The distribution that provides it (normalized name), checked in the venv at build. */
  readonly distribution: string;
  /** The top-level module it is imported from. */
  readonly module: string;
  /**
   * The attribute that holds what a server serves, and what that is, when
   * the application object is not itself callable by one (Dash: `server`,
   * its Flask app).
   */
  readonly servedThrough?: { readonly attr: string; readonly what: string };
}

const flask: Framework = {
  label: "Flask",
  interface: "wsgi",
  distribution: "flask",
  module: "flask",
};
const apiflask: Framework = {
  label: "APIFlask",
  interface: "wsgi",
  distribution: "apiflask",
  module: "apiflask",
};
const fastapi: Framework = {
  label: "FastAPI",
  interface: "asgi",
  distribution: "fastapi",
  module: "fastapi",
};
const starlette: Framework = {
  label: "Starlette",
  interface: "asgi",
  distribution: "starlette",
  module: "starlette",
};
const quart: Framework = {
  label: "Quart",
  interface: "asgi",
  distribution: "quart",
  module: "quart",
};
const litestar: Framework = {
  label: "Litestar",
  interface: "asgi",
  distribution: "litestar",
  module: "litestar",
};
const falconWsgi: Framework = {
  label: "Falcon",
  interface: "wsgi",
  distribution: "falcon",
  module: "falcon",
};
const falconAsgi: Framework = {
  label: "Falcon (ASGI)",
  interface: "asgi",
  distribution: "falcon",
  module: "falcon",
};
const bottle: Framework = {
  label: "Bottle",
  interface: "wsgi",
  distribution: "bottle",
  module: "bottle",
};
const fasthtml: Framework = {
  label: "FastHTML",
  interface: "asgi",
  distribution: "python-fasthtml",
  module: "fasthtml",
};
const dash: Framework = {
  label: "Dash",
  interface: "wsgi",
  distribution: "dash",
  module: "dash",
  servedThrough: { attr: "server", what: "Flask server" },
};

/** Application classes by qualified name (as imported, and where they are defined). */
export const APP_CLASSES: ReadonlyMap<string, Framework> = new Map([
  ["flask.Flask", flask],
  ["flask.app.Flask", flask],
  ["apiflask.APIFlask", apiflask],
  ["apiflask.app.APIFlask", apiflask],
  ["fastapi.FastAPI", fastapi],
  ["fastapi.applications.FastAPI", fastapi],
  ["starlette.applications.Starlette", starlette],
  ["quart.Quart", quart],
  ["quart.app.Quart", quart],
  ["litestar.Litestar", litestar],
  ["litestar.app.Litestar", litestar],
  ["falcon.App", falconWsgi],
  ["falcon.API", falconWsgi],
  ["falcon.app.App", falconWsgi],
  ["falcon.asgi.App", falconAsgi],
  ["falcon.asgi.app.App", falconAsgi],
  ["bottle.Bottle", bottle],
  ["fasthtml.FastHTML", fasthtml],
  ["fasthtml.common.FastHTML", fasthtml],
  ["fasthtml.core.FastHTML", fasthtml],
  ["dash.Dash", dash],
  ["dash.dash.Dash", dash],
]);

/**
 * Functions that return an application as the first item of a tuple
 * (`app, rt = fast_app()`), by qualified name.
 */
export const APP_TUPLE_FACTORIES: ReadonlyMap<string, Framework> = new Map([
  ["fasthtml.fast_app", fasthtml],
  ["fasthtml.common.fast_app", fasthtml],
  ["fasthtml.fastapp.fast_app", fasthtml],
]);

/** Every framework's top-level module: a file that mentions none of them is not read further. */
export const FRAMEWORK_MODULES: readonly string[] = [
  ...new Set([...APP_CLASSES.values(), ...APP_TUPLE_FACTORIES.values()].map((f) => f.module)),
];
