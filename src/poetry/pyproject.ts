/**
 * Reading the runnable scripts of a Poetry project from pyproject.toml.
 *
 * @module
 */
import { isTable } from "../cnb/toml.ts";
import { BuildpackError } from "../cnb/errors.ts";
import { parseToml, TomlSyntaxError } from "../cnb/toml.ts";
import { unusableText } from "../cnb/argument_text.ts";

/** Which table a script was declared in. */
export type ScriptTable = "project.scripts" | "tool.poetry.scripts";

/** How a script entry was written. */
export type ScriptForm = "string" | "callable" | "reference";

/** A console script `poetry run <name>` can start. */
export interface Script {
  /** The script's name (the key). */
  readonly name: string;
  /** The table that declared it. */
  readonly table: ScriptTable;
  /** `pkg.module:func`. */
  readonly reference: string;
  /** How the entry was written. */
  readonly form: ScriptForm;
}

/** What this buildpack needs from pyproject.toml. */
export interface PyProject {
  /**
   * Console scripts: `[project.scripts]` first, then `[tool.poetry.scripts]`
   * names not already declared; each table in the file's order, integer-like
   * names first.
   */
  readonly scripts: readonly Script[];
  /** `type = "file"` entries of `[tool.poetry.scripts]` (not start targets). */
  readonly fileScripts: readonly string[];
  /** Names declared in both tables (`[project.scripts]` wins). */
  readonly conflicts: readonly string[];
  /** `tool.poetry.package-mode` (default `true`). */
  readonly packageMode: boolean;
  /** The whole document, for what only the start-command inference reads (leniently). */
  readonly document: Readonly<Record<string, unknown>>;
}

const FILE = "pyproject.toml";

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (isTable(value)) return "a table";
  if (typeof value === "bigint" || typeof value === "number") return "a number";
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "string") return "a string";
  return "a date or time";
}

function fail(message: string): never {
  throw new BuildpackError(`${FILE}: ${message}`);
}

/** A table of the document (missing = empty); anything else is an error naming the key. */
function table(value: unknown, key: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isTable(value)) {
    fail(`[${key}] must be a table, but it is ${typeName(value)}; fix or remove it`);
  }
  return value;
}

function scriptTable(value: unknown, table: ScriptTable): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isTable(value)) {
    fail(
      `[${table}] must be a table of name = "module:function" entries, but it is ${
        typeName(value)
      }; fix or remove it`,
    );
  }
  return value;
}

/**
 * Interprets the text of pyproject.toml.
 *
 * Accepts every script form Poetry accepts: `name = "pkg.mod:func"`,
 * `name = { callable = "pkg.mod:func" }` and
 * `name = { reference = "…", type = "console" | "file" }` (only in
 * `[tool.poetry.scripts]`; `[project.scripts]` values are strings, PEP 621).
 *
 * @example Usage
 * ```ts
 * import { parsePyProject } from "./pyproject.ts";
 * parsePyProject('[project.scripts]\nweb = "app:main"\n').scripts[0]?.name; // "web"
 * ```
 *
 * @param text The file content (a leading BOM is allowed).
 * @returns The project's scripts and package mode.
 * @throws {BuildpackError} `pyproject.toml:LINE:COL: …` for malformed TOML, or
 * a message naming the table and script whose value has the wrong type.
 */
export function parsePyProject(text: string): PyProject {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text);
  } catch (error) {
    if (error instanceof TomlSyntaxError) {
      throw new BuildpackError(
        `${FILE}:${error.line}:${error.column}: ${error.reason}; fix the TOML syntax`,
        { cause: error },
      );
    }
    throw error;
  }
  const project = table(doc.project, "project");
  const poetry = table(table(doc.tool, "tool").poetry, "tool.poetry");

  const scripts: Script[] = [];
  const seen = new Set<string>();
  for (const [name, value] of checkedEntries(project.scripts, "project.scripts")) {
    if (typeof value !== "string") {
      fail(
        `[project.scripts] "${name}" must be a string such as "package.module:function", but it is ${
          typeName(value)
        }`,
      );
    }
    scripts.push({ name, table: "project.scripts", reference: value, form: "string" });
    seen.add(name);
  }

  const fileScripts: string[] = [];
  const conflicts: string[] = [];
  for (const [name, value] of checkedEntries(poetry.scripts, "tool.poetry.scripts")) {
    const script = poetryScript(name, value);
    if (script === "file") {
      fileScripts.push(name);
    } else if (seen.has(name)) {
      conflicts.push(name);
    } else {
      scripts.push(script);
      seen.add(name);
    }
  }

  const mode = poetry["package-mode"];
  if (mode !== undefined && typeof mode !== "boolean") {
    fail(`[tool.poetry] package-mode must be true or false, but it is ${typeName(mode)}`);
  }
  return { scripts, fileScripts, conflicts, packageMode: mode ?? true, document: doc };
}

/**
 * A script table's entries, every name checked. In the order the parser gives
 * them, which is the file's, except that integer-like names (`"1"`, `"20"`)
 * come first, in numeric order, as JavaScript orders an object's keys; the
 * target is chosen by name, so only the order of extra process types and of
 * names in messages shows it.
 */
function checkedEntries(value: unknown, table: ScriptTable): [string, unknown][] {
  const entries = Object.entries(scriptTable(value, table));
  for (const [name] of entries) {
    if (name === "") {
      fail(`[${table}] has a script with an empty name ("" = ...); give it a name`);
    }
    const unusable = unusableText(name);
    if (unusable !== undefined) {
      fail(
        `[${table}] ${
          JSON.stringify(name)
        } has ${unusable} in its name, which no command can be given; rename it`,
      );
    }
  }
  return entries;
}

function poetryScript(name: string, value: unknown): Script | "file" {
  const where = `[tool.poetry.scripts] "${name}"`;
  if (typeof value === "string") {
    return { name, table: "tool.poetry.scripts", reference: value, form: "string" };
  }
  if (!isTable(value)) {
    fail(
      `${where} must be a string such as "package.module:function" or a table with "reference" or "callable", but it is ${
        typeName(value)
      }`,
    );
  }
  if (typeof value.reference === "string") {
    const type = value.type ?? "console";
    if (type === "file") return "file";
    if (type !== "console") {
      fail(`${where} has type = ${JSON.stringify(type)}; use "console" or "file"`);
    }
    return { name, table: "tool.poetry.scripts", reference: value.reference, form: "reference" };
  }
  if (typeof value.callable === "string") {
    return { name, table: "tool.poetry.scripts", reference: value.callable, form: "callable" };
  }
  return fail(`${where} must have a string "reference" or "callable" key`);
}
