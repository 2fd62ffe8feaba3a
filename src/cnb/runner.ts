/**
 * The buildpack-agnostic runner, as packit's `packit.Run(detect, build)` and
 * libcnb.rs's `buildpack_main!`: it decides the phase, reads the inputs,
 * calls the buildpack's `detect` or `build` (plain functions over a context),
 * writes the build plan or launch.toml in the format of the Buildpack API the
 * buildpack declares, writes the layers the build declares (and removes the
 * others), and maps the outcome to an exit code. The buildpack itself does no
 * CNB I/O: it reads and changes its layers only through the handles of
 * {@linkcode BuildContext.layers}.
 *
 * @module
 */
import { absolutePath, baseName, dirName, joinPath } from "./posix_path.ts";
import { BuildpackError } from "./errors.ts";
import { ExitCode } from "./exit_codes.ts";
import { buildLayersDir, detectPlanPath } from "./inputs.ts";
import { type EnvLookup, type Io, processIo } from "./io.ts";
import { choosePhase, type PhaseChoice, processArgv0 } from "./phase.ts";
import { writeFileAtomic } from "./atomic_write.ts";
import { describeIoError } from "./io_error.ts";
import { type BuildPlan, buildPlanToml } from "./plan.ts";
import type { BuildpackInfo } from "./buildpack_toml.ts";
import type { LaunchProcess } from "./launch.ts";
import type { Layer, LayerStore } from "./layers.ts";

/** What both phases get: the phase's I/O, with the working directory named as what it is. */
export type DetectContext = Readonly<
  Omit<Io, "cwd"> & {
    /** The app directory (the working directory under the lifecycle). */
    appDir: string;
  }
>;

/** What build gets. */
export interface BuildContext extends DetectContext {
  /** The buildpack's own buildpack.toml. */
  readonly buildpack: BuildpackInfo;
  /** This buildpack's layers directory. */
  readonly layersDir: string;
  /** Handles on this buildpack's layers: what the previous build left, and their content. */
  readonly layers: LayerStore;
}

/** The outcome of detect: pass with a plan, or fail (exit 100) saying why. */
export type DetectResult =
  | { readonly pass: true; readonly plan: BuildPlan }
  | { readonly pass: false; readonly reason: string };

/** The outcome of build. */
export interface BuildResult {
  /** Launch processes in order; at most one is the default. */
  readonly processes: readonly LaunchProcess[];
  /**
   * Layers the build contributes: their content is in `<layersDir>/<name>/`
   * (written through {@linkcode BuildContext.layers}), the runner writes
   * their environment files and `<name>.toml`, and removes every other layer.
   */
  readonly layers?: readonly Layer[];
}

/** A buildpack: its two phases, and how its unexpected errors are reported. */
export interface Buildpack {
  /** Detect; throws a {@linkcode BuildpackError} for an error the user can fix. */
  readonly detect: (ctx: DetectContext) => Promise<DetectResult>;
  /** Build; throws a {@linkcode BuildpackError} for an error the user can fix. */
  readonly build: (ctx: BuildContext) => Promise<BuildResult>;
  /** Whether errors are printed with their stack trace; must not throw. */
  readonly debug: (env: EnvLookup) => boolean;
  /** Appended to an unexpected error's line: how to get its details (a variable to set). */
  readonly debugHint: string;
}

const USAGE = "usage: detect <platform> <plan> | build <layers> <platform> <plan>";

/**
 * Runs one phase of a buildpack, named by the arguments, the lifecycle's
 * inputs or argv[0] (a `bin/detect` symlink), and returns its exit code;
 * never throws.
 *
 * @param buildpack The buildpack.
 * @param args The arguments: `detect|build <inputs…>`, or only the inputs.
 * @param io Where to read and write.
 * @param argv0 Reads argv[0]; called only when the arguments and inputs do not name the phase.
 * @returns The exit code: 0 pass/success, 100 detect fail, 1 error, 2 usage.
 */
export async function runBuildpack(
  buildpack: Buildpack,
  args: readonly string[],
  io: Io = processIo(),
  argv0: () => Promise<string> = processArgv0,
): Promise<number> {
  // Read at most once, by whichever needs it first (the phase choice, or build's buildpack dir).
  let read: Promise<string> | undefined;
  const readArgv0 = () => read ??= argv0();
  let choice: PhaseChoice;
  try {
    choice = await choosePhase(args, io.env, readArgv0);
  } catch (error) {
    return reportError(buildpack, io, args[0] ?? "", error);
  }
  if (choice.phase === "detect") return await runDetect(buildpack, choice.args, io);
  if (choice.phase === "build") return await runBuild(buildpack, choice.args, io, readArgv0);
  io.stderr(`unknown phase ${JSON.stringify(args[0] ?? "")}; ${USAGE}\n`);
  return ExitCode.Usage;
}

