/**
 * The bytecode worker, run for real by the machine's CPython on a small tree:
 * what it finds, what it writes, and that Python then reads every pyc it wrote.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { compileBytecode, type CompileJob, type CompileResult } from "../../src/python/bytecode.ts";
import { tempDir } from "../../kit/files.ts";

const dec = new TextDecoder();

/** The real interpreter behind `python3` on PATH (pyenv's shim is a shell script). */
const PYTHON = dec.decode(
  new Deno.Command("python3", { args: ["-c", "import sys; print(sys.executable)"] }).outputSync()
    .stdout,
).trim();
const STDLIB = dec.decode(
  new Deno.Command(PYTHON, {
    args: ["-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
  })
    .outputSync().stdout,
).trim();
const TAG = dec.decode(
  new Deno.Command(PYTHON, { args: ["-c", "import sys; print(sys.implementation.cache_tag)"] })
    .outputSync().stdout,
).trim();

async function files(dir: string, entries: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(entries)) {
    await Deno.mkdir(join(dir, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, name), text);
  }
}

/** The fixture: a site directory, an app, and a console script. */
async function fixture(root: string): Promise<{ site: string; app: string; script: string }> {
  const site = join(root, "site");
  const app = join(root, "app");
  await files(site, {
    "pkg/__init__.py": "from . import core\n",
    "pkg/core.py": [
      "import json",
      "from typing import TYPE_CHECKING",
      "if TYPE_CHECKING:",
      "    import typing_only",
      "else:",
      "    import runtime_only",
      "def later():",
      "    import lazy_mod",
      "def plugin(name):",
      "    import importlib",
      '    return importlib.import_module(f"pkg.plugins.{name}")',
      "",
    ].join("\n"),
    "pkg/extra.py": "X = 1\n",
    "pkg/plugins/__init__.py": "",
    "pkg/plugins/deep/a.py": "A = 1\n",
    "pkg/plugins/b.py": "B = 1\n",
    "typing_only.py": "",
    "runtime_only.py": "",
    "lazy_mod.py": "",
    "unrelated.py": "",
    "vend/__init__.py":
      "import sys, os\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), '_vendor'))\nimport vlib\n",
    "vend/_vendor/vlib/__init__.py": "V = 1\n",
  });
  await files(app, {
    "main.py": "import pkg\n",
    "broken.py": "def f(:\n",
    "sub/__init__.py": "from .helper import H\n",
    "sub/helper.py": "H = 1\n",
    ".hidden/skip.py": "",
  });
  const script = join(root, "bin", "web");
  await files(root, { "bin/web": `#!${PYTHON}\nfrom pkg import core\nimport vend\n` });
  return { site, app, script };
}

const pycOf = (tree: string, source: string) =>
  join(tree, source.replace(/\.py$/, `.${TAG}.pyc`).replace(/^\//, ""));

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function listTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) { for (const [k, v] of await listTree(p)) out.set(k, v); }
    else {
      const info = await Deno.stat(p);
      out.set(p, `${info.size}:${info.mtime?.getTime()}`);
    }
  }
  return out;
}

/** The trees of one compile: the app's pycs (and links), the others', the index. */
function treesOf(root: string) {
  return {
    tree: join(root, "layer", "pycache"),
    depsTree: join(root, "deps", "pycache"),
    indexDir: join(root, "index"),
  };
}

function webJob(root: string): CompileJob {
  return {
    label: "web",
    run: {
      interpreter: PYTHON,
      flags: [],
      path0: join(root, "bin"),
      roots: [{ script: join(root, "bin", "web") }],
    },
    env: { PATH: "/usr/bin:/bin", PYTHONPATH: join(root, "site") },
  };
}

async function compile(root: string): Promise<{ tree: string; result: CompileResult }> {
  await fixture(root);
  const trees = treesOf(root);
  const result = await compileBytecode({
    ...trees,
    appDir: join(root, "app"),
    jobs: [webJob(root)],
  });
  return { tree: trees.tree, result };
}

const again = (root: string) =>
  compileBytecode({ ...treesOf(root), appDir: join(root, "app"), jobs: [webJob(root)] });

