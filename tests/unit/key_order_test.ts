import assert from "node:assert/strict";
import { declaredKeys } from "../../src/poetry/key_order.ts";
import { isTable, parseToml } from "../../src/cnb/toml.ts";

const TABLE = ["tool", "poetry", "scripts"];

Deno.test("declaredKeys() reads headers, dotted keys, quoted keys and inline tables", () => {
  const text = `# [tool.poetry.scripts] in a comment
[tool.poetry]
name = "x"   # "quoted" [brackets]
scripts."2" = "a:b"
scripts.b = { callable = "a:c", extras = ["q", "]"] }
[tool.poetry.scripts."1"]
reference = "a:d"
type = "console"
[tool.poetry.scripts.'lit\\eral']
callable = 'a:e'
[other]
s = """
[tool.poetry.scripts]
"9" = "not a key"
"""
`;
  assert.deepEqual(declaredKeys(text, TABLE), ["2", "b", "1", "lit\\eral"]);
});

Deno.test("declaredKeys() decodes escapes in quoted keys and skips every string form", () => {
  const text = `[tool.poetry.scripts]
"a\\"b" = 'x'
"\\u00e9" = "y"
m = """multi \\""" still "" in"""
"3" = '''lit
eral'''''
"1" = "z"
`;
  assert.deepEqual(declaredKeys(text, TABLE), ['a"b', "é", "m", "3", "1"]);
});

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("declaredKeys() agrees with the parser and the generation order on 2,000 generated documents", () => {
  const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  for (let seed = 1; seed <= 2000; seed++) {
    const r = rng(seed);
    const count = 1 + Math.floor(r() * 6);
    const keys: string[] = [];
    while (keys.length < count) {
      const k = pick(r, ["0", "1", "2", "10", "42", "web", "w-1", "my script", "é", 'q"t', "a.b"]) +
        (r() < 0.3 ? String(keys.length) : "");
      if (!keys.includes(k)) keys.push(k);
    }
    const quote = (k: string) => /^[A-Za-z0-9_-]+$/.test(k) && r() < 0.5 ? k : JSON.stringify(k);
    const noise = (n: number) =>
      pick(r, [
        `[other${n}]\ns = "[tool.poetry.scripts]"\n`,
        `# ] [ "\n`,
        `[more${n}]\nm = """\n"1" = "x"\n"""\narr = [ { a = "1" }, "]", 3 ]\n`,
        `[dates${n}]\nd = 1979-05-27 07:32:00Z\nn = 1_000\n`,
        ``,
      ]);
    let text = noise(1);
    const form = Math.floor(r() * 3);
    if (form === 0) {
      text += `[tool.poetry.scripts]\n` + keys.map((k) => `${quote(k)} = "m:f"  # c\n`).join("");
    } else if (form === 1) {
      text += `[tool.poetry]\nscripts = { ${keys.map((k) => `${quote(k)} = "m:f"`).join(", ")} }\n`;
    } else {
      text += keys.map((k) => `[tool.poetry.scripts.${quote(k)}]\ncallable = "m:f"\n`).join("");
    }
    text += noise(2);
    const doc = parseToml(text);
    const tool = doc.tool as Record<string, unknown>;
    const table = (tool.poetry as Record<string, unknown>).scripts;
    assert.ok(isTable(table), text);
    const order = declaredKeys(text, TABLE);
    assert.deepEqual(order, keys, `seed ${seed}:\n${text}`);
    assert.deepEqual([...order].sort(), Object.keys(table).sort(), `seed ${seed}`);
  }
});
