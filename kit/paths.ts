/**
 * Where things are: the repository, the test tools, and this buildpack's ID
 * (and the directory name the lifecycle gives its layers).
 *
 * @module
 */
import { escapeBuildpackId } from "../src/cnb/launch_env.ts";
import { denoTaskArgs, REPO_ROOT } from "./phase_command.ts";
import { toolsDir } from "./tools_dir.ts";

export { denoTaskArgs, REPO_ROOT };

/** The tools directory written by scripts/install-tools.sh. */
export const TOOLS_DIR: string = toolsDir();

/** This buildpack's ID, as buildpack.toml declares it. */
export const BUILDPACK_ID = "paketo-buildpacks/poetry-run";

/** The directory name of this buildpack's layers (and of its buildpacks-dir entry). */
export const BUILDPACK_DIR_NAME: string = escapeBuildpackId(BUILDPACK_ID);
