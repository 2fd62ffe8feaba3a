/**
 * The buildpack's single entry point.
 *
 * Compiled, it is `bin/run`, and `bin/detect` / `bin/build` are symlinks to
 * it: the phase is the basename of argv[0] (see {@linkcode choosePhase} for
 * how it is decided without reading argv[0] when the lifecycle's inputs name
 * it). From source, and in the `--runtime deno` package, the phase is the
 * first argument: `deno task phase detect <platform> <plan>`.
 *
 * Heavier modules (the TOML parser, build) are imported only on the paths
 * that need them, to keep start-up short.
 *
 * @module
 */
import { absolutePath, baseName, dirName, joinPath } from "./cnb/posix_path.ts";
import { BuildpackError, DetectFailure } from "./cnb/errors.ts";
import { ExitCode } from "./cnb/exit_codes.ts";
import { buildInputs, detectInputs, type EnvLookup } from "./cnb/inputs.ts";
import { choosePhase } from "./cnb/phase.ts";
import { isDebugLevel, Logger, type Sink } from "./cnb/logger.ts";
import { writeFileAtomic } from "./cnb/atomic_write.ts";
import { describeIoError } from "./cnb/io_error.ts";
import { detect } from "./poetry/detect.ts";
import { buildPlanToml } from "./cnb/plan.ts";
import type { PyProject } from "./poetry/pyproject.ts";
import { LIVE_RELOAD_VARIABLE } from "./poetry/live_reload.ts";
import { TARGET_VARIABLE } from "./poetry/target.ts";
import { DIRECT_VARIABLE } from "./poetry/start.ts";

/** Where the entry point reads and writes; tests substitute their own. */
export interface Io {
  /** Info output. */
  readonly stdout: Sink;
  /** Warnings and errors. */
  readonly stderr: Sink;
  /** Environment lookup. */
  readonly env: EnvLookup;
  /** The app directory (the working directory under the lifecycle). */
  readonly cwd: string;
}

const encoder = new TextEncoder();

/** The real process I/O. */
export function processIo(): Io {
  return {
    stdout: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
    stderr: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
    env: (name) => Deno.env.get(name),
    cwd: Deno.cwd(),
  };
}

const USAGE = "usage: main.ts detect <platform> <plan> | main.ts build <layers> <platform> <plan>";

/** Reads argv[0] as executed (kept through a `bin/detect` symlink). */
export type Argv0Reader = () => Promise<string>;

/**
 * argv[0] of this process, from `node:process` (loaded only when called: it
 * costs about 17 ms of start-up in Deno 2.9).
 *
 * @returns argv[0] as executed.
 */
export async function processArgv0(): Promise<string> {
  return (await import("node:process")).default.argv0;
}

/**
 * Runs one phase and returns its exit code; never throws.
 *
 * @param args The arguments: `detect|build <inputs…>`, or only the inputs when
 * the lifecycle's inputs or argv[0] (a `bin/detect` symlink) name the phase.
 * @param io Where to read and write.
 * @param argv0 Reads argv[0]; called only when the arguments and inputs do not name the phase.
 * @returns The exit code.
 */
