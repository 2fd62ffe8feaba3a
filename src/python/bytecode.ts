/**
 * The bytecode executor: compiles the bytecode the processes import into a
 * pyc tree, ahead of time, by running `bytecode_worker.py` for each job under
 * the job's own interpreter and launch environment; keeps what an earlier
 * build left there where it is still valid; and leaves the tree with exactly
 * the pycs this build found.
 *
 * Two trees make one at launch: `tree` (what `PYTHONPYCACHEPREFIX` names)
 * holds the pycs of the app's own files, `depsTree` those of everything else
 * (the standard library, the venv, Poetry), and `tree` links to the parts of
 * `depsTree` (relative symbolic links), so that an unchanged `depsTree` is
 * the same bytes from build to build, and the image layer holding it is
 * reused.
 *
 * The only program this module starts is `python3` from the build `PATH` (the
 * one program the buildpack's permission set lets it run): it replaces itself
 * (`execve`) with the job's interpreter.
 *
 * @module
 */
import type { EnvMap } from "../cnb/launch_env.ts";
import { isDirectory } from "../cnb/file_kind.ts";
import { joinPath } from "../cnb/posix_path.ts";
import type { PythonRun } from "./invocation.ts";
import { WORKER_PY } from "./_embedded.ts";

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
    /** Modules read. */
    readonly modules: number;
    /** pycs written. */
    readonly compiled: number;
    /** Their size in bytes. */
    readonly bytes: number;
    /** pycs kept as they were (this build's or an earlier one's, still valid). */
    readonly reused: number;
    /** Files that do not compile under the report directories: `[path, error]`, at most 20. */
    readonly errors: readonly (readonly [string, string])[];
    /** How many files under the report directories do not compile. */
    readonly errorCount: number;
    /** Files elsewhere that do not compile (never imported, or the import fails anyway). */
    readonly otherErrors: number;
    /** The pyc files this job found (written or kept). */
    readonly pycs: readonly string[];
  }
  | { readonly label: string; readonly ok: false; readonly reason: string };

/** Where the executor writes. */
export interface CompileTrees {
  /** The pyc tree `PYTHONPYCACHEPREFIX` names: the app's own pycs, and links to `depsTree`. */
  readonly tree: string;
  /** The pycs of sources outside the app directory. */
  readonly depsTree: string;
  /** A directory for the index of what each source imports (kept between builds). */
  readonly indexDir: string;
}

/** Options of {@linkcode compileBytecode}. */
export interface CompileOptions extends CompileTrees {
  /** The app directory: compiled whole, the working directory, and where errors are reported. */
  readonly appDir: string;
  /** The processes. */
  readonly jobs: readonly CompileJob[];
  /** Bound on each job. */
  readonly timeoutMs?: number;
}

/** What the executor did, over every job. */
export interface CompileResult {
  /** One report per job, in order. */
  readonly reports: readonly CompileReport[];
  /** pyc files removed: left by an earlier build, found by none of this build's jobs. */
  readonly removed: number;
  /** Milliseconds: each job's (in order), and removing and linking. */
  readonly timings: { readonly jobs: readonly number[]; readonly sweep: number };
}

const TRAMPOLINE = [
  "import json, os, sys",
  "r = json.load(sys.stdin)",
  "os.chdir(r['cwd'])",
  "os.execve(r['argv'][0], r['argv'], r['env'])",
].join("\n");

const INDEX = "index.json";
const decoder = new TextDecoder();

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === "string");

/**
 * Checks the worker's report: every field there, of its type.
 *
 * @param label The job.
 * @param report The parsed JSON.
 * @returns The report, or a failed one saying which field is wrong.
 */
export function validateReport(label: string, report: unknown): CompileReport {
  const bad = (what: string): CompileReport => ({
    label,
    ok: false,
    reason: `the worker's report is malformed (${what})`,
  });
  if (typeof report !== "object" || report === null || Array.isArray(report)) {
    return bad("not an object");
  }
  const r = report as Record<string, unknown>;
  if (typeof r.python !== "string") return bad("python");
  if (typeof r.unsupported === "string") {
    return { label, ok: false, reason: `Python ${r.python}: ${r.unsupported}` };
  }
  for (const key of ["modules", "compiled", "bytes", "reused", "errorCount", "otherErrors"]) {
    if (!isCount(r[key])) return bad(key);
  }
  if (!isStrings(r.pycs)) return bad("pycs");
  const errors = r.errors;
  if (
    !Array.isArray(errors) ||
    !errors.every((e) => isStrings(e) && e.length === 2)
  ) return bad("errors");
  return {
    label,
    ok: true,
    python: r.python,
    modules: r.modules as number,
    compiled: r.compiled as number,
    bytes: r.bytes as number,
    reused: r.reused as number,
    errors: errors as [string, string][],
    errorCount: r.errorCount as number,
    otherErrors: r.otherErrors as number,
    pycs: r.pycs,
  };
}

