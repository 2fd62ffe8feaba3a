/**
 * The linux/arm64 package run for real: its own Deno runtime (aarch64) and
 * program under qemu-aarch64-static, as the lifecycle calls `bin/detect` and
 * `bin/build`, on the cases the linux/amd64 contract tests run, giving the
 * same bytes.
 *
 * There is no binfmt_misc here, so an aarch64 file cannot be exec'd: in a
 * copy of the arm64 target, `lib/deno` becomes a two-line script that runs
 * the real runtime (kept beside it) under qemu, which is what binfmt_misc
 * would do. Everything else (`bin/detect`, `bin/build`, `lib/run.js`,
 * `lib/program.js`, the runtime's bytes) is the package's own.
 *
 * @module
 */
import assert from "node:assert/strict";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { PACKAGED_CASES, packagedApp, runPackaged } from "../../kit/packaged.ts";
import { TOOLS_DIR } from "../../kit/paths.ts";
import { type E2e } from "../_harness/suites.ts";
import { tempDir } from "../../kit/files.ts";

const ARM64_ROOT = join(TOOLS_DIR, "arm64-root");

/**
 * Registers the arm64 test.
 *
 * @param e2e The suite.
 */
export function arm64Cases(e2e: E2e): void {
  e2e.test(
    "linux/arm64 under qemu: bin/detect and bin/build write the same plan, launch.toml and output as linux/amd64",
    async (s) => {
      const amd64 = join(s.packageDir, "buildpack", "linux", "amd64");
      await using dir = await tempDir("pr-arm64-");
      const arm64 = join(dir.path, "arm64");
      await cp(join(s.packageDir, "buildpack", "linux", "arm64"), arm64, { recursive: true });
      await Deno.rename(join(arm64, "lib", "deno"), join(arm64, "lib", "deno.aarch64"));
      await Deno.writeTextFile(
        join(arm64, "lib", "deno"),
        `#!/bin/sh\nexec qemu-aarch64-static -L '${ARM64_ROOT}' "$0.aarch64" "$@"\n`,
        { mode: 0o755 },
      );
      const times: number[] = [];
      for (const c of PACKAGED_CASES) {
        await using app = await packagedApp(c.files);
        for (const phase of ["detect", "build"] as const) {
          const want = await runPackaged(amd64, phase, app, c.bp);
          const start = performance.now();
          const got = await runPackaged(arm64, phase, app, c.bp);
          times.push(performance.now() - start);
          assert.deepEqual(got, want, `${c.name}: ${phase}`);
          assert.equal(got.code, c[phase], `${c.name}: ${phase} exit code`);
        }
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] ?? 0;
      console.log(
        `    [e2e] arm64 phases under qemu: ${times.length} runs, median ${
          (median / 1000).toFixed(1)
        } s, max ${((times.at(-1) ?? 0) / 1000).toFixed(1)} s`,
      );
    },
  );
}
