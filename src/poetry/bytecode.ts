/**
 * Precompiled bytecode for a fast first start (`BP_POETRY_RUN_BYTECODE`, on
 * by default): a launch layer holding checked hash-based pycs (PEP 552) of
 * the modules the image's processes import, and
 * `env.launch/PYTHONPYCACHEPREFIX.default` naming it.
 *
 * Why a layer of its own: Paketo's cpython sets `PYTHONPYCACHEPREFIX` to
 * `$HOME/.pycache` at launch (an exec.d program that leaves a value already
 * set alone), so Python reads bytecode only from that tree, which is empty
 * in every new container: every module the start imports is compiled again.
 * The launcher applies layers' `env.launch/` files before any exec.d, so this
 * layer's `.default` wins and a value the platform or user sets still does.
 * Hash-based pycs, because the exporter resets every file's modification
 * time (timestamp pycs would all be stale in the image); checked, so that a
 * source edited after the build (live reload) is compiled again rather than
 * run stale.
 *
 * Nothing here fails the build: a missing interpreter, a file that does not
 * compile or a failed compile is one warning, and the image starts as it
 * would without the layer.
 *
 * @module
 */
import type { Scribe } from "../paketo/scribe.ts";
import type { LaunchProcess } from "../cnb/launch.ts";
import { earlierBuildpacks, launchEnvironment, runImageEnv } from "../cnb/launch_env.ts";
import { type Layer, layerName, type LayerStore } from "../cnb/layers.ts";
import { dirName, joinPath } from "../cnb/posix_path.ts";
import { compileBytecode, type CompileJob } from "../python/bytecode.ts";
import { type PythonRun, pythonRun } from "../python/invocation.ts";
import { BYTECODE_VARIABLE } from "./config.ts";
import type { PyProject } from "./pyproject.ts";
import { START_LAYER } from "./target.ts";

/** The layer's name. */
export const BYTECODE_LAYER = layerName("bytecode");

/** What a Python start needs from the environment. */
export interface BytecodeContext {
  /** `BP_POETRY_RUN_BYTECODE`. */
  readonly enabled: boolean;
  /** This buildpack's layers directory. */
  readonly layersDir: string;
  /** This buildpack's layers. */
  readonly layers: LayerStore;
  /** The app directory (the working directory of every process). */
  readonly appDir: string;
  /** This buildpack's ID. */
  readonly buildpackId: string;
  /** The build environment. */
  readonly env: (name: string) => string | undefined;
  /** Output. */
  readonly logger: Scribe;
}

/** A command a start runs, and what to call it in the log. */
export interface StartedCommand {
  /** The program, or for a script Poetry runs itself, the script's name. */
  readonly label: string;
  /** The command and its arguments. */
  readonly argv: readonly string[];
}

/**
 * The commands a launch process starts, in order: through `watchexec … --`;
 * for `poetry run <target>`, Poetry itself, then the target (a
 * `[tool.poetry.scripts]` string or `{ callable }` entry runs as
 * `python -c "…import_module('<module>')…"` in the venv, as Poetry runs it;
 * anything else as the program of that name).
 *
 * @example Usage
 * ```ts
 * import { startedCommands } from "./bytecode.ts";
 * startedCommands(["poetry", "run", "web"], null).map((c) => c.argv); // [["poetry"], ["web"]]
 * ```
 *
 * @param argv The process's command and arguments.
 * @param project The project, `null` when not read.
 * @returns The commands.
 */