async function compileOne(
  job: CompileJob,
  opts: CompileOptions,
  indexRead: readonly string[],
): Promise<CompileReport> {
  const { label, run } = job;
  const request = {
    tree: opts.tree,
    "deps_tree": opts.depsTree,
    local: opts.appDir,
    path0: run.path0,
    roots: run.roots,
    whole: [opts.appDir],
    report: [opts.appDir],
    index: { read: indexRead, write: joinPath(opts.indexDir, `${INDEX}.next`) },
  };
  const argv = [run.interpreter, ...run.flags, "-c", WORKER_PY, JSON.stringify(request)];
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
  if (out.signal !== null) {
    return { label, ok: false, reason: `${run.interpreter} was stopped (${out.signal})` };
  }
  let report: unknown;
  try {
    report = JSON.parse(decoder.decode(out.stdout));
  } catch {
    const why = lastLine(decoder.decode(out.stderr)) || `exit code ${out.code}`;
    return { label, ok: false, reason: `${run.interpreter} failed: ${why}` };
  }
  return validateReport(label, report);
}

/** Every file and directory under a directory (not through symbolic links), deepest first. */
function walk(dir: string): { files: string[]; dirs: string[]; links: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  const links: string[] = [];
  const visit = (d: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(d)];
    } catch {
      return;
    }
    for (const e of entries) {
      const path = joinPath(d, e.name);
      if (e.isSymlink) links.push(path);
      else if (e.isDirectory) {
        visit(path);
        dirs.push(path);
      } else files.push(path);
    }
  };
  visit(dir);
  return { files, dirs, links };
}

/**
 * Removes from both trees every file no job found, then empty directories
 * and links to nothing.
 */
function sweep(trees: CompileTrees, kept: ReadonlySet<string>): number {
  let removed = 0;
  for (const root of [trees.tree, trees.depsTree]) {
    const { files, dirs, links } = walk(root);
    for (const f of files) {
      if (!kept.has(f)) {
        Deno.removeSync(f);
        removed++;
      }
    }
    for (const l of links) if (!isDirectory(l)) Deno.removeSync(l);
    for (const d of dirs) {
      try {
        Deno.removeSync(d); // only when empty
      } catch {
        // not empty
      }
    }
  }
  return removed;
}

/** The relative path from a directory to a path (both absolute). */
function relative(fromDir: string, to: string): string {
  const a = fromDir.split("/").filter((p) => p !== "");
  const b = to.split("/").filter((p) => p !== "");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...Array(a.length - i).fill(".."), ...b.slice(i)].join("/");
}

/**
 * Links the deps tree into the tree: each directory of the deps tree that the
 * tree does not have becomes a relative symbolic link there, at the highest
 * level, so that both read as one tree.
 *
 * @example Usage
 * ```ts
 * import { linkTrees } from "./bytecode.ts";
 * linkTrees({ tree: "/layers/bp/bytecode/pycache", depsTree: "/layers/bp/bytecode-deps/pycache" });
 * // /layers/bp/bytecode/pycache/usr -> ../../bytecode-deps/pycache/usr
 * ```
 *
 * @param trees The two trees.
 */
export function linkTrees(trees: Pick<CompileTrees, "tree" | "depsTree">): void {
  const link = (rel: readonly string[]) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(joinPath(trees.depsTree, ...rel))];
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory) continue;
      const parent = joinPath(trees.tree, ...rel);
      const here = joinPath(parent, e.name);
      let info: Deno.FileInfo | undefined;
      try {
        info = Deno.lstatSync(here);
      } catch {
        info = undefined;
      }
      if (info === undefined) {
        Deno.mkdirSync(parent, { recursive: true });
        Deno.symlinkSync(relative(parent, joinPath(trees.depsTree, ...rel, e.name)), here);
      } else if (info.isDirectory) {
        link([...rel, e.name]);
      }
      // A link already there was made by an earlier build, to the same place.
    }
  };
  link([]);
}

/**
 * Compiles the bytecode of each job into the trees, one job after another
 * (each uses every core); a job that fails leaves the others' pycs in place.
 * Then removes what no job found, links the trees, and keeps the index.
 *
 * @param opts The trees, app directory and jobs.
 * @returns One report per job, in order, and how many stale pycs were removed.
 */
export async function compileBytecode(opts: CompileOptions): Promise<CompileResult> {
  for (const dir of [opts.tree, opts.depsTree, opts.indexDir]) {
    Deno.mkdirSync(dir, { recursive: true });
  }
  const index = joinPath(opts.indexDir, INDEX);
  const next = `${index}.next`;
  try {
    Deno.removeSync(next);
  } catch {
    // none left
  }
  const reports: CompileReport[] = [];
  const jobs: number[] = [];
  for (const job of opts.jobs) {
    const start = performance.now();
    reports.push(await compileOne(job, opts, [index, next]));
    jobs.push(performance.now() - start);
  }
  const start = performance.now();
  const kept = new Set(reports.flatMap((r) => r.ok ? r.pycs : []));
  const removed = sweep(opts, kept);
  linkTrees(opts);
  try {
    Deno.renameSync(next, index);
  } catch {
    // No job wrote an index: the previous one stays.
  }
  return { reports, removed, timings: { jobs, sweep: performance.now() - start } };
}