const contextOf = (io: Io): DetectContext => ({
  appDir: io.cwd,
  env: io.env,
  stdout: io.stdout,
  stderr: io.stderr,
});

/**
 * Runs detect: writes the plan to `CNB_BUILD_PLAN_PATH` (else the second
 * argument) when it passes; never throws.
 *
 * @param buildpack The buildpack.
 * @param args `<platform> <plan>`.
 * @param io Where to read and write.
 * @returns 0 pass, 100 fail (the reason on stderr), else the error's code.
 */
export async function runDetect(
  buildpack: Buildpack,
  args: readonly string[],
  io: Io = processIo(),
): Promise<number> {
  try {
    const planPath = detectPlanPath(args, io.env);
    const result = await buildpack.detect(contextOf(io));
    if (!result.pass) {
      io.stderr(`${result.reason}\n`);
      return ExitCode.DetectFail;
    }
    write(planPath, buildPlanToml(result.plan), "CNB_BUILD_PLAN_PATH", "build plan");
    return ExitCode.Success;
  } catch (error) {
    return reportError(buildpack, io, "detect", error);
  }
}

/**
 * Runs build: writes each contributed layer's files, then launch.toml in
 * `CNB_LAYERS_DIR` (else the first argument), in the format of the Buildpack
 * API buildpack.toml declares; never throws.
 *
 * @param buildpack The buildpack.
 * @param args `<layers> <platform> <plan>`.
 * @param io Where to read and write.
 * @param argv0 Reads argv[0], to find the buildpack directory without `CNB_BUILDPACK_DIR`.
 * @returns 0 success, else the error's code.
 */
export async function runBuild(
  buildpack: Buildpack,
  args: readonly string[],
  io: Io = processIo(),
  argv0: () => Promise<string> = processArgv0,
): Promise<number> {
  try {
    const layersDir = buildLayersDir(args, io.env);
    // Loaded here, not at the top: detect never needs them, and every module
    // loaded costs start-up in each phase's new process.
    const [{ readBuildpackToml }, { launchToml }, { openLayerStore, writeLayers }] = await Promise
      .all([
        import("./buildpack_toml.ts"),
        import("./launch.ts"),
        import("./layer_store.ts"),
      ]);
    const info = readBuildpackToml(await buildpackDir(io, argv0));
    const layers = openLayerStore(layersDir);
    const result = await buildpack.build({ ...contextOf(io), buildpack: info, layersDir, layers });
    attempt(() => writeLayers(layersDir, result.layers ?? []), layersDir, "layers");
    write(
      joinPath(layersDir, "launch.toml"),
      launchToml(result.processes, info.api),
      "CNB_LAYERS_DIR",
      "launch.toml",
    );
    return ExitCode.Success;
  } catch (error) {
    return reportError(buildpack, io, "build", error);
  }
}

/** One line for an error (a stack trace too when the buildpack says so); its exit code. */
function reportError(buildpack: Buildpack, io: Io, phase: string, error: unknown): ExitCode {
  let debug = false;
  try {
    debug = buildpack.debug(io.env);
  } catch {
    // A debug switch that cannot be read means no stack traces.
  }
  if (error instanceof BuildpackError) {
    io.stderr(`${error.message}\n`);
    if (debug && error.stack) io.stderr(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`${phase}: unexpected error: ${message}; ${buildpack.debugHint}\n`);
  if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return ExitCode.Error;
}

/**
 * Locates the buildpack directory: `CNB_BUILDPACK_DIR` (set by the lifecycle
 * for every Buildpack API), else two levels up from a `bin/build` argv[0],
 * else the source tree this module is in.
 */
async function buildpackDir(io: Io, argv0: () => Promise<string>): Promise<string> {
  const fromEnv = io.env("CNB_BUILDPACK_DIR");
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const self = await argv0();
  if (baseName(self) === "build") return dirName(dirName(absolutePath(io.cwd, self)));
  return decodeURIComponent(new URL("../..", import.meta.url).pathname).replace(/\/$/, "");
}

function write(path: string, text: string, variable: string, what: string): void {
  attempt(() => writeFileAtomic(path, text), path, what, variable);
}

/** Runs a file operation, turning a file-system error into a one-line BuildpackError. */
function attempt(fn: () => void, path: string, what: string, variable = "CNB_LAYERS_DIR"): void {
  try {
    fn();
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
