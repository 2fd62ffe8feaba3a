import assert from "node:assert/strict";
import { logicalLines, PythonSyntaxError } from "../../src/python/tokens.ts";
import { type Expr, outline, type Statement } from "../../src/python/outline.ts";

const texts = (source: string) => logicalLines(source).map((l) => l.tokens.map((t) => t.text));

Deno.test("logicalLines(): comments dropped, brackets and backslashes join lines, indentation measured", () => {
  const lines = logicalLines(
    "import os  # app = Flask()\n\nx = (1,\n     2)\nif x:\n\ty = \\\n  3\n",
  );
  assert.deepEqual(lines.map((l) => [l.line, l.indent, l.tokens.map((t) => t.text).join(" ")]), [
    [1, 0, "import os"],
    [3, 0, "x = ( 1 , 2 )"],
    [5, 0, "if x :"],
    [6, 8, "y = 3"],
  ]);
});

Deno.test("logicalLines(): every string form is one token; plain strings carry their value", () => {
  const src = [
    `a = 'x' "y" r'\\d' b"b" u'u' R"""multi`,
    `line""" f"{x!r:>{w}} {'nested' + "q"} {d['k']}" rb'\\x' t"{t}"`,
  ].join("\n");
  const [line] = logicalLines(src);
  const strings = line?.tokens.filter((t) => t.kind === "string") ?? [];
  assert.equal(strings.length, 9);
  assert.deepEqual(strings.map((t) => t.value), [
    "x",
    "y",
    "\\d",
    undefined,
    "u",
    "multi\nline",
    undefined,
    undefined,
    undefined,
  ]);
  assert.equal(logicalLines(`s = "a\\nb\\"c"`)[0]?.tokens[2]?.value, 'a\nb"c');
});

Deno.test("logicalLines(): what Python refuses is a PythonSyntaxError with the line", () => {
  for (
    const [src, line] of [
      ["x = 'open\n", 1],
      ['x = """never\nclosed\n', 1],
      ["x = (1,\n2\n", 1],
      ["x = 1)\n", 1],
      ["ok = 1\nx = $y\n", 2],
      ["\x00binary\xff = 1", 1],
      ["x = f'{unclosed'\n", 1],
    ] as const
  ) {
    assert.throws(
      () => logicalLines(src),
      (e: unknown) => e instanceof PythonSyntaxError && e.line === line,
      src,
    );
  }
});

Deno.test("logicalLines(): a UTF-8 BOM, CRLF, Unicode names and numbers", () => {
  assert.deepEqual(texts("\ufeffé = 1_000.5e-3j\r\nπ = 0x_ff\r\n"), [
    ["é", "=", "1_000.5e-3j"],
    ["π", "=", "0x_ff"],
  ]);
});

const kinds = (s: readonly Statement[]) => s.map((x) => `${x.kind}@${x.line}:${x.where}`);

Deno.test("outline(): module-level statements with where they run; functions, classes, TYPE_CHECKING and main guards", () => {
  const o = outline(`from typing import TYPE_CHECKING
import flask, falcon.asgi as fa
if TYPE_CHECKING:
    from x import Y
try:
    from gevent import monkey
except ImportError:
    monkey = None
app = flask.Flask(__name__)
@app.route("/")
def index(a, b=1):
    y = flask.Flask("y")
    def inner():
        return 3
    return y
class Config(Base):
    app = flask.Flask("in a class")
if __name__ == "__main__":
    app.run()
else:
    other = 1
with open("f") as f: data = f.read()
`);
  assert.deepEqual(kinds(o.statements), [
    "import@1:module",
    "import@2:module",
    "import@6:conditional",
    "assign@8:conditional",
    "assign@9:module",
    "def@11:module",
    "class@16:module",
    "expr@19:main",
    "assign@21:conditional",
    "assign@22:module",
    "assign@22:conditional",
  ]);
  const def = o.statements[5];
  assert.ok(def?.kind === "def");
  assert.equal(def.noArgs, false);
  assert.deepEqual(def.assigns.map((a) => a.name), ["y"]);
  assert.deepEqual(def.returns, [{ kind: "name", path: ["y"] }]);
  const imports = o.statements.filter((s) => s.kind === "import").flatMap((s) => s.binds);
  assert.deepEqual(imports.map((b) => `${b.local}=${b.target}`), [
    "TYPE_CHECKING=typing.TYPE_CHECKING",
    "flask=flask",
    "fa=falcon.asgi",
    "monkey=gevent.monkey",
  ]);
});

Deno.test("outline(): expressions: names, calls with keywords, strings, tuples; the rest is other with its names", () => {
  const o = outline(`app = Flask(__name__, static_folder="s", *a)
app, rt = fast_app()
x = 1 + foo(bar)
from .. import views as v
from .factory import (create_app,
    other as o)
from fasthtml.common import *
app.mount("/v1", sub)
def create_app(config=None, *, debug=False, **kw): return Flask(__name__)
async def make(a): pass
`);
  const [a, b, c, d, e, f, g, h, i] = o.statements;
  const call: Expr = {
    kind: "call",
    func: { kind: "name", path: ["Flask"] },
    args: [{ kind: "name", path: ["__name__"] }],
    keywords: [{ name: "static_folder", value: { kind: "str", value: "s" } }],
    star: true,
  };
  assert.ok(a?.kind === "assign");
  assert.deepEqual(a.value, call);
  assert.ok(b?.kind === "assign");
  assert.equal(b.targets[0]?.kind, "tuple");
  assert.ok(c?.kind === "assign");
  assert.equal(c.value.kind, "other");
  assert.deepEqual(c.refs, ["x", "foo", "bar"]);
  assert.ok(d?.kind === "import" && e?.kind === "import" && f?.kind === "import");
  assert.deepEqual(d.binds, [{ local: "v", target: "..views" }]);
  assert.deepEqual(e.binds.map((x) => x.target), [".factory.create_app", ".factory.other"]);
  assert.equal(f.star, "fasthtml.common");
  assert.ok(g?.kind === "expr");
  assert.deepEqual(g.refs, ["app.mount", "sub"]);
  assert.ok(h?.kind === "def" && i?.kind === "def");
  assert.equal(h.noArgs, true);
  assert.equal(h.returns[0]?.kind, "call");
  assert.equal(i.async, true);
  assert.equal(i.noArgs, false);
});

Deno.test("outline(): strings and comments that look like code are not code", () => {
  const o = outline(`"""
app = Flask(__name__)
"""
# app = Flask(__name__)
text = "app = Flask(__name__)"
`);
  assert.deepEqual(kinds(o.statements), ["expr@1:module", "assign@5:module"]);
  const s = o.statements[1];
  assert.ok(s?.kind === "assign");
  assert.deepEqual(s.value, { kind: "str", value: "app = Flask(__name__)" });
});

Deno.test("outline(): match statements and soft keywords used as names", () => {
  const o = outline(`match = re.match("a", s)
match command:
    case "serve":
        app = Flask("x")
case = 1
`);
  assert.deepEqual(kinds(o.statements), [
    "assign@1:module",
    "assign@4:conditional",
    "assign@5:module",
  ]);
});
