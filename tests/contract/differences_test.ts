/**
 * The deliberate differences from the reference, executable: one test per row
 * of `differences.ts`, each running this buildpack's entry point exactly as
 * the lifecycle does and setting its outcome beside the reference's; and one
 * test that the docs show exactly those rows.
 */
import assert from "node:assert/strict";
import { workspace } from "../../kit/phase.ts";
import { DIFFERENCES } from "./differences.ts";
import { DOC_PATH, README_PATH, renderedDocs } from "./differences_doc.ts";

for (const d of DIFFERENCES) {
  Deno.test(`difference: ${d.name}`, async () => {
    await using ws = await workspace(d.api ?? "0.8");
    const actual = await d.run(ws);
    assert.deepEqual(actual, d.expected, "this buildpack");
    assert.notDeepEqual(actual, d.referenceOutcome, `the reference (${d.source}) does the same`);
  });
}

Deno.test("the rows have distinct names and non-empty texts", () => {
  assert.equal(new Set(DIFFERENCES.map((d) => d.name)).size, DIFFERENCES.length);
  for (const d of DIFFERENCES) {
    assert.ok(d.reference.trim() !== "" && d.ours.trim() !== "", d.name);
    const cells = [d.reference, d.ours, d.headline?.reference ?? "", d.headline?.ours ?? ""];
    assert.ok(!cells.some((c) => c.includes("|")), `${d.name}: a table cell holds a |`);
  }
});

Deno.test("docs/differences.md and the README's short table are what the rows render (deno task docs)", async () => {
  const { doc, readme } = await renderedDocs();
  assert.equal(await Deno.readTextFile(DOC_PATH), doc, "docs/differences.md: run deno task docs");
  assert.equal(await Deno.readTextFile(README_PATH), readme, "README.md: run deno task docs");
});
