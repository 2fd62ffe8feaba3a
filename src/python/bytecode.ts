/**
 * Compiling the bytecode a process imports into a pyc tree, ahead of time.
 *
 * Each run is compiled by the process's own interpreter, with the process's
 * launch environment, by the worker in `_worker.ts`. The only program this
 * module starts is `python3` from the build `PATH` (the one program the
 * buildpack's permission set allows to run): it replaces itself (`execve`)
 * with the run's interpreter, so the interpreter needs no permission of its own.
 *
 * @module
 */
import type { EnvMap } from "../cnb/launch_env.ts";
import type { PythonRun } from "./invocation.ts";
import { WORKER_SOURCE } from "./_worker.ts";

/** One process to compile for. */
export interface CompileJob {
  /** What to call it in messages (the program). */
  readonly label: string;
  /** The Python process. */
  readonly run: PythonRun;
  /** Its launch environment. */
  readonly env: Readonly<EnvMap>;
}

/** What compiling one job gave. */
export type CompileReport =
  | {
    readonly label: string;
    readonly ok: true;
    /** The interpreter's version. */
    readonly python: string;
    /** pycs written. */
    readonly compiled: number;
    /** Their size in bytes. */
    readonly bytes: number;
    /** Modules whose pyc an earlier job already wrote. */
    readonly present: number;
    /** Files that do not compile under the report directories: `[path, error]`, at most 20. */
    readonly errors: readonly (readonly [string, string])[];
    /** How many files under the report directories do not compile. */
    readonly errorCount: number;
    /** Files elsewhere that do not compile (never imported, or the import fails anyway). */
    readonly otherErrors: number;
  }
  | { readonly label: string; readonly ok: false; readonly reason: string };

/** Options of {@linkcode compileBytecode}. */
export interface CompileOptions {
  /** The pyc tree (what `PYTHONPYCACHEPREFIX` will name). */
  readonly tree: string;
  /** The app directory: compiled whole, the working directory, and where errors are reported. */
  readonly appDir: string;
  /** The processes. */
  readonly jobs: readonly CompileJob[];
  /** Bound on each job. */
  readonly timeoutMs?: number;
}

const TRAMPOLINE = [
  "import json, os, sys",
  "r = json.load(sys.stdin)",
  "os.chdir(r['cwd'])",
  "os.execve(r['argv'][0], r['argv'], r['env'])",
].join("\n");

const decoder = new TextDecoder();

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

async function compileOne(job: CompileJob, opts: CompileOptions): Promise<CompileReport> {
  const { label, run } = job;
  const request = {
    prefix: opts.tree,
    path0: run.path0,
    roots: run.roots,
    whole: [opts.appDir],
    report: [opts.appDir],
  };
  const argv = [run.interpreter, ...run.flags, "-c", WORKER_SOURCE, JSON.stringify(request)];
  const env = { ...job.env, PYTHONDONTWRITEBYTECODE: "1", PYTHONPYCACHEPREFIX: opts.tree };
  let out: Deno.CommandOutput;
  try {
    const child = new Deno.Command("python3", {
      args: ["-I", "-c", TRAMPOLINE],
      env: { PYTHONDONTWRITEBYTECODE: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(opts.timeoutMs ?? 600_000),
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify({ cwd: opts.appDir, argv, env })));
    await writer.close();
    out = await child.output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { label, ok: false, reason: "python3 is not on the build PATH" };
    }
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      return {
        label,
        ok: false,
        reason: `this program may not run python3 (${
          error instanceof Error ? error.message : error
        })`,
      };
    }
    return { label, ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const stdout = decoder.decode(out.stdout);
  if (out.signal !== null) {
    return { label, ok: false, reason: `${run.interpreter} was stopped (${out.signal})` };
  }
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(stdout);
  } catch {
    const why = lastLine(decoder.decode(out.stderr)) || `exit code ${out.code}`;
    return { label, ok: false, reason: `${run.interpreter} failed: ${why}` };
  }
  if (typeof report.unsupported === "string") {
    return { label, ok: false, reason: `${run.interpreter}: ${report.unsupported}` };
  }
  const count = (key: string) => typeof report[key] === "number" ? report[key] as number : 0;
  const errors = Array.isArray(report.errors)
    ? report.errors.filter((e): e is [string, string] =>
      Array.isArray(e) && typeof e[0] === "string" && typeof e[1] === "string"
    )
    : [];
  return {
    label,
    ok: true,
    python: typeof report.python === "string" ? report.python : "?",
    compiled: count("compiled"),
    bytes: count("bytes"),
    present: count("present"),
    errors,
    errorCount: count("errorCount"),
    otherErrors: count("otherErrors"),
  };
}

/**
 * Compiles the bytecode of each job into the tree, one job after another
 * (each uses every core); a job that fails leaves the others' pycs in place.
 *
 * @param opts The tree, app directory and jobs.
 * @returns One report per job, in order.
 */
export async function compileBytecode(opts: CompileOptions): Promise<CompileReport[]> {
  const reports: CompileReport[] = [];
  for (const job of opts.jobs) reports.push(await compileOne(job, opts));
  return reports;
}