Deno.test("the bytecode worker on a small tree", async (t) => {
  await using dir = await tempDir();
  const { tree, result } = await compile(dir.path);
  const reports = result.reports;
  const site = join(dir.path, "site");
  const app = join(dir.path, "app");
  await t.step("it compiles what a start can import, as checked hash-based pycs", async () => {
    const [report] = reports;
    assert.ok(report?.ok, JSON.stringify(report));
    const wanted = [
      "pkg/__init__.py",
      "pkg/core.py",
      "pkg/extra.py", // a sibling: packages import their modules by computed names
      "pkg/plugins/b.py", // import_module(f"pkg.plugins.{name}"): the whole package
      "pkg/plugins/deep/a.py",
      "runtime_only.py", // the else branch of `if TYPE_CHECKING:`
      "lazy_mod.py", // imported in a function
      "vend/_vendor/vlib/__init__.py", // vendored: put on sys.path at run time
    ].map((f) => join(site, f));
    wanted.push(
      join(app, "main.py"),
      join(app, "sub", "__init__.py"),
      join(app, "sub", "helper.py"),
      // A module of a package imported at interpreter startup (codecs are looked up by name).
      join(STDLIB, "encodings", "idna.py"),
    );
    for (const source of wanted) assert.ok(await exists(pycOf(tree, source)), source);
    const unwanted = ["typing_only.py", "unrelated.py"].map((f) => join(site, f));
    unwanted.push(join(app, "broken.py"), join(app, ".hidden", "skip.py"));
    for (const source of unwanted) assert.equal(await exists(pycOf(tree, source)), false, source);
    assert.equal(await exists(join(tree, dir.path.slice(1), "bin")), false, "no pyc of the script");
    assert.ok(report.compiled > wanted.length, "the standard library's json too");
    const pyc = await Deno.readFile(pycOf(tree, join(site, "pkg", "core.py")));
    assert.equal(new DataView(pyc.buffer).getUint32(4, true), 0b11, "hash-based, checked");
    assert.equal(report.errorCount, 1);
    assert.deepEqual(report.errors.map(([f]) => f), [join(app, "broken.py")]);
    assert.match(report.errors[0]?.[1] ?? "", /^SyntaxError: /);
  });

  await t.step("Python reads every pyc it wrote, and writes none of its own", async () => {
    const before = await listTree(tree);
    const out = await new Deno.Command(PYTHON, {
      args: [join(dir.path, "bin", "web")],
      env: { PYTHONPATH: site, PYTHONPYCACHEPREFIX: tree },
      clearEnv: true,
      cwd: app,
    }).output();
    assert.equal(out.code, 0, dec.decode(out.stderr));
    const more = await new Deno.Command(PYTHON, {
      args: ["-c", "import pkg.core; pkg.core.later(); pkg.core.plugin('b'); import main, sub"],
      env: { PYTHONPATH: `${site}:${app}`, PYTHONPYCACHEPREFIX: tree },
      clearEnv: true,
      cwd: dir.path,
    }).output();
    assert.equal(more.code, 0, dec.decode(more.stderr));
    assert.deepEqual(await listTree(tree), before, "no pyc added or rewritten");
  });

  await t.step(
    "the app's pycs are in the tree, the others in the deps tree, linked in",
    async () => {
      const deps = treesOf(dir.path).depsTree;
      assert.ok(await exists(pycOf(deps, join(site, "pkg", "core.py"))));
      assert.ok(await exists(pycOf(deps, join(STDLIB, "json", "__init__.py"))));
      const top = dir.path.split("/")[1] as string;
      // The app and the site share their top directories here, so the links are deeper down.
      assert.ok((await Deno.lstat(join(tree, dir.path.slice(1), "site"))).isSymlink);
      assert.ok((await Deno.lstat(join(tree, dir.path.slice(1), "app"))).isDirectory);
      assert.ok((await Deno.lstat(join(tree, top))).isDirectory);
    },
  );

  await t.step(
    "a second run compiles nothing, keeps every pyc byte for byte, reads no source twice",
    async () => {
      const before = await listTree(tree);
      const deps = await listTree(treesOf(dir.path).depsTree);
      const second = await again(dir.path);
      const [r] = second.reports;
      assert.ok(r?.ok, JSON.stringify(r));
      assert.equal(r.compiled, 0);
      assert.equal(r.reused, reports[0]?.ok ? reports[0].compiled : -1);
      assert.equal(second.removed, 0);
      assert.deepEqual(await listTree(tree), before);
      assert.deepEqual(await listTree(treesOf(dir.path).depsTree), deps);
    },
  );

  await t.step(
    "an edited app file is compiled again; a module no longer imported is removed",
    async () => {
      await Deno.writeTextFile(join(app, "sub", "helper.py"), "H = 2\n");
      await Deno.writeTextFile(join(dir.path, "bin", "web"), `#!${PYTHON}\nimport pkg.extra\n`);
      await Deno.remove(join(site, "lazy_mod.py"));
      const third = await again(dir.path);
      const [r] = third.reports;
      assert.ok(r?.ok, JSON.stringify(r));
      assert.equal(r.compiled, 1, "sub/helper.py only");
      assert.equal(
        await exists(pycOf(treesOf(dir.path).depsTree, join(site, "lazy_mod.py"))),
        false,
      );
      assert.ok(third.removed >= 1);
      const out = await new Deno.Command(PYTHON, {
        args: ["-c", "import sub.helper; print(sub.helper.H)"],
        env: { PYTHONPATH: app, PYTHONPYCACHEPREFIX: tree },
        clearEnv: true,
        cwd: dir.path,
      }).output();
      assert.equal(dec.decode(out.stdout), "2\n");
    },
  );

  await t.step("the index spares parsing a source whose hash it knows", async () => {
    // An index entry claiming that runtime_only.py imports unrelated: trusted, since the hash matches.
    const index = join(treesOf(dir.path).indexDir, "index.json");
    const doc = JSON.parse(await Deno.readTextFile(index));
    const key = join(site, "runtime_only.py");
    assert.ok(Array.isArray(doc.entries[key]), "runtime_only.py is indexed");
    doc.entries[key][1] = ["unrelated"];
    await Deno.writeTextFile(index, JSON.stringify(doc));
    await again(dir.path);
    assert.ok(await exists(pycOf(treesOf(dir.path).depsTree, join(site, "unrelated.py"))));
  });
});

Deno.test("compileBytecode() reports an interpreter that does not exist, and goes on", async () => {
  await using dir = await tempDir();
  const { reports } = await compileBytecode({
    ...treesOf(dir.path),
    appDir: dir.path,
    jobs: [{
      label: "gone",
      run: { interpreter: join(dir.path, "no-python"), flags: [], path0: "", roots: [] },
      env: {},
    }, {
      label: "real",
      run: { interpreter: PYTHON, flags: [], path0: "", roots: [{ code: "import json" }] },
      env: {},
    }],
  });
  assert.equal(reports[0]?.ok, false);
  assert.match(
    (reports[0] as { reason: string }).reason,
    /no-python failed: FileNotFoundError/,
  );
  assert.ok(reports[1]?.ok && reports[1].compiled > 0, JSON.stringify(reports[1]));
});
