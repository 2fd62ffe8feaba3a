/**
 * Declaring the suites' tests: an integration test or an e2e test fails in CI
 * when a tool it needs is missing, and is skipped on a laptop with the reason.
 *
 * @module
 */
import { missingE2eTools, type StartedSuite, startSuite, type Suite } from "../../kit/e2e.ts";
import { missingTools } from "../../kit/lifecycle.ts";
import { testNeedingTools } from "./helpers.ts";

/**
 * Declares an integration test: fails in CI when tools are missing, skips with a printed reason on a laptop.
 *
 * @param name Test name.
 * @param fn Body.
 */
export function integrationTest(name: string, fn: () => Promise<void>): void {
  testNeedingTools(name, missingTools(), "integration", fn);
}

/** One suite of e2e tests. */
export interface E2e {
  /**
   * Declares a test: fails in CI when something it needs is missing, skips
   * with a printed reason on a laptop (`CI` unset).
   */
  readonly test: (name: string, fn: (suite: Suite) => Promise<void>) => void;
  /** Stops the suite and prints the step times and image sizes. */
  readonly finish: () => Promise<void>;
}

/**
 * Makes a suite for a test file, started at its first test.
 *
 * @example Usage
 * ```ts
 * import { e2eSuite } from "./e2e.ts";
 * const e2e = e2eSuite();
 * Deno.test.afterAll(e2e.finish);
 * e2e.test("the example app serves", async (suite) => {});
 * ```
 *
 * @returns The suite.
 */
export function e2eSuite(): E2e {
  let started: Promise<StartedSuite> | undefined;
  const missing = missingE2eTools();
  return {
    test: (name, fn) =>
      testNeedingTools(name, missing, "e2e", async () => {
        started ??= startSuite();
        await fn(await started);
      }),
    finish: async () => {
      const suite = await started?.catch(() => undefined);
      started = undefined;
      await suite?.[Symbol.asyncDispose]();
    },
  };
}
