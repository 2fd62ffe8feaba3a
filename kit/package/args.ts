/**
 * The command line of `deno task package`.
 *
 * @module
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { TRIPLES } from "./denort.ts";

/** Usage text. */
export const USAGE = `usage: deno task package --version <semver> [options]

  --version <semver>   version stamped into buildpack.toml (required), e.g. 1.2.3
  --output <dir>       output directory (default: build, relative to where you run it)
  --target <list>      linux/amd64, linux/arm64 or both, comma-separated (default: both)
  --runtime <name>     denort: deno compile into one executable per target (default;
                         needs Deno's denort runtime: DENORT_BIN_AMD64 / DENORT_BIN_ARM64,
                         DENORT_BIN for its own architecture, the DENO_DIR cache, or --download)
                       deno: the Deno CLI from the npm registry plus the bundled program
                         (works wherever the npm registry is reachable)
  --engine v8|quickjs  JavaScript engine of a denort build (default: v8; quickjs is experimental)
  --download           let deno compile download missing denort runtimes from dl.deno.land
  --publish <ref>      also push the buildpackage to a registry with pack, e.g.
                         registry.example.com/poetry-run:1.2.3 (an image index with one
                         image per target; log in with docker login first)
  --help               print this text

Writes <output>/buildpack/, <output>/buildpack.tgz and, when pack is found (PACK, PATH or
the tools directory), <output>/buildpackage.cnb (one target) or
<output>/buildpackage-linux-<arch>.cnb (several). Each linux/<arch>/ in <output>/buildpack/
is a whole buildpack for that target, as pack publishes it.`;

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

// A registry host (with a port, optional), lower-case path components, and a tag (no digest:
// one cannot push to a digest).
const IMAGE_REF =
  /^(?:[A-Za-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*:[\w][\w.-]{0,127}$/;

/** Parsed options. */
export interface PackageOptions {
  /** Version stamped into buildpack.toml. */
  readonly version: string;
  /** Output directory. */
  readonly output: string;
  /** Targets, e.g. `linux/amd64`. */
  readonly targets: readonly string[];
  /** How the program runs: a compiled executable, or the Deno CLI plus the bundle. */
  readonly runtime: "denort" | "deno";
  /** JavaScript engine of a denort build. */
  readonly engine: "v8" | "quickjs";
  /** Let deno compile download missing denort runtimes. */
  readonly download: boolean;
  /** An image reference to publish the buildpackage to. */
  readonly publish?: string;
}

/** A command-line problem; the message is printed with the usage text, exit 2. */
export class UsageError extends Error {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses the command line.
 *
 * @param args Arguments.
 * @param cwd Directory relative outputs are resolved against.
 * @returns The options, or `"help"` for `--help`.
 * @throws {UsageError} On a missing or invalid version, an unknown target,
 * runtime, engine or flag, or options that do not go together.
 */
export function parsePackageArgs(args: readonly string[], cwd: string): PackageOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        version: { type: "string" },
        output: { type: "string" },
        target: { type: "string" },
        runtime: { type: "string" },
        engine: { type: "string" },
        download: { type: "boolean" },
        publish: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  if (values.version === undefined) throw new UsageError("--version is required");
  if (!SEMVER.test(values.version)) {
    throw new UsageError(
      `--version ${JSON.stringify(values.version)} is not a semantic version such as 1.2.3`,
    );
  }
  const targets = (values.target ?? "linux/amd64,linux/arm64").split(",").map((t) => t.trim());
  for (const t of targets) {
    if (!(t in TRIPLES)) {
      throw new UsageError(
        `--target ${JSON.stringify(t)} is not supported; use ${Object.keys(TRIPLES).join(", ")}`,
      );
    }
  }
  const runtime = values.runtime ?? "denort";
  if (runtime !== "denort" && runtime !== "deno") {
    throw new UsageError(
      `--runtime ${JSON.stringify(runtime)} is not supported; use denort or deno`,
    );
  }
  const engine = values.engine ?? "v8";
  if (engine !== "v8" && engine !== "quickjs") {
    throw new UsageError(`--engine ${JSON.stringify(engine)} is not supported; use v8 or quickjs`);
  }
  if (runtime === "deno" && (values.engine !== undefined || values.download)) {
    throw new UsageError(
      "--engine and --download apply to --runtime denort only; the deno runtime is the npm Deno CLI",
    );
  }
  if (values.publish !== undefined && !IMAGE_REF.test(values.publish)) {
    throw new UsageError(
      `--publish ${JSON.stringify(values.publish)} is not an image reference with a tag, such as ` +
        "registry.example.com/poetry-run:1.2.3",
    );
  }
  return {
    ...(values.publish === undefined ? {} : { publish: values.publish }),
    version: values.version,
    output: resolve(cwd, values.output ?? "build"),
    targets: [...new Set(targets)],
    runtime,
    engine,
    download: values.download ?? false,
  };
}
