/**
 * `deno task dev-buildpack <out-dir> [--version X] [--api A] [--deno-dir DIR]`: a buildpack
 * directory that runs src/main.ts from source (see `kit/dev_buildpack.ts`).
 *
 * @module
 */
import { devBuildpackMain } from "../kit/dev_buildpack.ts";

Deno.exit(await devBuildpackMain(Deno.args));