export async function run(
  args: readonly string[],
  io: Io = processIo(),
  argv0: Argv0Reader = processArgv0,
): Promise<number> {
  const debug = isDebugLevel(io.env("BP_LOG_LEVEL"));
  const logger = new Logger(io.stdout, io.stderr, debug);
  let phase: string | undefined = args[0];
  try {
    const choice = await choosePhase(args, io.env, argv0);
    if (choice.phase === "detect") {
      phase = "detect";
      return await runDetect(choice.args, io, logger);
    }
    if (choice.phase === "build") {
      phase = "build";
      const known = choice.argv0;
      return await runBuild(
        choice.args,
        io,
        logger,
        known === undefined ? argv0 : () => Promise.resolve(known),
      );
    }
    io.stderr(`unknown phase ${JSON.stringify(args[0] ?? "")}; ${USAGE}\n`);
    return ExitCode.Usage;
  } catch (error) {
    if (error instanceof DetectFailure) {
      io.stderr(`${error.message}\n`);
      return ExitCode.DetectFail;
    }
    if (error instanceof BuildpackError) {
      io.stderr(`${error.message}\n`);
      if (debug && error.stack) io.stderr(`${error.stack}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${phase}: unexpected error: ${message}; set BP_LOG_LEVEL=DEBUG for details\n`);
    if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return ExitCode.Error;
  }
}

async function runDetect(args: readonly string[], io: Io, logger: Logger): Promise<number> {
  const inputs = detectInputs(args, io.env);
  const result = await detect({
    target: io.env(TARGET_VARIABLE),
    liveReload: io.env(LIVE_RELOAD_VARIABLE),
    direct: io.env(DIRECT_VARIABLE),
    loadPyProject: () => loadPyProject(io.cwd),
    logger,
  });
  if (!result.pass) throw new DetectFailure(result.reason);
  writeOutput(
    inputs.planPath,
    buildPlanToml(result.plan),
    "CNB_BUILD_PLAN_PATH",
    "build plan",
  );
  return ExitCode.Success;
}

async function runBuild(
  args: readonly string[],
  io: Io,
  logger: Logger,
  argv0: Argv0Reader,
): Promise<number> {
  const [{ readBuildpackToml }, { build }, { launchToml }] = await Promise.all([
    import("./cnb/buildpack_toml.ts"),
    import("./poetry/build.ts"),
    import("./cnb/launch.ts"),
  ]);
  const inputs = buildInputs(args, io.env);
  const buildpack = readBuildpackToml(await buildpackDir(io, argv0));
  const result = await build({
    appDir: io.cwd,
    buildpack,
    target: io.env(TARGET_VARIABLE),
    liveReload: io.env(LIVE_RELOAD_VARIABLE),
    direct: io.env(DIRECT_VARIABLE),
    loadPyProject: () => loadPyProject(io.cwd),
    logger,
  });
  writeOutput(
    joinPath(inputs.layersDir, "launch.toml"),
    launchToml(result.processes, buildpack.api),
    "CNB_LAYERS_DIR",
    "launch.toml",
  );
  return ExitCode.Success;
}

/**
 * Locates the buildpack directory: `CNB_BUILDPACK_DIR` (set by the lifecycle
 * for every Buildpack API), else two levels up from a `bin/build` argv[0],
 * else this program's parent directory (the source tree).
 */
async function buildpackDir(io: Io, argv0: Argv0Reader): Promise<string> {
  const fromEnv = io.env("CNB_BUILDPACK_DIR");
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const self = await argv0();
  if (baseName(self) === "build") return dirName(dirName(absolutePath(io.cwd, self)));
  return decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
}

function writeOutput(path: string, text: string, variable: string, what: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (error) {
    if (error instanceof Error && !(error instanceof TypeError)) {
      throw new BuildpackError(
        `${path}: cannot write the ${what} (${
          describeIoError(error)
        }); check ${variable} and that the directory is writable`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Reads `<appDir>/pyproject.toml`.
 *
 * @param appDir The app directory.
 * @returns The parsed project, or `null` when the file does not exist.
 * @throws {BuildpackError} When it exists but cannot be read, is not UTF-8, or is invalid.
 */
export async function loadPyProject(appDir: string): Promise<PyProject | null> {
  const { parsePyProject } = await import("./poetry/pyproject.ts");
  const path = joinPath(appDir, "pyproject.toml");
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      let dangling = true;
      try {
        Deno.lstatSync(path);
      } catch {
        dangling = false;
      }
      if (!dangling) return null;
    }
    throw new BuildpackError(
      `pyproject.toml: cannot be read (${describeIoError(error)}); make it a readable regular file`,
      { cause: error },
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    const loose = new TextDecoder().decode(bytes);
    const line = loose.slice(0, loose.indexOf("\uFFFD")).split("\n").length;
    throw new BuildpackError(
      `pyproject.toml:${line}: not valid UTF-8; save the file with UTF-8 encoding`,
      { cause: error },
    );
  }
  return parsePyProject(text);
}

if (import.meta.main) {
  // `deno task phase` runs in the directory of deno.json; the caller's
  // directory (the app, as under the lifecycle) is in INIT_CWD.
  const callerDir = Deno.build.standalone ? undefined : Deno.env.get("INIT_CWD");
  if (callerDir !== undefined && callerDir !== "") Deno.chdir(callerDir);
  Deno.exit(await run(Deno.args));
}
