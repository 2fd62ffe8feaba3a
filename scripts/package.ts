/**
 * `deno task package --version X [--target …] [--runtime denort|deno] [--output DIR] [--publish REF]`:
 * packages the buildpack (see `kit/package.ts`).
 *
 * @module
 */
import { packageMain } from "../kit/package.ts";

Deno.exit(await packageMain(Deno.args, Deno.env.get("INIT_CWD") ?? Deno.cwd()));
