/**
 * The detect phase: the resolution as a build plan. Participates when
 * something can be started; requires what starting it needs at launch.
 *
 * @module
 */
import type { BuildPlan, Requirement } from "../cnb/plan.ts";
import type { DetectResult } from "../cnb/runner.ts";
import { needsPoetryAtLaunch } from "./processes.ts";
import { type PoetryContext, resolve } from "./resolve.ts";

const launch = (name: string): Requirement => ({ name, metadata: { launch: true } });

/**
 * The plan this buildpack requires: cpython, poetry, poetry-venv (and
 * watchexec with live reload), all at launch; it provides nothing. Without
 * `poetry` when no process needs it (`BP_POETRY_RUN_DIRECT`).
 *
 * @example Usage
 * ```ts
 * import { requiredPlan } from "./detect.ts";
 * requiredPlan(false).requires.map((r) => r.name); // ["cpython", "poetry", "poetry-venv"]
 * ```
 *
 * @param reload Whether live reload is on.
 * @param poetry Whether a process needs Poetry at launch.
 * @returns The plan.
 */
export function requiredPlan(reload: boolean, poetry = true): BuildPlan {
  const names = [
    "cpython",
    ...(poetry ? ["poetry"] : []),
    "poetry-venv",
    ...(reload ? ["watchexec"] : []),
  ];
  return { provides: [], requires: names.map(launch) };
}

/**
 * Runs detection.
 *
 * @param ctx Inputs.
 * @returns Pass with a plan, or fail with a reason.
 * @throws {BuildpackError} On invalid variables or a malformed pyproject.toml.
 */
export async function poetryDetect(ctx: PoetryContext): Promise<DetectResult> {
  const r = await resolve(ctx);
  if (!r.applies) return { pass: false, reason: r.reason };
  // Without direct starts every process runs through poetry run: the reference's plan.
  const kept = r.processes.filter((p) => p.start.via !== "none");
  const poetry = !r.direct || needsPoetryAtLaunch(kept, r.project);
  return { pass: true, plan: requiredPlan(r.reload, poetry) };
}
