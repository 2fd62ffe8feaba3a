/**
 * The stand-ins for Paketo's buildpacks (tests/providers, see its README),
 * each written as a self-contained buildpack directory.
 *
 * @module
 */
import { join } from "node:path";
import { cp } from "node:fs/promises";
import { REPO_ROOT } from "./paths.ts";

/**
 * The stand-ins for Paketo's cpython, poetry, poetry-install and watchexec
 * buildpacks (tests/providers), in group order.
 */
export const PROVIDERS = ["cpython", "poetry", "poetry-install", "watchexec"] as const;

/** A stand-in's name. */
export type Provider = typeof PROVIDERS[number];

/**
 * Writes a stand-in provider buildpack: its directory plus the shared helper
 * module in `lib/` (each buildpack must be self-contained).
 *
 * @param name A name from {@linkcode PROVIDERS}.
 * @param dir The buildpack directory to write.
 * @returns The directory.
 */
export async function writeProvider(name: string, dir: string): Promise<string> {
  await cp(join(REPO_ROOT, "tests", "providers", name), dir, { recursive: true });
  await Deno.mkdir(join(dir, "lib"), { recursive: true });
  await Deno.copyFile(
    join(REPO_ROOT, "tests", "providers", "_lib", "cnb.py"),
    join(dir, "lib", "cnb.py"),
  );
  return dir;
}
