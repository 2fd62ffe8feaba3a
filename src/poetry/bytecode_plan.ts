/**
 * Planning the bytecode: from the launch processes and each one's launch
 * environment, the Python processes their starts run, as compile jobs. Pure:
 * what a command starts is worked out by the function it is given (by
 * default `pythonRun`, which reads `#!` lines), so the plan is unit-tested
 * without Python.
 *
 * @module
 */
import type { EnvMap } from "../cnb/launch_env.ts";
import type { LaunchProcess } from "../cnb/launch.ts";
import type { CompileJob } from "../python/bytecode.ts";
import type { PythonRun } from "../python/invocation.ts";
import type { PyProject } from "./pyproject.ts";
import { START_LAYER } from "./target.ts";

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
 * anything else as the program of that name); `serve.py` of the `start`
 * layer as the server it runs (`python -m <server>`, a Gradio app as
 * `python <script>`).
 *
 * @example Usage
 * ```ts
 * import { startedCommands } from "./bytecode_plan.ts";
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
    const serve = words[0] === "python" && words[1]?.endsWith(`/${START_LAYER}/serve.py`) &&
      words[2] !== undefined;
    if (!serve) return { label: words[0] ?? "", argv: words };
    const server = words[2] as string;
    // serve.py runs its server in its own process, as `python -m <server>` (or the script) would.
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

/** What a command starts: the Python process, or why it is not one. */
export type ResolveRun = (
  argv: readonly string[],
  path: string | undefined,
  cwd: string,
) => PythonRun | { readonly reason: string };

/** The plan. */
export type CompilePlan =
  | {
    readonly kind: "jobs";
    /** The jobs, each Python process once (same interpreter, start and environment). */
    readonly jobs: readonly CompileJob[];
    /** Commands that start no Python, with why: `sh (… is not Python)`. */
    readonly skipped: readonly string[];
  }
  | {
    /** An earlier buildpack sets `PYTHONPYCACHEPREFIX` at launch: Python would not read ours. */
    readonly kind: "preset";
    readonly value: string;
  };

/**
 * Plans the compile jobs.
 *
 * @example Usage
 * ```ts
 * import { planCompileJobs } from "./bytecode_plan.ts";
 * const plan = planCompileJobs({
 *   processes: [{ type: "web" as never, command: "web", args: [], default: true }],
 *   project: null,
 *   appDir: "/workspace",
 *   envOf: () => ({ PATH: "/venv/bin" }),
 *   resolveRun: () => ({ interpreter: "/venv/bin/python", flags: [], path0: "/venv/bin", roots: [] }),
 * });
 * ```
 *
 * @param input The processes, the project, the app directory, each process
 *   type's launch environment, and how to tell what a command starts.
 * @returns The jobs, or why Python would not read the bytecode.
 */
export function planCompileJobs(input: {
  readonly processes: readonly LaunchProcess[];
  readonly project: PyProject | null;
  readonly appDir: string;
  readonly envOf: (processType: string) => EnvMap;
  readonly resolveRun: ResolveRun;
}): CompilePlan {
  const jobs: CompileJob[] = [];
  const seen = new Set<string>();
  const skipped = new Set<string>();
  for (const p of input.processes) {
    const env = input.envOf(p.type);
    const preset = env.PYTHONPYCACHEPREFIX;
    if (preset !== undefined && preset !== "") return { kind: "preset", value: preset };
    for (const { label, argv } of startedCommands([p.command, ...p.args], input.project)) {
      const run = input.resolveRun(argv, env.PATH, input.appDir);
      if ("reason" in run) {
        skipped.add(`${label} (${run.reason})`);
        continue;
      }
      const key = JSON.stringify([run, env]);
      if (seen.has(key)) continue;
      seen.add(key);
      jobs.push({ label, run, env });
    }
  }
  return { kind: "jobs", jobs, skipped: [...skipped] };
}
