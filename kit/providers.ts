/**
 * The stand-ins for Paketo's buildpacks (tests/providers, see its README),
 * each written as a self-contained buildpack directory, and the Paketo Python
 * composite's Poetry groups they form with this buildpack.
 *
 * @module
 */
import { join } from "node:path";
import { cp } from "node:fs/promises";
import { BUILDPACK_ID, REPO_ROOT } from "./paths.ts";

/** Every stand-in (tests/providers/<name>), each with the ID `test/<name>`. */
export const PROVIDERS = [
  "watchexec",
  "cpython",
  "pip",
  "poetry",
  "poetry-install",
  "python-start",
  "procfile",
  "python-package-managers-install",
  "python-package-managers-run",
] as const;

/** A stand-in's name. */
export type Provider = typeof PROVIDERS[number];

/** The version every stand-in declares. */
export const PROVIDER_VERSION = "0.0.1";

/** One member of a group: a stand-in, or this buildpack (`poetry-run`). */
export interface Member {
  /** The stand-in's name, or `poetry-run`. */
  readonly name: Provider | "poetry-run";
  /** Whether the group passes without it. */
  readonly optional?: boolean;
}

const opt = (name: Provider): Member => ({ name, optional: true });
const req = (name: Provider | "poetry-run"): Member => ({ name });

/**
 * Paketo Python's Poetry group: `watchexec?, cpython, pip, poetry,
 * poetry-install, poetry-run, procfile?` (environment-variables and
 * image-labels left out: they do not take part in starting the app).
 */
export const POETRY_GROUP: readonly Member[] = [
  opt("watchexec"),
  req("cpython"),
  req("pip"),
  req("poetry"),
  req("poetry-install"),
  req("poetry-run"),
  opt("procfile"),
];

/** The group after it, where python-start takes poetry-run's place (web = python). */
export const PYTHON_START_GROUP: readonly Member[] = POETRY_GROUP.map((m) =>
  m.name === "poetry-run" ? req("python-start") : m
);

/** The consolidated group: `cpython, python-package-managers-install, -run, poetry-run, procfile?`. */
export const PACKAGE_MANAGERS_GROUP: readonly Member[] = [
  req("cpython"),
  req("python-package-managers-install"),
  req("python-package-managers-run"),
  req("poetry-run"),
  opt("procfile"),
];

/** The three Poetry-related groups of Paketo's Python composite, in its order. */
export const PYTHON_ORDER: readonly (readonly Member[])[] = [
  POETRY_GROUP,
  PYTHON_START_GROUP,
  PACKAGE_MANAGERS_GROUP,
];

/**
 * A member's buildpack ID.
 *
 * @param member The member.
 * @returns `test/<name>` for a stand-in, this buildpack's ID for `poetry-run`.
 */
export function memberId(member: Member): string {
  return member.name === "poetry-run" ? BUILDPACK_ID : `test/${member.name}`;
}

/**
 * `[[order]]` tables, as order.toml and builder.toml take them (each group an
 * array of inline tables, the form the README's builder.toml shows).
 *
 * @example Usage
 * ```ts
 * import { orderToml, POETRY_GROUP } from "./providers.ts";
 * orderToml([POETRY_GROUP], "0.0.1");
 * ```
 *
 * @param groups The groups, in order.
 * @param version This buildpack's version (the stand-ins' is {@linkcode PROVIDER_VERSION}).
 * @returns The TOML text.
 */
export function orderToml(groups: readonly (readonly Member[])[], version: string): string {
  const entry = (m: Member) =>
    `    { id = "${memberId(m)}", version = "${
      m.name === "poetry-run" ? version : PROVIDER_VERSION
    }"${m.optional ? ", optional = true" : ""} },\n`;
  return groups.map((group) => `[[order]]\n  group = [\n${group.map(entry).join("")}  ]\n`)
    .join("\n");
}

/**
 * The stand-ins a set of groups uses.
 *
 * @param groups The groups.
 * @returns Their stand-ins, each once.
 */
export function providersOf(groups: readonly (readonly Member[])[]): Provider[] {
  const names = groups.flat().map((m) => m.name).filter((n): n is Provider => n !== "poetry-run");
  return [...new Set(names)];
}

/**
 * Writes a stand-in provider buildpack: its directory plus the shared helper
 * modules in `lib/` (each buildpack must be self-contained).
 *
 * @param name A name from {@linkcode PROVIDERS}.
 * @param dir The buildpack directory to write.
 * @returns The directory.
 */
export async function writeProvider(name: Provider, dir: string): Promise<string> {
  const providers = join(REPO_ROOT, "tests", "providers");
  await cp(join(providers, name), dir, { recursive: true });
  await Deno.mkdir(join(dir, "lib"), { recursive: true });
  for await (const entry of Deno.readDir(join(providers, "_lib"))) {
    if (entry.isFile && entry.name.endsWith(".py")) {
      await Deno.copyFile(join(providers, "_lib", entry.name), join(dir, "lib", entry.name));
    }
  }
  return dir;
}