export function startedCommands(
  argv: readonly string[],
  project: PyProject | null,
): StartedCommand[] {
  const command = (words: readonly string[]): StartedCommand => {
    // serve.py runs its server as `python -m <server>` would, in the same process.
    const serve = words[0] === "python" && words[1]?.endsWith(`/${START_LAYER}/serve.py`) &&
      words[2] !== undefined;
    if (!serve) return { label: words[0] ?? "", argv: words };
    const server = words[2] as string;
    // A Gradio app is its script, run as `python <script>`.
    return server === "gradio"
      ? { label: server, argv: ["python", words[3] ?? ""] }
      : { label: server, argv: ["python", "-m", server] };
  };
  let words = [...argv];
  if (words[0] === "watchexec") {
    const end = words.indexOf("--");
    words = end < 0 ? [] : words.slice(end + 1);
  }
  if (words[0] !== "poetry" || words[1] !== "run") return words.length > 0 ? [command(words)] : [];
  let target = words.slice(2);
  if (target[0] === "--") target = target.slice(1);
  const [name] = target;
  if (name === undefined) return [command(["poetry"])];
  const script = project?.scripts.find((s) =>
    s.name === name && s.table === "tool.poetry.scripts" && s.form !== "reference"
  );
  if (script === undefined) return [command(["poetry"]), command(target)];
  const module = script.reference.split(":")[0]?.trim() ?? "";
  return [command(["poetry"]), {
    label: name,
    argv: [
      "python",
      "-c",
      `from importlib import import_module; import_module(${JSON.stringify(module)})`,
    ],
  }];
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Compiles the bytecode of the processes' Python starts into the layer, or
 * removes the layer (turned off, or nothing compiled).
 *
 * @param ctx Layers, app and build environment, logger.
 * @param processes The launch processes this buildpack writes.
 * @param project The project, `null` when not read.
 * @returns The layer to contribute, or `undefined`.
 */
export async function precompileBytecode(
  ctx: BytecodeContext,
  processes: readonly LaunchProcess[],
  project: PyProject | null,
): Promise<Layer | undefined> {
  const { enabled } = ctx;
  try {
    if (!enabled) ctx.logger.debug.process(`${BYTECODE_VARIABLE}=false: no precompiled bytecode`);
    const layer = enabled ? await compileLayer(ctx, processes, project) : undefined;
    if (layer !== undefined) return layer;
  } catch (error) {
    ctx.logger.warn(
      `Bytecode not compiled (${
        error instanceof Error ? error.message : String(error)
      }); the image starts without it`,
    );
    ctx.logger.break();
  }
  // Not declared: the runner removes whatever an earlier build left of the layer.
  return undefined;
}

async function compileLayer(
  ctx: BytecodeContext,
  processes: readonly LaunchProcess[],
  project: PyProject | null,
): Promise<Layer | undefined> {
  const { logger } = ctx;
  const started = performance.now();
  logger.process(`Compiling bytecode (${BYTECODE_VARIABLE}=false turns this off)`);
  const layersRoot = dirName(ctx.layersDir);
  const earlier = earlierBuildpacks(layersRoot, ctx.buildpackId);
  if (!earlier.fromGroup) {
    logger.debug.subprocess(`No group.toml in ${layersRoot}: buildpack layers taken in name order`);
  }
  const base = runImageEnv(ctx.env, layersRoot);
  const jobs: CompileJob[] = [];
  const seen = new Set<string>();
  const skipped: string[] = [];
  for (const p of processes) {
    const env = launchEnvironment({
      layersRoot,
      buildpacks: earlier.ids,
      base,
      processType: p.type,
    });
    const preset = env.PYTHONPYCACHEPREFIX;
    if (preset !== undefined && preset !== "") {
      logger.warn(
        `No precompiled bytecode: a launch layer of an earlier buildpack sets PYTHONPYCACHEPREFIX=${preset}, ` +
          `so Python would not read this buildpack's; set ${BYTECODE_VARIABLE}=false to skip this step`,
      );
      logger.break();
      return undefined;
    }
    for (const { label, argv } of startedCommands([p.command, ...p.args], project)) {
      const run = pythonRun(argv, env.PATH, ctx.appDir);
      if ("reason" in run) {
        skipped.push(`${label} (${run.reason})`);
        continue;
      }
      const key = JSON.stringify([run, env]);
      if (seen.has(key)) continue;
      seen.add(key);
      jobs.push({ label, run, env });
      logger.debug.subprocess(describeRun(label, run));
    }
  }
  for (const s of new Set(skipped)) logger.debug.subprocess(`Not compiled for ${s}`);
  if (jobs.length === 0) {
    logger.subprocess("No process starts Python: nothing to compile");
    logger.break();
    return undefined;
  }

  const layer = ctx.layers.layer(BYTECODE_LAYER);
  layer.reset();
  layer.makeDir("pycache");
  const dir = layer.path;
  const tree = joinPath(dir, "pycache");
  const reports = await compileBytecode({ tree, appDir: ctx.appDir, jobs });
  let compiled = 0;
  let bytes = 0;
  const failures = new Set<string>();
  for (const r of reports) {
    if (!r.ok) {
      failures.add(r.reason);
      continue;
    }
    compiled += r.compiled;
    bytes += r.bytes;
    logger.subprocess(
      `${r.label} (Python ${r.python}): ${plural(r.compiled + r.present, "module")}`,
    );
    if (r.errorCount > 0) {
      const shown = r.errors.slice(0, 3).map(([file, error]) =>
        `${file.startsWith(`${ctx.appDir}/`) ? file.slice(ctx.appDir.length + 1) : file} (${error})`
      );
      logger.warn(
        `${plural(r.errorCount, "file")} of the app do${
          r.errorCount === 1 ? "es" : ""
        } not compile and ${r.errorCount === 1 ? "is" : "are"} left out of the bytecode: ${
          shown.join("; ")
        }${r.errorCount > shown.length ? "; …" : ""}`,
      );
    }
    if (r.otherErrors > 0) {
      logger.debug.action(
        `${plural(r.otherErrors, "other file")} did not compile (never imported)`,
      );
    }
  }
  for (const reason of failures) {
    logger.warn(`Bytecode not compiled for every process: ${reason}; the image starts without it`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (compiled === 0) {
    logger.subprocess(`Nothing compiled (${seconds} s): no bytecode layer`);
    logger.break();
    return undefined;
  }
  logger.subprocess(`${plural(compiled, "module")}, ${mib(bytes)}, in ${seconds} s: ${dir}`);
  logger.break();
  return {
    name: BYTECODE_LAYER,
    types: { launch: true },
    env: [{ scope: "env.launch", name: "PYTHONPYCACHEPREFIX", action: "default", value: tree }],
  };
}

function describeRun(program: string, run: PythonRun): string {
  const roots = run.roots.map((r) =>
    "script" in r ? r.script : "module" in r ? `-m ${r.module}` : "-c …"
  );
  return `Compiling for ${program}: ${run.interpreter}${
    run.flags.length > 0 ? ` ${run.flags.join(" ")}` : ""
  } from ${roots.join(", ") || "startup"} (sys.path[0] = ${JSON.stringify(run.path0)})`;
}
