/**
 * The `start` launch layer: the launch defaults every image of this
 * buildpack gets, and what an inferred start command needs at launch.
 *
 * - `PYTHONUNBUFFERED=1` as a default (a value the platform or user sets
 *   wins), as Google's, Heroku's, Railpack's and Nixpacks' builds set it:
 *   without it, a Python process writing to a pipe holds its output in a
 *   buffer, and log lines come late or are lost when it is killed.
 * - For an inferred command: `PORT=8080` as a default for the processes that
 *   run it (`web`, `reload-web`), so that it listens on the port the platform
 *   sets and on 8080 where none does; and `serve.py`, through which servers
 *   that read no `PORT` are started.
 *
 * @module
 */
import type { LaunchProcess } from "../cnb/launch.ts";
import { type Layer, type LayerEnvFile, layerName, type LayerStore } from "../cnb/layers.ts";
import { SERVE_PY } from "../python/_embedded.ts";
import { START_LAYER, type Target } from "./target.ts";

/** The port an inferred command listens on when the platform sets no `PORT`. */
export const DEFAULT_PORT = "8080";

/**
 * Writes the layer's content and says what it is.
 *
 * @example Usage
 * ```ts
 * import { startLayer } from "./start_layer.ts";
 * // return { processes, layers: [startLayer(ctx.layers, processes, target)] };
 * ```
 *
 * @param layers The buildpack's layers.
 * @param processes The launch processes.
 * @param target What `web` runs.
 * @returns The layer.
 */
export function startLayer(
  layers: LayerStore,
  processes: readonly LaunchProcess[],
  target: Target,
): Layer {
  const layer = layers.layer(layerName(START_LAYER));
  layer.reset();
  const env: LayerEnvFile[] = [
    { scope: "env.launch", name: "PYTHONUNBUFFERED", action: "default", value: "1" },
  ];
  if (target.inferred !== undefined) {
    for (const p of processes) {
      if (p.type === "web" || p.type === "reload-web") {
        env.push({
          scope: "env.launch",
          process: p.type,
          name: "PORT",
          action: "default",
          value: DEFAULT_PORT,
        });
      }
    }
    if (!target.inferred.server.readsPort) layer.writeFile("serve.py", SERVE_PY);
  }
  return { name: layer.name, types: { launch: true }, env };
}

/**
 * The launch environment lines for the log.
 *
 * @param layer The layer.
 * @returns One line per variable: `PYTHONUNBUFFERED -> "1" (default)`.
 */
export function describeLaunchEnv(layer: Layer): string[] {
  return (layer.env ?? []).map((f) =>
    `${f.process === undefined ? "" : `${f.process}: `}${f.name} -> ${
      JSON.stringify(f.value)
    } (${f.action}${f.action === "default" ? ": a value set at launch wins" : ""})`
  );
}
