/**
 * Finding Deno's `denort` runtime for each target of `deno compile`, without
 * touching the network: `DENORT_BIN_<ARCH>`, `DENORT_BIN` (only for the
 * target of its own architecture), or the DENO_DIR download cache.
 *
 * @module
 */
import { join } from "node:path";
import { fileArch } from "./elf.ts";
import { version } from "../versions.ts";

/** Deno's version (versions.env): the denort runtime must match it. */
export const DENO_VERSION: string = version("DENO");

/** Supported targets and their Rust triples. */
export const TRIPLES: Readonly<Record<string, string>> = {
  "linux/amd64": "x86_64-unknown-linux-gnu",
  "linux/arm64": "aarch64-unknown-linux-gnu",
};

/** How `deno compile` gets its runtime for one target. */
export type DenortSource =
  | { readonly kind: "file"; readonly path: string; readonly variable: string }
  | { readonly kind: "cache"; readonly path: string }
  | { readonly kind: "download" };

const archOf = (target: string) => target.split("/")[1] as string;

/**
 * The DENO_DIR cache path `deno compile` looks at for a target.
 *
 * @param target E.g. `linux/arm64`.
 * @param engine `v8` or `quickjs`.
 * @param env Environment lookup.
 * @returns `$DENO_DIR/dl/release/v<DENO_VERSION>/denort[-quickjs]-<triple>.zip`.
 */
export function denortCachePath(
  target: string,
  engine: "v8" | "quickjs",
  env: (name: string) => string | undefined,
): string {
  const home = env("HOME") ?? "/root";
  const denoDir = env("DENO_DIR") ?? join(env("XDG_CACHE_HOME") ?? join(home, ".cache"), "deno");
  const zip = `denort-${engine === "quickjs" ? "quickjs-" : ""}${TRIPLES[target]}.zip`;
  return join(denoDir, "dl", "release", `v${DENO_VERSION}`, zip);
}

async function isFile(path: string): Promise<boolean> {
  return await Deno.stat(path).then((s) => s.isFile, () => false);
}

/**
 * Chooses the runtime of every target, or explains in one line every one
 * that is missing or wrong.
 *
 * @param targets E.g. `["linux/amd64", "linux/arm64"]`.
 * @param engine `v8` or `quickjs`.
 * @param download Whether `deno compile` may download what is missing.
 * @param env Environment lookup.
 * @returns The source per target.
 * @throws {Error} Naming every target without a usable runtime and every way to get one.
 */
export async function findDenorts(
  targets: readonly string[],
  engine: "v8" | "quickjs",
  download: boolean,
  env: (name: string) => string | undefined,
): Promise<Map<string, DenortSource>> {
  const found = new Map<string, DenortSource>();
  const wrong: string[] = [];
  const missing: string[] = [];
  const shared = env("DENORT_BIN");
  const sharedArch = shared === undefined || shared === "" ? undefined : await fileArch(shared);
  if (shared !== undefined && shared !== "" && !["amd64", "arm64"].includes(sharedArch ?? "")) {
    wrong.push(`DENORT_BIN=${shared} is not a Linux x86-64 or aarch64 executable`);
  }
  for (const target of targets) {
    const arch = archOf(target);
    const variable = `DENORT_BIN_${arch.toUpperCase()}`;
    const own = env(variable);
    if (own !== undefined && own !== "") {
      const ownArch = await fileArch(own);
      if (ownArch === arch) found.set(target, { kind: "file", path: own, variable });
      else {
        wrong.push(
          `${variable}=${own} ${
            ownArch === undefined ? "is not an executable ELF file" : `is for ${ownArch}`
          }, not ${arch}`,
        );
      }
      continue;
    }
    if (shared !== undefined && sharedArch === arch) {
      found.set(target, { kind: "file", path: shared, variable: "DENORT_BIN" });
      continue;
    }
    const cache = denortCachePath(target, engine, env);
    if (await isFile(cache)) found.set(target, { kind: "cache", path: cache });
    else if (download) found.set(target, { kind: "download" });
    else missing.push(target);
  }
  if (wrong.length === 0 && missing.length === 0) return found;
  const parts = [...wrong];
  if (missing.length > 0) {
    const list = missing.map((t) => `${t} (${TRIPLES[t]})`).join(" and ");
    const vars = missing.map((t) => `DENORT_BIN_${archOf(t).toUpperCase()}`).join(" / ");
    const zips = missing.map((t) => denortCachePath(t, engine, env)).join(" and ");
    const sharedNote = sharedArch === undefined || !["amd64", "arm64"].includes(sharedArch)
      ? ""
      : ` (DENORT_BIN=${shared} is for ${sharedArch}, so it serves only linux/${sharedArch})`;
    parts.push(
      `deno compile needs a denort runtime (Deno ${DENO_VERSION}, ${engine}) for ${list}, and none is available offline${sharedNote}: ` +
        `set ${vars} to a denort executable of that architecture, or put ${zips} (the DENO_DIR cache), ` +
        `or rerun with --download to fetch from dl.deno.land, or package with --runtime deno, which needs no denort`,
    );
  }
  throw new Error(parts.join("; "));
}
