/**
 * A real OCI registry of our own (Debian's docker-registry, distribution 2.8)
 * on 127.0.0.1:80, its data in a temporary directory, and a client for what
 * the tests read back: manifests, image indexes and blobs.
 *
 * pack (go-containerregistry) and dockerd talk plain HTTP to a registry on
 * 127.0.0.1 without any configuration. Port 80, because pack 0.38 cannot
 * read a builder.toml `docker://` URI whose host has a port
 * (`docker://127.0.0.1:5000/x:1` is refused as "unsupported protocol
 * 'docker'": the reference parser sees `docker:` as the registry and the port
 * in the repository), and the default port is written without one.
 *
 * @module
 */
import { join } from "node:path";
import { type Daemon, startDaemon } from "./daemon.ts";

/** The media types a manifest request accepts. */
const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** A manifest or an image index, as the registry serves it. */
export interface Manifest {
  /** Its digest (`Docker-Content-Digest`). */
  readonly digest: string;
  /** Its media type. */
  readonly mediaType: string;
  /** Its JSON. */
  readonly json: {
    readonly manifests?: readonly {
      readonly digest: string;
      readonly platform?: { readonly os: string; readonly architecture: string };
    }[];
    readonly config?: { readonly digest: string };
    readonly layers?: readonly { readonly digest: string; readonly size: number }[];
  };
}

/** The started registry. */
export interface Registry extends AsyncDisposable {
  /** `127.0.0.1`, the host part of image references. */
  readonly host: string;
  /** The daemon. */
  readonly daemon: Daemon;
  /** A manifest or index by tag or digest. */
  readonly manifest: (repository: string, reference: string) => Promise<Manifest>;
  /** A blob's bytes. */
  readonly blob: (repository: string, digest: string) => Promise<Uint8Array>;
}

async function get(url: string, accept?: string): Promise<Response> {
  const res = await fetch(url, {
    headers: accept === undefined ? {} : { accept },
    signal: AbortSignal.timeout(60_000),
  });
  if (res.status !== 200) {
    const body = await res.text();
    throw new Error(`GET ${url}: status ${res.status}: ${body.slice(0, 300)}`);
  }
  return res;
}

/**
 * Starts the registry on 127.0.0.1:80.
 *
 * @param root A directory for its configuration, data and log.
 * @returns The registry; dispose stops it.
 * @throws {Error} When the port is taken.
 */
export async function startRegistry(root: string): Promise<Registry> {
  const host = "127.0.0.1";
  try {
    Deno.listen({ hostname: host, port: 80 }).close();
  } catch (error) {
    throw new Error(
      `127.0.0.1:80 is not free for the e2e registry (${error}): stop what listens there; ` +
        "the registry needs the default port because pack cannot read docker:// URIs with a port",
    );
  }
  await Deno.mkdir(join(root, "data"), { recursive: true });
  const config = join(root, "config.yml");
  await Deno.writeTextFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(root, "data")}`,
      "http:",
      `  addr: ${host}:80`,
      "",
    ].join("\n"),
  );
  const base = `http://${host}/v2`;
  const daemon = await startDaemon({
    name: `docker-registry on ${host}`,
    cmd: "docker-registry",
    args: ["serve", config],
    log: join(root, "registry.log"),
    ready: async () => {
      const res = await fetch(`${base}/`);
      await res.body?.cancel();
      return res.ok;
    },
  });
  return {
    host,
    daemon,
    manifest: async (repository, reference) => {
      const res = await get(`${base}/${repository}/manifests/${reference}`, ACCEPT);
      return {
        digest: res.headers.get("docker-content-digest") ?? "",
        mediaType: res.headers.get("content-type") ?? "",
        json: await res.json(),
      };
    },
    blob: async (repository, digest) =>
      new Uint8Array(await (await get(`${base}/${repository}/blobs/${digest}`)).arrayBuffer()),
    [Symbol.asyncDispose]: daemon.stop,
  };
}
