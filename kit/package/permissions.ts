/**
 * The `phase` permission set of deno.json as `deno run` / `deno compile`
 * flags, so that packaging can run without a config file (`--no-config`,
 * which keeps the compiled bytes free of config paths) and still grant
 * exactly that set: it stays defined once, in deno.json.
 *
 * @module
 */
import { join } from "node:path";
import { PERMISSION_SET, REPO_ROOT } from "../phase_command.ts";

/** The permission kinds a set may hold, each `true` (all) or a list. */
const KINDS = ["read", "write", "env", "net", "run", "sys", "ffi", "import"] as const;

/**
 * Converts a deno.json permission set to flags.
 *
 * @example Usage
 * ```ts
 * import { permissionFlags } from "./permissions.ts";
 * permissionFlags({ read: true, env: ["CNB_*"] }); // ["--allow-read", "--allow-env=CNB_*"]
 * ```
 *
 * @param set The set, e.g. `{ read: true, env: ["CNB_*"] }`.
 * @returns `--allow-<kind>[=a,b]` flags in a fixed order.
 * @throws {TypeError} For a key or value this conversion does not know.
 */
export function permissionFlags(set: Record<string, unknown>): string[] {
  const flags: string[] = [];
  for (const key of Object.keys(set)) {
    if (!(KINDS as readonly string[]).includes(key)) {
      throw new TypeError(`Cannot convert permission "${key}": only ${KINDS.join(", ")} are known`);
    }
  }
  for (const kind of KINDS) {
    const value = set[kind];
    if (value === undefined || value === false) continue;
    if (value === true) flags.push(`--allow-${kind}`);
    else if (
      Array.isArray(value) && value.every((v) => typeof v === "string") && value.length > 0
    ) {
      flags.push(`--allow-${kind}=${value.join(",")}`);
    } else {
      throw new TypeError(
        `Cannot convert permission "${kind}": expected true, false or a list of strings`,
      );
    }
  }
  return flags;
}

/**
 * Reads the `phase` permission set from the repository's deno.json.
 *
 * @param root The repository root.
 * @returns Its flags.
 */
export async function phasePermissionFlags(root: string = REPO_ROOT): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const set = config?.permissions?.[PERMISSION_SET];
  if (set === null || typeof set !== "object") {
    throw new TypeError(`Cannot find permissions.${PERMISSION_SET} in ${join(root, "deno.json")}`);
  }
  return permissionFlags(set);
}
