import assert from "node:assert/strict";
import { parseGoBool } from "../../src/paketo/parse_bool.ts";

Deno.test("parseGoBool() accepts exactly Go's true spellings", () => {
  for (const v of ["1", "t", "T", "TRUE", "true", "True"]) assert.equal(parseGoBool(v), true, v);
});

Deno.test("parseGoBool() accepts exactly Go's false spellings", () => {
  for (const v of ["0", "f", "F", "FALSE", "false", "False"]) {
    assert.equal(parseGoBool(v), false, v);
  }
});

Deno.test("parseGoBool() rejects anything else with Go's message", () => {
  for (const v of ["", "yes", "on", "TrUe", " true", "true ", "2", "tRUE"]) {
    assert.throws(() => parseGoBool(v), {
      name: "SyntaxError",
      message: `strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`,
    });
  }
});

Deno.test("parseGoBool() quotes control characters like Go", () => {
  assert.throws(() => parseGoBool("a\tb\n"), {
    message: 'strconv.ParseBool: parsing "a\\tb\\n": invalid syntax',
  });
});
