/**
 * Which phase a buildpack executable is asked to run.
 *
 * The lifecycle executes `<buildpack>/bin/detect <platform> <plan>` and
 * `<buildpack>/bin/build <layers> <platform> <plan>`. A compiled buildpack is
 * one executable with `bin/detect` and `bin/build` symlinked to it, so the
 * phase is the basename of argv[0]. In Deno 2.9 only `node:process` exposes
 * argv[0], and loading it costs about 17 ms of start-up (reading
 * `/proc/self/cmdline` instead needs `--allow-all`). The lifecycle's own
 * inputs name the phase just as exactly: detect is the only phase given two
 * arguments and `CNB_BUILD_PLAN_PATH`, build the only one given three
 * arguments, `CNB_LAYERS_DIR` and `CNB_BP_PLAN_PATH` (Buildpack API 0.8 and
 * later). So argv[0] is read only when neither the first argument nor those
 * inputs decide.
 *
 * @module
 */
import type { EnvLookup } from "./io.ts";
import { baseName } from "./posix_path.ts";

/** A buildpack phase. */
export type Phase = "detect" | "build";

/**
 * Tells whether a string names a phase.
 *
 * @param value The candidate.
 * @returns `true` for `detect` and `build`.
 */
export function isPhase(value: string | undefined): value is Phase {
  return value === "detect" || value === "build";
}

const set = (env: EnvLookup, name: string): boolean => (env(name) ?? "") !== "";

/**
 * The phase the lifecycle's inputs identify: two arguments with
 * `CNB_BUILD_PLAN_PATH` (and no build-only variable) for detect; three
 * arguments with `CNB_LAYERS_DIR` and `CNB_BP_PLAN_PATH` (and no
 * `CNB_BUILD_PLAN_PATH`) for build.
 *
 * @example Usage
 * ```ts
 * import { phaseFromLifecycleInputs } from "./phase.ts";
 * const env = new Map([["CNB_BUILD_PLAN_PATH", "/tmp/plan.toml"]]);
 * phaseFromLifecycleInputs(["/platform", "/tmp/plan.toml"], (n) => env.get(n)); // "detect"
 * ```
 *
 * @param args The positional arguments.
 * @param env Environment lookup.
 * @returns The phase, or `undefined` when the inputs are not exactly one phase's.
 */
export function phaseFromLifecycleInputs(
  args: readonly string[],
  env: EnvLookup,
): Phase | undefined {
  const detectPlan = set(env, "CNB_BUILD_PLAN_PATH");
  const layers = set(env, "CNB_LAYERS_DIR");
  const bpPlan = set(env, "CNB_BP_PLAN_PATH");
  if (args.length === 2 && detectPlan && !layers && !bpPlan) return "detect";
  if (args.length === 3 && layers && bpPlan && !detectPlan) return "build";
  return undefined;
}

/** How the phase was decided, and the arguments that belong to it. */
export interface PhaseChoice {
  /** The phase, or `undefined` when nothing names one. */
  readonly phase: Phase | undefined;
  /** The arguments after the phase. */
  readonly args: readonly string[];
}

/**
 * Decides the phase: the first argument when it is a phase name (`deno task
 * phase detect …`, the `--runtime deno` entry scripts), else the lifecycle's
 * inputs, else the basename of argv[0] (read only then).
 *
 * @param args The program's arguments.
 * @param env Environment lookup.
 * @param argv0 Reads argv[0]; called only when needed.
 * @returns The phase and its arguments.
 */
export async function choosePhase(
  args: readonly string[],
  env: EnvLookup,
  argv0: () => Promise<string>,
): Promise<PhaseChoice> {
  const first = args[0];
  if (isPhase(first)) return { phase: first, args: args.slice(1) };
  const fromInputs = phaseFromLifecycleInputs(args, env);
  if (fromInputs !== undefined) return { phase: fromInputs, args };
  const self = baseName(await argv0());
  return { phase: isPhase(self) ? self : undefined, args };
}

/**
 * argv[0] of this process, from `node:process` (loaded only when called: it
 * costs about 17 ms of start-up in Deno 2.9).
 *
 * @returns argv[0] as executed.
 */
export async function processArgv0(): Promise<string> {
  // Loaded only when nothing else names the phase: node:process costs ~17 ms of start-up.
  return (await import("node:process")).default.argv0;
}
