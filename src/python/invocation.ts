/**
 * What Python runs when a process starts: which interpreter, with which
 * `sys.path[0]`, starting from which script, module or code. Worked out from
 * the process's argv the way the kernel (`#!` lines) and CPython's command
 * line do, without running anything.
 *
 * @module
 */
import { lookPath } from "../cnb/launch_env.ts";
import { baseName, dirName, joinPath } from "../cnb/posix_path.ts";

/** Where a Python process starts. */
export type PythonRoot =
  | { readonly script: string }
  | { readonly module: string }
  | { readonly code: string };

/** One Python process a start runs. */
export interface PythonRun {
  /** The interpreter's path. */
  readonly interpreter: string;
  /** Interpreter options that change what is imported from where (`-E`, `-I`, `-s`, `-S`, `-P`, `-O`). */
  readonly flags: readonly string[];
  /** `sys.path[0]` of the process: the script's directory, the working directory (`-m`), or `""`. */
  readonly path0: string;
  /** Where it starts. */
  readonly roots: readonly PythonRoot[];
}

const PYTHON = /^python(\d+(\.\d+)?)?$/;

/**
 * Tells whether a program name is a CPython interpreter's (`python`, `python3`, `python3.11`).
 *
 * @param path The program's path or name.
 * @returns `true` for a Python interpreter name.
 */
export function isPythonName(path: string): boolean {
  return PYTHON.test(baseName(path));
}

/**
 * Parses a `#!` line as Linux does: the interpreter and at most one argument.
 *
 * @example Usage
 * ```ts
 * import { parseShebang } from "./invocation.ts";
 * parseShebang("#!/usr/bin/env python3\n"); // { interpreter: "/usr/bin/env", arg: "python3" }
 * ```
 *
 * @param head The file's first bytes, as text.
 * @returns The interpreter and argument, or `undefined` without a `#!` line.
 */
export function parseShebang(
  head: string,
): { readonly interpreter: string; readonly arg?: string } | undefined {
  if (!head.startsWith("#!")) return undefined;
  const end = head.indexOf("\n");
  const line = (end < 0 ? head.slice(2) : head.slice(2, end)).replace(/\r$/, "").trim();
  const match = /^(\S+)(?:[ \t]+(.*))?$/.exec(line);
  if (match === null) return undefined;
  const [, interpreter = "", arg] = match;
  const rest = arg?.trim();
  return rest === undefined || rest === "" ? { interpreter } : { interpreter, arg: rest };
}

/** Interpreter options that change what a process imports, and which take an argument. */
const KEPT = new Set(["E", "I", "s", "S", "P", "O"]);
const WITH_ARGUMENT = new Set(["W", "X"]);

/**
 * Reads a Python interpreter's arguments as CPython does: options, then `-c
 * code`, `-m module`, a script, or nothing (interactive).
 *
 * @example Usage
 * ```ts
 * import { parsePythonArgs } from "./invocation.ts";
 * parsePythonArgs(["-u", "-m", "gunicorn", "app:app"]); // { flags: [], root: { module: "gunicorn" } }
 * ```
 *
 * @param args The arguments after the interpreter.
 * @returns The options kept and where it starts (`undefined`: stdin or interactive).
 */
export function parsePythonArgs(
  args: readonly string[],
): { readonly flags: string[]; readonly root?: PythonRoot } {
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-" || arg === "--") return { flags };
    if (arg.startsWith("--")) {
      if (arg === "--check-hash-based-pycs") i++;
      continue;
    }
    if (!arg.startsWith("-") || arg.length === 1) return { flags, root: { script: arg } };
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j] as string;
      const rest = arg.slice(j + 1);
      if (c === "c" || c === "m") {
        const value = rest !== "" ? rest : args[i + 1];
        if (value === undefined) return { flags };
        return { flags, root: c === "c" ? { code: value } : { module: value } };
      }
      if (WITH_ARGUMENT.has(c)) {
        if (rest === "") i++;
        break;
      }
      if (KEPT.has(c)) flags.push(`-${c}`);
    }
  }
  return { flags };
}

/** Reads a file's first bytes. */
function head(path: string): string {
  try {
    using file = Deno.openSync(path);
    const buf = new Uint8Array(256);
    const n = file.readSync(buf) ?? 0;
    return new TextDecoder().decode(buf.subarray(0, n));
  } catch {
    return "";
  }
}

function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

/**
 * Works out the Python process a command starts, as the launcher would run it.
 *
 * @example Usage
 * ```ts
 * import { pythonRun } from "./invocation.ts";
 * pythonRun(["web"], "/layers/venv/bin:/usr/bin", "/workspace");
 * ```
 *
 * @param argv The command and its arguments.
 * @param path The launch `PATH`.
 * @param cwd The working directory (the app directory).
 * @returns The run, or why the command does not start Python.
 */
export function pythonRun(
  argv: readonly string[],
  path: string | undefined,
  cwd: string,
): PythonRun | { readonly reason: string } {
  const [command = "", ...args] = argv;
  const file = lookPath(command, path, cwd);
  if (file === undefined) return { reason: `${command} is not on the launch PATH` };
  const shebang = parseShebang(head(file));
  if (shebang !== undefined) {
    let interpreter: string | undefined = shebang.interpreter;
    let options: string[] = [];
    if (baseName(interpreter) === "env" && shebang.arg !== undefined) {
      const words = shebang.arg.split(/[ \t]+/).filter((w) => w !== "-S" && w !== "");
      const [program = "", ...rest] = words;
      interpreter = lookPath(program, path, cwd);
      options = rest;
    } else if (shebang.arg !== undefined) {
      options = [shebang.arg];
    }
    if (interpreter === undefined || !isPythonName(interpreter)) {
      return { reason: `${file} is not a Python script (${shebang.interpreter})` };
    }
    const { flags } = parsePythonArgs(options);
    const safe = flags.includes("-I") || flags.includes("-P");
    return {
      interpreter,
      flags,
      path0: safe ? "" : dirName(realPath(file)),
      roots: [{ script: file }],
    };
  }
  if (!isPythonName(file)) return { reason: `${file} is not Python` };
  const { flags, root } = parsePythonArgs(args);
  const safe = flags.includes("-I") || flags.includes("-P");
  if (root === undefined) return { interpreter: file, flags, path0: "", roots: [] };
  if ("script" in root) {
    const script = root.script.startsWith("/") ? root.script : joinPath(cwd, root.script);
    return {
      interpreter: file,
      flags,
      path0: safe ? "" : dirName(realPath(script)),
      roots: [{ script }],
    };
  }
  return { interpreter: file, flags, path0: "module" in root && !safe ? cwd : "", roots: [root] };
}
