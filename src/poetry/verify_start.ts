/**
 * Build's check of an inferred start command against what the earlier
 * buildpacks installed: the server's program is on the launch `PATH`, and
 * the venv it is in has the application's framework and a server version
 * that can call a factory. Nothing of the app is imported or run; a
 * contradiction means the image would crash at start, so the build fails
 * with one line saying what to change.
 *
 * @module
 */
import { BuildpackError } from "../cnb/errors.ts";
import type { EnvLookup } from "../cnb/io.ts";
import { isFile } from "../cnb/file_kind.ts";
import { lookPath, processEnvironment } from "../cnb/launch_env.ts";
import { dirName, joinPath } from "../cnb/posix_path.ts";
import { normalizeName } from "../python/requirement.ts";
import { compareReleases } from "../python/web_servers.ts";
import { TARGET_VARIABLE } from "./config.ts";
import type { InferredCommand } from "./infer.ts";

/** Where to look. */
export interface VerifyContext {
  /** This buildpack's layers directory. */
  readonly layersDir: string;
  /** This buildpack's ID. */
  readonly buildpackId: string;
  /** The app directory. */
  readonly appDir: string;
  /** The build environment. */
  readonly env: EnvLookup;
}

/** What the check saw, for the log. */
export interface Verified {
  /** The server's program. */
  readonly executable: string;
  /** The versions of the server and framework in the venv, when it was found. */
  readonly versions?: { readonly server?: string; readonly framework?: string };
}

/** Distribution versions of a venv's site-packages, by normalized name. */
function distributions(venv: string): Map<string, string> {
  const found = new Map<string, string>();
  const lib = joinPath(venv, "lib");
  let pythons: Deno.DirEntry[] = [];
  try {
    pythons = [...Deno.readDirSync(lib)];
  } catch {
    return found;
  }
  for (const py of pythons) {
    let entries: Deno.DirEntry[] = [];
    try {
      entries = [...Deno.readDirSync(joinPath(lib, py.name, "site-packages"))];
    } catch {
      continue;
    }
    for (const e of entries) {
      const m = /^(.+?)-([^-]+)\.dist-info$/.exec(e.name);
      if (m !== null) found.set(normalizeName(m[1] as string), m[2] as string);
    }
  }
  return found;
}

/**
 * Checks an inferred command.
 *
 * @example Usage
 * ```ts
 * import { verifyInferred } from "./verify_start.ts";
 * // verifyInferred(command, { layersDir, buildpackId, appDir, env }).executable;
 * ```
 *
 * @param command The inferred command.
 * @param ctx Where to look.
 * @returns What was found.
 * @throws {BuildpackError} When the image could not start it.
 */
export function verifyInferred(command: InferredCommand, ctx: VerifyContext): Verified {
  const { server, app } = command;
  const { env } = processEnvironment(ctx.layersDir, ctx.buildpackId, ctx.env, "web");
  const executable = lookPath(server.executable, env.PATH, ctx.appDir);
  const fix =
    `add ${server.distribution} to the dependencies poetry-install installs, or set ${TARGET_VARIABLE}`;
  if (executable === undefined) {
    throw new BuildpackError(
      `The inferred start command runs ${server.name}, but the launch PATH has no ${server.executable} ` +
        `(${command.serverWhy}, yet the venv does not have it); ${fix}`,
    );
  }
  const venv = dirName(dirName(executable));
  if (!isFile(joinPath(venv, "pyvenv.cfg"))) return { executable }; // not a virtual environment
  const dists = distributions(venv);
  const serverVersion = dists.get(server.distribution);
  const frameworkVersion = dists.get(app.distribution);
  if (frameworkVersion === undefined) {
    throw new BuildpackError(
      `${app.at}: the ${app.label} needs ${app.distribution}, which the venv at ${venv} does not have; ` +
        `add ${app.distribution} to the dependencies poetry-install installs, or set ${TARGET_VARIABLE}`,
    );
  }
  if (
    app.factory && server.factorySince !== undefined && serverVersion !== undefined &&
    compareReleases(serverVersion, server.factorySince) < 0
  ) {
    throw new BuildpackError(
      `${server.name} ${serverVersion} cannot call the factory ${app.module}:${app.attr} ` +
        `(${app.at}); it needs ${server.name} ${server.factorySince} or later: upgrade it, ` +
        `or set ${TARGET_VARIABLE}`,
    );
  }
  return {
    executable,
    versions: {
      ...(serverVersion === undefined ? {} : { server: serverVersion }),
      framework: frameworkVersion,
    },
  };
}
