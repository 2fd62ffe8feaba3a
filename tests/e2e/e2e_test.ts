/**
 * The end-to-end suite: one suite (dockerd, registry, images, builders, the
 * package), started at the first test, stopped after the last. The main path
 * first: the registry and pack's untrusted flow; then the daemon flow; then
 * the arm64 package under qemu.
 */
import { arm64Cases } from "./arm64_cases.ts";
import { daemonCases } from "./daemon_cases.ts";
import { registryCases } from "./registry_cases.ts";
import { e2eSuite } from "../_harness/suites.ts";

const e2e = e2eSuite();
Deno.test.afterAll(e2e.finish);

registryCases(e2e);
daemonCases(e2e);
arm64Cases(e2e);
