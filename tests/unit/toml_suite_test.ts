/**
 * The TOML reader behind the seam against the official TOML 1.0.0 suite
 * (what Python's tomllib, and so Poetry, reads): every valid file must decode
 * to its expected value, every invalid one be rejected, except the files in
 * toml_suite_allowed.txt; a listed file that passes fails the test too.
 */
import assert from "node:assert/strict";
import { dateTimeOf, parseToml } from "../../src/cnb/toml.ts";
import { difference, runSuite, tagged, TOML_TEST, tomlSuite } from "../../kit/toml_suite.ts";
import { testNeedingTools } from "../_harness/helpers.ts";

/** The allow-list: path → reason. */
async function allowed(): Promise<Map<string, string>> {
  const text = await Deno.readTextFile(new URL("./toml_suite_allowed.txt", import.meta.url));
  const entries = text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).map(
    (l) => {
      const m = /^(\S+)\s+(.+)$/.exec(l);
      if (m === null) throw new Error(`toml_suite_allowed.txt: no reason on the line ${l}`);
      return [m[1] as string, m[2] as string] as const;
    },
  );
  return new Map(entries);
}

function goMissing(): string | undefined {
  try {
    new Deno.Command("go", { args: ["version"], stdout: "null", stderr: "null" }).outputSync();
    return undefined;
  } catch {
    return `go is not on PATH (it fetches ${TOML_TEST})`;
  }
}

testNeedingTools(
  "the seam's TOML reader against the official TOML 1.0.0 suite",
  goMissing(),
  "unit",
  async () => {
    const cases = await tomlSuite("1.0.0");
    const valid = cases.filter((c) => c.expected !== undefined).length;
    const invalid = cases.length - valid;
    const r = runSuite(cases, parseToml, dateTimeOf);
    console.log(
      `    toml-test 1.0.0: valid ${r.validPassed}/${valid} decoded to their expected value, ` +
        `invalid ${r.invalidRejected}/${invalid} rejected`,
    );
    const expectedFailures = await allowed();
    const failures = [...r.validFailed.map(([p]) => p), ...r.invalidAccepted];
    const unlisted = failures.filter((p) => !expectedFailures.has(p));
    const fixed = [...expectedFailures.keys()].filter((p) => !failures.includes(p));
    assert.deepEqual(
      unlisted.map((p) => `${p}: ${r.validFailed.find(([q]) => q === p)?.[1] ?? "accepted"}`),
      [],
      "failures not in toml_suite_allowed.txt",
    );
    assert.deepEqual(fixed, [], "listed in toml_suite_allowed.txt but passing now: remove them");
    assert.ok(valid > 150 && invalid > 300, `the suite is all there (${valid}, ${invalid})`);
  },
);

Deno.test("difference() tells values, types, floats and date-times apart as the suite means them", () => {
  const t = (type: string, value: string) => ({ type, value });
  assert.equal(difference(t("float", "nan"), t("float", "nan")), undefined);
  assert.equal(difference(t("float", "inf"), t("float", "+inf")), undefined);
  assert.match(difference(t("float", "0"), t("float", "-0")) ?? "", /expected "-0"/);
  assert.match(
    difference(t("integer", "1"), t("float", "1")) ?? "",
    /type integer, expected float/,
  );
  assert.equal(
    difference(
      t("datetime", "1979-05-27T07:32:00.000Z"),
      t("datetime", "1979-05-27T00:32:00-07:00"),
    ),
    undefined,
  );
  assert.match(
    difference(
      t("datetime", "1979-05-27T00:32:00.999Z"),
      t("datetime", "1979-05-27T00:32:00.999999Z"),
    ) ?? "",
    /expected/,
    "a lost fraction is a difference",
  );
  assert.equal(difference(t("time-local", "07:32:00.000"), t("time-local", "07:32:00")), undefined);
  assert.match(
    difference({ a: t("string", "x") }, { a: t("string", "x"), b: t("string", "y") }) ?? "",
    /keys/,
  );
  assert.match(difference([t("bool", "true")], [t("bool", "false")]) ?? "", /\$\[0\]/);
});

Deno.test("tagged() turns the seam's values into toml-test's tagged JSON", () => {
  assert.deepEqual(
    tagged(
      parseToml('a = 1\nb = 1.5\nc = "s"\nd = true\ne = 1979-05-27\nf = [1]\n[g]\nh = -0.0\n'),
      dateTimeOf,
    ),
    {
      a: { type: "integer", value: "1" },
      b: { type: "float", value: "1.5" },
      c: { type: "string", value: "s" },
      d: { type: "bool", value: "true" },
      e: { type: "date-local", value: "1979-05-27" },
      f: [{ type: "integer", value: "1" }],
      g: { h: { type: "float", value: "-0" } },
    },
  );
});
