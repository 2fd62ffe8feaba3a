/**
 * The Deno CLI executable for a target, from the npm registry, for
 * `--runtime deno` packages: pinned per architecture with its integrity
 * hash, cached, and verified on every use.
 *
 * The versions are versions.env's `DENO` and `DENO_ARM64` (npm's
 * `@deno/linux-arm64-glibc` stops at 2.9.5); the integrity hashes are pinned
 * here beside them, and tests/unit/versions_test.ts checks the two agree.
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { readTarFile } from "./tar.ts";
import { version } from "../versions.ts";

/** One pinned npm package holding a Deno CLI executable (`package/deno`). */
export interface DenoCliPin {
  /** npm package name. */
  readonly name: string;
  /** Exact version. */
  readonly version: string;
  /** The registry's `dist.integrity` (sha512, base64). */
  readonly integrity: string;
}

/** The integrity of each pinned Deno CLI package, by `name@version` (the registry's `dist.integrity`). */
export const DENO_CLI_INTEGRITY: Readonly<Record<string, string>> = {
  "@deno/linux-x64-glibc@2.9.6":
    "sha512-3md4TKLCuzsLDmfOoC5KN7NAZaxSVkMgm64vg6foD00JBADCpYS2/5QqXfzgnP5ZQz3iLP9vBQJtEgc116OAoQ==",
  "@deno/linux-arm64-glibc@2.9.5":
    "sha512-IuYjsz9PGl7CJcNXMuN27KNDB8Q40brK3SG3l+TXMDVW61ZKwcn0fQHBHnXFiiygEwI8by/fKnASEluhZB1atw==",
};

function pin(name: string, v: string): DenoCliPin {
  const integrity = DENO_CLI_INTEGRITY[`${name}@${v}`];
  if (integrity === undefined) {
    throw new Error(
      `No integrity is pinned for ${name}@${v} (versions.env): add it to DENO_CLI_INTEGRITY`,
    );
  }
  return { name, version: v, integrity };
}

/** The Deno CLI per target, as published on npm. */
export const DENO_CLI: Readonly<Record<string, DenoCliPin>> = {
  "linux/amd64": pin("@deno/linux-x64-glibc", version("DENO")),
  "linux/arm64": pin("@deno/linux-arm64-glibc", version("DENO_ARM64")),
};

/**
 * Where downloaded tarballs are kept.
 *
 * @param env Environment lookup.
 * @returns `$XDG_CACHE_HOME/poetry-run-buildpack/npm` (default `~/.cache/…`).
 */
export function cacheDir(env: (name: string) => string | undefined): string {
  const base = env("XDG_CACHE_HOME") ?? join(env("HOME") ?? "/root", ".cache");
  return join(base, "poetry-run-buildpack", "npm");
}

/**
 * The tarball URL of a pin on a registry.
 *
 * @param pin The package.
 * @param registry The registry's base URL (`NPM_CONFIG_REGISTRY`, default npmjs.org).
 * @returns `<registry>/<name>/-/<short name>-<version>.tgz`.
 */
export function tarballUrl(pin: DenoCliPin, registry: string): string {
  const base = registry.endsWith("/") ? registry : `${registry}/`;
  const short = pin.name.split("/").pop() as string;
  return `${base}${pin.name}/-/${short}-${pin.version}.tgz`;
}

async function sha512(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-512", bytes as Uint8Array<ArrayBuffer>);
  return `sha512-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`;
}

/**
 * Returns the Deno CLI executable of a pin: from the cache when it is there
 * and verifies, else downloaded (bounded wait) and cached.
 *
 * @param pin The package.
 * @param opts Environment, log sink, timeout (ms).
 * @returns The executable's bytes.
 * @throws {Error} One line naming the package, what failed and what to do.
 */
export async function denoCli(
  pin: DenoCliPin,
  opts: {
    env: (name: string) => string | undefined;
    log: (line: string) => void;
    timeoutMs?: number;
  },
): Promise<Uint8Array> {
  const id = `${pin.name}@${pin.version}`;
  const file = `${pin.name.replace(/^@/, "").replace("/", "-")}-${pin.version}.tgz`;
  const cached = join(cacheDir(opts.env), file);
  let tgz = await Deno.readFile(cached).catch(() => undefined);
  if (tgz !== undefined && await sha512(tgz) !== pin.integrity) tgz = undefined;
  if (tgz === undefined) {
    const registry = opts.env("NPM_CONFIG_REGISTRY") ?? opts.env("npm_config_registry") ??
      "https://registry.npmjs.org/";
    const url = tarballUrl(pin, registry);
    const started = Date.now();
    opts.log(`      downloading ${id} from ${url}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 300_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      tgz = new Uint8Array(await res.arrayBuffer());
    } catch (error) {
      throw new Error(
        `Cannot download ${id} from ${url} (${(error as Error).message}): set ` +
          `NPM_CONFIG_REGISTRY to a reachable npm registry, or put the tarball at ${cached}`,
        { cause: error },
      );
    }
    const actual = await sha512(tgz);
    if (actual !== pin.integrity) {
      throw new Error(
        `${url}: integrity ${actual} does not match the pinned ${pin.integrity}; ` +
          `the registry served other bytes than npm publishes for ${id}`,
      );
    }
    await Deno.mkdir(cacheDir(opts.env), { recursive: true });
    await Deno.writeFile(cached, tgz);
    opts.log(
      `      ${id}: ${(tgz.length / 1024 / 1024).toFixed(1)} MiB in ${Date.now() - started} ms`,
    );
  }
  const exe = readTarFile(gunzipSync(tgz), "package/deno");
  if (exe === undefined) throw new Error(`${cached}: ${id} has no package/deno`);
  return exe;
}
