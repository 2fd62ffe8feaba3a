/**
 * How to run the entry point from source with the permission set that
 * `deno compile` bakes in (the `phase` set in deno.json, defined there once).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT: string = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** The name of the permission set in deno.json used by `deno run` and `deno compile`. */
export const PERMISSION_SET = "phase";

/**
 * The `deno` arguments that run `src/main.ts` from source exactly as compiled:
 * append the phase and its arguments.
 *
 * @param root The repository (or a copy of its sources).
 * @returns Arguments for `deno`.
 */
export function phaseDenoArgs(root: string = REPO_ROOT): string[] {
  return [
    "run",
    "-q",
    `-P=${PERMISSION_SET}`,
    "--config",
    join(root, "deno.json"),
    join(root, "src", "main.ts"),
  ];
}

/**
 * The `deno` arguments that run one of this repository's tasks from any
 * directory, quietly, as a user's `deno task` would (the task runs in the
 * repository; the caller's directory is `INIT_CWD`).
 *
 * @example Usage
 * ```ts
 * import { denoTaskArgs } from "./phase_command.ts";
 * const args = denoTaskArgs("phase", ["detect", "/platform", "/plan.toml"]);
 * ```
 *
 * @param task The task's name in deno.json.
 * @param args Its arguments.
 * @returns Arguments for `deno`.
 */
export function denoTaskArgs(task: string, args: readonly string[] = []): string[] {
  return ["task", "-q", "--config", join(REPO_ROOT, "deno.json"), task, ...args];
}
