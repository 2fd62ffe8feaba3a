/**
 * Real packages from PyPI in a test's set-up: Poetry's per-version JSON API
 * is not served on our machines, its simple index is, so an app is pointed at
 * the simple index (as a primary `[[tool.poetry.source]]`, its address read
 * from pip, never written into a committed file) and locked before the
 * lifecycle's poetry-install stand-in syncs it.
 *
 * @module
 */
import { join } from "node:path";
import { output } from "./command.ts";
import { TOOLS_DIR } from "./paths.ts";

/** The CA bundle Poetry's requests must use on our machines. */
export const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

let simpleUrl: Promise<string> | undefined;

/**
 * PyPI's simple index, as pip knows it.
 *
 * @returns The URL.
 */
export function pypiSimpleUrl(): Promise<string> {
  return simpleUrl ??= output("python3", [
    "-c",
    "from pip._internal.models.index import PyPI; print(PyPI.simple_url)",
  ]).then((out) => {
    if (out.code !== 0) throw new Error(`pip does not say where PyPI is: ${out.stderr}`);
    return out.stdout.trim();
  });
}

/**
 * Points an app at PyPI's simple index and writes its poetry.lock with the
 * tools' Poetry.
 *
 * @param appDir The app (a copy: its pyproject.toml is changed).
 */
export async function lockAgainstPyPI(appDir: string): Promise<void> {
  const url = await pypiSimpleUrl();
  const pyproject = join(appDir, "pyproject.toml");
  await Deno.writeTextFile(
    pyproject,
    `${await Deno.readTextFile(pyproject)}\n[[tool.poetry.source]]\nname = "pypi-simple"\n` +
      `url = "${url}"\npriority = "primary"\n`,
  );
  const cache = await Deno.makeTempDir({ prefix: "poetry-run-lock-cache-" });
  try {
    const out = await output(join(TOOLS_DIR, "poetry", "bin", "poetry"), [
      "lock",
      "--no-interaction",
    ], {
      cwd: appDir,
      env: {
        PATH: "/usr/local/bin:/usr/bin:/bin",
        HOME: cache,
        POETRY_CACHE_DIR: cache,
        REQUESTS_CA_BUNDLE: CA_BUNDLE,
      },
      clearEnv: true,
    });
    if (out.code !== 0) {
      throw new Error(`poetry lock failed in ${appDir}: ${out.stdout}${out.stderr}`);
    }
  } finally {
    await Deno.remove(cache, { recursive: true }).catch(() => {});
  }
}
