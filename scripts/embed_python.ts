/**
 * `deno task embed`: writes `src/python/_embedded.ts` from the Python programs in
 * `src/python/*.py` (see `kit/embed.ts`).
 *
 * @module
 */
import { writeEmbeddedModule } from "../kit/embed.ts";

writeEmbeddedModule();
