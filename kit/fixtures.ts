/**
 * The fixture apps (`tests/fixtures/apps/`) as the suites build them: a copy,
 * with the one shared HTTP server (`tests/fixtures/server.py`) put into each
 * package whose `<package>.server:<function>` script the app's pyproject.toml
 * names and that has no `server.py` of its own.
 *
 * @module
 */
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { parseToml } from "../src/cnb/toml.ts";
import { type TempDir, tempDir } from "./files.ts";
import { REPO_ROOT } from "./paths.ts";

/** The fixture apps' directory. */
export const FIXTURES: string = join(REPO_ROOT, "tests", "fixtures", "apps");
/** The server every fixture app's package runs. */
export const FIXTURE_SERVER: string = join(REPO_ROOT, "tests", "fixtures", "server.py");

/** The packages a pyproject.toml's scripts name as `<package>.server:…` (none when it does not parse). */
function serverPackages(pyproject: string): string[] {
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(pyproject);
  } catch {
    return []; // an app made to test a malformed pyproject.toml
  }
  const doc = parsed as {
    project?: { scripts?: Record<string, unknown> };
    tool?: { poetry?: { scripts?: Record<string, unknown> } };
  };
  const values = [
    ...Object.values(doc.project?.scripts ?? {}),
    ...Object.values(doc.tool?.poetry?.scripts ?? {}),
  ].map((v) =>
    typeof v === "string" ? v : (v as { reference?: string; callable?: string }).reference ??
      (v as { callable?: string }).callable ?? ""
  );
  return [
    ...new Set(values.flatMap((v) => /^([\w.]+)\.server:\w+$/.exec(v)?.[1] ?? [])),
  ];
}

/**
 * Copies an app, adding the shared server where its scripts need it.
 *
 * @example Usage
 * ```ts
 * import { copyApp, FIXTURES } from "./fixtures.ts";
 * await copyApp(`${FIXTURES}/default_app`, "/tmp/app");
 * ```
 *
 * @param source The app.
 * @param target Where the copy goes (made).
 */
export async function copyApp(source: string, target: string): Promise<void> {
  await cp(source, target, { recursive: true });
  let pyproject: string;
  try {
    pyproject = await Deno.readTextFile(join(target, "pyproject.toml"));
  } catch {
    return;
  }
  for (const pkg of serverPackages(pyproject)) {
    const dir = join(target, ...pkg.split("."));
    const server = join(dir, "server.py");
    const exists = await Deno.stat(server).then(() => true, () => false);
    const isPackage = await Deno.stat(dir).then((s) => s.isDirectory, () => false);
    if (isPackage && !exists) await Deno.copyFile(FIXTURE_SERVER, server);
  }
}

/**
 * A temporary copy of a fixture app (see {@linkcode copyApp}); dispose removes it.
 *
 * @param name The app's directory under `tests/fixtures/apps`, or an absolute directory.
 * @returns The copy's directory.
 */
export async function fixtureCopy(name: string): Promise<TempDir> {
  const dir = await tempDir("poetry-run-app-");
  const app = join(dir.path, "app");
  await copyApp(name.startsWith("/") ? name : join(FIXTURES, name), app);
  return { path: app, [Symbol.asyncDispose]: dir[Symbol.asyncDispose] };
}
