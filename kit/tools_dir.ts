/**
 * Where `scripts/install-tools.sh` puts the test tools: `POETRY_RUN_TOOLS_DIR`,
 * else what the repository's `.tools` link points to, else the default
 * `/var/cache/poetry-run-tools`.
 *
 * @module
 */
import { join } from "node:path";
import { REPO_ROOT } from "./phase_command.ts";

/**
 * The tools directory.
 *
 * @example Usage
 * ```ts
 * import { toolsDir } from "./tools_dir.ts";
 * toolsDir(); // "/var/cache/poetry-run-tools"
 * ```
 *
 * @param env Environment lookup.
 * @returns Its path (it may not exist yet).
 */
export function toolsDir(
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): string {
  const explicit = env("POETRY_RUN_TOOLS_DIR");
  if (explicit !== undefined && explicit !== "") return explicit;
  try {
    return Deno.realPathSync(join(REPO_ROOT, ".tools"));
  } catch {
    return "/var/cache/poetry-run-tools";
  }
}
