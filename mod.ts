/**
 * A Cloud Native Buildpack that sets the start command of a Poetry app to
 * `poetry run <target>`: a drop-in replacement for
 * `paketo-buildpacks/poetry-run`.
 *
 * The phases are plain functions over a context ({@linkcode detect},
 * {@linkcode build}); the entry point {@linkcode run} does all I/O.
 *
 * @module
 */
export * from "./src/cnb/api.ts";
export * from "./src/cnb/buildpack_toml.ts";
export * from "./src/cnb/errors.ts";
export * from "./src/cnb/exit_codes.ts";
export * from "./src/cnb/inputs.ts";
export * from "./src/cnb/io_error.ts";
export * from "./src/cnb/posix_path.ts";
export * from "./src/cnb/launch.ts";
export * from "./src/cnb/logger.ts";
export * from "./src/cnb/parse_bool.ts";
export * from "./src/cnb/phase.ts";
export * from "./src/cnb/plan.ts";
export * from "./src/cnb/process_type.ts";
export * from "./src/cnb/toml.ts";
export * from "./src/cnb/toml_string.ts";
export * from "./src/poetry/build.ts";
export * from "./src/poetry/detect.ts";
export * from "./src/poetry/live_reload.ts";
export * from "./src/poetry/pyproject.ts";
export * from "./src/poetry/pyproject_sections.ts";
export * from "./src/poetry/shell_words.ts";
export * from "./src/poetry/start.ts";
export * from "./src/poetry/target.ts";
export {
  type Argv0Reader,
  type Io,
  loadPyProject,
  processArgv0,
  processIo,
  run,
} from "./src/main.ts";
