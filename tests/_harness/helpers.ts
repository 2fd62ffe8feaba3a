/**
 * Shared test helpers: an in-memory logger and temporary directories.
 *
 * @module
 */
import { Scribe } from "../../src/paketo/scribe.ts";

/** A logger that records what it prints. */
export interface RecordingLogger {
  /** The logger. */
  readonly logger: Scribe;
  /** Everything printed to stdout. */
  readonly out: () => string;
  /** Everything printed to stderr. */
  readonly err: () => string;
}

/**
 * Creates a logger that records its output.
 *
 * @param debug Whether debug lines are printed.
 * @returns The logger and accessors for its output.
 */
export function recordingLogger(debug = false): RecordingLogger {
  let out = "";
  let err = "";
  const logger = new Scribe((t) => void (out += t), (t) => void (err += t), debug);
  return { logger, out: () => out, err: () => err };
}

/**
 * The plan the reference buildpack (packit, BurntSushi/toml) writes without
 * live reload; ours must match it byte for byte.
 */
export const REFERENCE_PLAN = `[[requires]]
  name = "cpython"
  [requires.metadata]
    launch = true

[[requires]]
  name = "poetry"
  [requires.metadata]
    launch = true

[[requires]]
  name = "poetry-venv"
  [requires.metadata]
    launch = true
`;

/**
 * Declares a test that needs installed tools: in CI (`CI` set) it fails when
 * they are missing; on a laptop it is skipped with the reason printed.
 *
 * @param name Test name.
 * @param missing Why the tools are not usable, or `undefined` when they are.
 * @param suite The suite's name, for the CI failure message.
 * @param fn Body.
 */
export function testNeedingTools(
  name: string,
  missing: string | undefined,
  suite: string,
  fn: () => Promise<void>,
): void {
  const inCi = (Deno.env.get("CI") ?? "") !== "";
  if (missing !== undefined && !inCi) console.log(`skipping "${name}": ${missing} (CI unset)`);
  Deno.test({
    name,
    ignore: missing !== undefined && !inCi,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      if (missing !== undefined) throw new Error(`${suite} tools missing in CI: ${missing}`);
      await fn();
    },
  });
}
