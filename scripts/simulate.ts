/**
 * `deno task start [app-dir] [--env NAME=VALUE]…`: detect and build an app as the lifecycle
 * would, and print what its image would run (see `kit/simulate.ts`).
 *
 * @module
 */
import { main } from "../kit/simulate.ts";

Deno.exit(await main(Deno.args));
