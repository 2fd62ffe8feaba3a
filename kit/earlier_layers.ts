/**
 * What the buildpacks before this one leave in a lifecycle layout, for the
 * contract tests: a launch layer of an earlier buildpack (`test/venv`) with
 * a virtual environment in it (`pyvenv.cfg`, programs in `bin/` on the launch
 * PATH, distributions' `.dist-info` directories, a site directory on
 * PYTHONPATH), and `group.toml` naming it before this buildpack. The
 * integration tests use the real thing (Poetry installing real packages);
 * this stands in for it where a test is about this buildpack's own output.
 *
 * @module
 */
import { join } from "node:path";
import { BUILDPACK_ID } from "./paths.ts";

/** What to put in the venv. */
export interface VenvContents {
  /** Programs in `bin/`: name → file content (made executable). */
  readonly bins?: Readonly<Record<string, string>>;
  /** Distributions installed: `name-version` (a `.dist-info` directory each). */
  readonly dists?: readonly string[];
  /** Files under site-packages: relative path → content. */
  readonly site?: Readonly<Record<string, string>>;
  /** More environment files of the layer (`env/<name>`). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Where the venv is. */
export interface EarlierVenv {
  /** The venv's root. */
  readonly venv: string;
  /** Its site-packages. */
  readonly site: string;
}

/**
 * Writes the earlier buildpack's launch layer with a venv, and group.toml.
 *
 * @param layersRoot The lifecycle's layers directory.
 * @param contents What the venv holds.
 * @param python The Python version of `lib/python<version>/` (default 3.11).
 * @returns Where the venv is.
 */
export async function earlierVenv(
  layersRoot: string,
  contents: VenvContents = {},
  python = "3.11",
): Promise<EarlierVenv> {
  const layer = join(layersRoot, "test_venv", "venv");
  const venv = join(layer, "app-venv");
  const site = join(venv, "lib", `python${python}`, "site-packages");
  await Deno.mkdir(join(venv, "bin"), { recursive: true });
  await Deno.mkdir(site, { recursive: true });
  await Deno.mkdir(join(layer, "env"), { recursive: true });
  await Deno.writeTextFile(join(venv, "pyvenv.cfg"), `home = /usr/bin\nversion = ${python}.0\n`);
  for (const [name, text] of Object.entries(contents.bins ?? {})) {
    await Deno.writeTextFile(join(venv, "bin", name), text);
    await Deno.chmod(join(venv, "bin", name), 0o755);
  }
  for (const dist of contents.dists ?? []) {
    await Deno.mkdir(join(site, `${dist}.dist-info`));
  }
  for (const [path, text] of Object.entries(contents.site ?? {})) {
    await Deno.mkdir(join(site, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(site, path), text);
  }
  await Deno.writeTextFile(join(layer, "env", "PATH.prepend"), join(venv, "bin"));
  await Deno.writeTextFile(join(layer, "env", "PATH.delim"), ":");
  await Deno.writeTextFile(join(layer, "env", "PYTHONPATH.prepend"), site);
  for (const [name, value] of Object.entries(contents.env ?? {})) {
    await Deno.writeTextFile(join(layer, "env", name), value);
  }
  await Deno.writeTextFile(join(layersRoot, "test_venv", "venv.toml"), "[types]\nlaunch = true\n");
  await Deno.writeTextFile(
    join(layersRoot, "group.toml"),
    `[[group]]\nid = "test/venv"\nversion = "1"\napi = "0.8"\n\n` +
      `[[group]]\nid = "${BUILDPACK_ID}"\nversion = "1.2.3"\napi = "0.8"\n`,
  );
  return { venv, site };
}
