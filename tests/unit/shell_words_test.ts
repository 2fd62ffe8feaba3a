import assert from "node:assert/strict";
import { quoteShellWords, ShellWordsError, splitShellWords } from "../../src/poetry/shell_words.ts";

const cases: [string, string[]][] = [
  ["a custom command", ["a", "custom", "command"]],
  ["  a   b\t\tc  ", ["a", "b", "c"]],
  ["", []],
  ["   ", []],
  [`gunicorn "app:create_app()"`, ["gunicorn", "app:create_app()"]],
  [`gunicorn -b '0.0.0.0:8080' app:app`, ["gunicorn", "-b", "0.0.0.0:8080", "app:app"]],
  [`'my script'`, ["my script"]],
  [`"my script"`, ["my script"]],
  [`my\\ script`, ["my script"]],
  [`''`, [""]],
  [`a "" b`, ["a", "", "b"]],
  [`"a"'b'c`, ["abc"]],
  [`'it'\\''s'`, ["it's"]],
  [`"say \\"hi\\""`, ['say "hi"']],
  [`"keep \\n and \\$HOME"`, ["keep \\n and $HOME"]],
  [`'no \\ escapes'`, ["no \\ escapes"]],
  [`echo $PORT ~ *.py`, ["echo", "$PORT", "~", "*.py"]],
  ["a\\\nb", ["ab"]],
  ["héllo wörld", ["héllo", "wörld"]],
];

for (const [input, expected] of cases) {
  Deno.test(`splitShellWords() splits ${JSON.stringify(input)}`, () => {
    assert.deepEqual(splitShellWords(input), expected);
  });
}

Deno.test("splitShellWords() reports an unterminated double quote with its column", () => {
  const error = assert.throws(() => splitShellWords(`run "oops`), ShellWordsError);
  void error;
  try {
    splitShellWords(`run "oops`);
  } catch (e) {
    assert.ok(e instanceof ShellWordsError);
    assert.equal(e.column, 5);
    assert.match(e.message, /unterminated double quote/);
  }
});

Deno.test("splitShellWords() reports an unterminated single quote with its column", () => {
  assert.throws(() => splitShellWords(`ab 'c`), (e: unknown) => {
    assert.ok(e instanceof ShellWordsError);
    assert.equal(e.column, 4);
    assert.match(e.message, /unterminated single quote/);
    return true;
  });
});

Deno.test("splitShellWords() rejects a trailing backslash", () => {
  assert.throws(() => splitShellWords(`abc\\`), (e: unknown) => {
    assert.ok(e instanceof ShellWordsError);
    assert.equal(e.column, 4);
    return true;
  });
});

Deno.test("quoteShellWords() round-trips through splitShellWords()", () => {
  const words = ["poetry", "run", "my script", "it's", "", "$HOME", 'a"b', "plain-word:1"];
  assert.deepEqual(splitShellWords(quoteShellWords(words)), words);
  assert.equal(quoteShellWords(["run", "my script"]), "run 'my script'");
});
