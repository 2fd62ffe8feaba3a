"""Compile the bytecode one process of an image imports, ahead of time.

The Poetry Run buildpack runs this program with `python -c`, under the process's own
interpreter and launch environment (so that its startup imports, .pth files and sys.path
are the process's), with a JSON request as its one argument; it prints a JSON report.

What it compiles: the modules the process can import, found statically from where it
starts (no module code runs): the modules imported at interpreter startup; every `import`
and `from ... import` of each module reached (in functions too; not under
`if TYPE_CHECKING:`); `import_module("x")` and `__import__("x")` with a literal name, and
with a literal prefix ending in `.` (`f"pkg.{name}"`) the whole package; each reached
module's package siblings (commands, codecs and plugins are imported by computed names);
vendored trees (`_vendor/` without `__init__.py`, put on sys.path at run time); and every
module under the directories in `whole` (the app). Not the standard library's interactive,
GUI and test packages.

Each module is written as a checked hash-based pyc (PEP 552) where
`importlib.util.cache_from_source` puts it under `tree` (PYTHONPYCACHEPREFIX at launch),
or, for sources outside `local`, at the same place under `deps_tree`: the layer the
buildpack keeps apart for them. A pyc already there whose header has this interpreter's
magic number and the source's hash is kept as it is; an index of what each source imports
(`index.read`, written to `index.write`), keyed by the source's hash, spares parsing the
sources that did not change. Files are parsed and compiled in parallel (fork).

Request: {"tree", "deps_tree"?, "local"?, "path0", "roots", "whole", "report",
"index": {"read": [...], "write"}?, "jobs"?}. Report: {"python", "tag", "modules",
"compiled", "reused", "bytes", "errors", "errorCount", "otherErrors", "pycs"}, or
{"python", "unsupported"}.
"""

import sys

# What the interpreter imported at startup, before this program imports anything more.
STARTUP = [(n, getattr(m, "__spec__", None)) for n, m in list(sys.modules.items()) if n != "__main__"]

import ast  # noqa: E402
import importlib.machinery as machinery  # noqa: E402
import importlib.util as util  # noqa: E402
import json  # noqa: E402
import marshal  # noqa: E402
import os  # noqa: E402
import sysconfig  # noqa: E402

INDEX_VERSION = 1
SKIP_STDLIB = {"test", "idlelib", "tkinter", "turtle", "turtledemo", "lib2to3", "ensurepip",
               "pydoc", "pydoc_data"}
VENDOR_DIRS = ("_vendor", "vendor", "_vendored")
CHECKED_HASH = 0b11


def is_type_checking(test):
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def str_prefix(node):
    """A string literal's text and True, or an f-string's or a sum's literal head and False."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, True
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return node.values[0].value, False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return str_prefix(node.left)[0], False
    return None, False


def imports(tree, pkg):
    """What a module imports: names found, `from x import y` maybes, and package prefixes."""
    found, maybe, prefixes = [], [], []
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and is_type_checking(child.test):
                stack.append(ast.Module(body=child.orelse, type_ignores=[]))
                continue
            if isinstance(child, ast.Import):
                found.extend(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = pkg.split(".") if pkg else []
                    up = child.level - 1
                    if up > len(base):
                        continue
                    base = base[: len(base) - up] + (child.module.split(".") if child.module else [])
                    mod = ".".join(base)
                else:
                    mod = child.module or ""
                if mod:
                    found.append(mod)
                    maybe.extend(mod + "." + a.name for a in child.names if a.name != "*")
            elif isinstance(child, ast.Call) and child.args:
                f = child.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
                if name in ("import_module", "__import__"):
                    text, whole = str_prefix(child.args[0])
                    if text and not text.startswith("."):
                        if whole:
                            found.append(text)
                        elif text.endswith("."):
                            prefixes.append(text[:-1])
            stack.append(child)
    return found, maybe, prefixes


class Trees:
    """Where each source's pyc goes: `tree`, or `deps_tree` for sources outside `local`."""

    def __init__(self, tree, deps_tree, local):
        self.tree = tree.rstrip("/")
        self.deps_tree = deps_tree.rstrip("/") if deps_tree else None
        self.local = local.rstrip("/") + "/" if local else None

    def pyc(self, source):
        cfile = util.cache_from_source(source)
        if self.deps_tree and self.local and not source.startswith(self.local):
            return self.deps_tree + cfile[len(self.tree):]
        return cfile


def header_matches(cfile, source_hash):
    """Whether the pyc at cfile is this interpreter's, checked hash-based, of this source."""
    try:
        with open(cfile, "rb") as f:
            head = f.read(16)
    except OSError:
        return False
    return (len(head) == 16 and head[:4] == util.MAGIC_NUMBER
            and int.from_bytes(head[4:8], "little") == CHECKED_HASH and head[8:] == source_hash)


def write_pyc(cfile, path, name, data, source_hash):
    code = machinery.SourceFileLoader(name, path).source_to_code(data, path)
    out = bytearray(util.MAGIC_NUMBER)
    out.extend(CHECKED_HASH.to_bytes(4, "little"))
    out.extend(source_hash)
    out.extend(marshal.dumps(code))
    os.makedirs(os.path.dirname(cfile), mode=0o755, exist_ok=True)
    tmp = cfile + "." + str(os.getpid()) + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    os.chmod(tmp, 0o644)
    os.replace(tmp, cfile)
    return len(out)


def analyse(job):
    """Reads one module: its imports (from the index when its hash is known), its pyc.

    Runs in a worker process; returns plain data only.
    """
    path, name, is_pkg, compile_it, text, cfile, known = job
    pkg = name if is_pkg else name.rpartition(".")[0]
    try:
        if text is None:
            with open(path, "rb") as f:
                data = f.read()
        else:
            data = text.encode()
        source_hash = util.source_hash(data)
        key = source_hash.hex()
        if known is not None and known[0] == key:
            found, maybe, prefixes = known[1], known[2], known[3]
        else:
            found, maybe, prefixes = imports(ast.parse(data, path), pkg)
        written = 0
        reused = False
        if compile_it:
            if header_matches(cfile, source_hash):
                reused = True
            else:
                written = write_pyc(cfile, path, name, data, source_hash)
        return job, key, (found, maybe, prefixes), written, reused, None
    except (SyntaxError, ValueError, OSError, UnicodeDecodeError, RecursionError, MemoryError) as e:
        return job, None, ([], [], []), 0, False, type(e).__name__ + ": " + str(e)


class Compiler:
    """One request's walk: what is found, what is pending, what was written."""

    def __init__(self, req):
        self.trees = Trees(req["tree"], req.get("deps_tree"), req.get("local"))
        self.report_dirs = tuple(d.rstrip("/") + "/" for d in req.get("report", []))
        self.stdlib = sysconfig.get_path("stdlib").rstrip("/") + "/"
        self.index = {}
        for path in (req.get("index") or {}).get("read", []):
            self.index.update(load_index(path))
        self.seen_index = {}
        self.specs = {}
        self.locations = {}
        self.done = set()
        self.pending = []
        self.sibling_dirs = set()
        self.stats = {"compiled": 0, "bytes": 0, "reused": 0, "modules": 0}
        self.errors = []
        self.pycs = []

    def find(self, name):
        if name in self.specs:
            return self.specs[name]
        spec = None
        parent = name.rpartition(".")[0]
        try:
            if parent:
                if self.find(parent) is not None and self.locations.get(parent):
                    spec = machinery.PathFinder.find_spec(name, self.locations[parent])
            elif name not in sys.builtin_module_names:
                spec = (machinery.FrozenImporter.find_spec(name)
                        or machinery.PathFinder.find_spec(name, sys.path))
        except Exception:
            spec = None
        if (spec is not None and spec.origin and spec.origin.startswith(self.stdlib)
                and name.partition(".")[0] in SKIP_STDLIB):
            spec = None
        return self.remember(name, spec)

    def remember(self, name, spec):
        if spec is not None and spec.submodule_search_locations is not None:
            # A namespace package's path would be recalculated from sys.modules: take it as found.
            found = getattr(spec.submodule_search_locations, "_path", spec.submodule_search_locations)
            self.locations[name] = [str(p) for p in found]
        self.specs[name] = spec
        return spec

    @staticmethod
    def source(spec):
        if spec.origin == "frozen":
            return getattr(getattr(spec, "loader_state", None), "filename", None), False
        if isinstance(spec.loader, machinery.SourceFileLoader):
            return spec.origin, True
        return None, False

    def add(self, path, name, is_pkg, compile_it, text=None):
        cfile = self.trees.pyc(path) if compile_it else None
        self.pending.append((path, name, is_pkg, compile_it, text, cfile, self.index.get(path)))

    def want_module(self, name):
        spec = self.find(name)
        if spec is None:
            return
        path, compile_it = self.source(spec)
        if path is None or path in self.done:
            return
        self.done.add(path)
        self.add(path, name, spec.submodule_search_locations is not None, compile_it)

    def want_file(self, path, name, is_pkg, compile_it=True):
        if path not in self.done:
            self.done.add(path)
            self.add(path, name, is_pkg, compile_it)

    def want_tree(self, directory, package, skip_venvs=False):
        for dirpath, dirnames, filenames in os.walk(directory):
            dirnames[:] = sorted(
                d for d in dirnames if d != "__pycache__" and not d.startswith(".")
                and not (skip_venvs and os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))))
            rel = os.path.relpath(dirpath, directory)
            parts = ([package] if package else []) + ([] if rel == "." else rel.split(os.sep))
            for fn in sorted(filenames):
                if fn.endswith(".py"):
                    is_pkg = fn == "__init__.py"
                    name = ".".join(parts + ([] if is_pkg else [fn[:-3]]))
                    self.want_file(os.path.join(dirpath, fn), name, is_pkg)

    def siblings(self, path, name, is_pkg):
        parent = name if is_pkg else name.rpartition(".")[0]
        if not parent or parent == "__main__":
            return
        d = os.path.dirname(path)
        if d in self.sibling_dirs:
            return
        self.sibling_dirs.add(d)
        try:
            entries = sorted(os.listdir(d))
        except OSError:
            return
        for fn in entries:
            if fn.endswith(".py") and fn != "__init__.py":
                self.want_module(parent + "." + fn[:-3])
            elif fn in VENDOR_DIRS and not os.path.exists(os.path.join(d, fn, "__init__.py")):
                self.want_tree(os.path.join(d, fn), "")

    def absorb(self, result):
        (path, name, is_pkg, compile_it, text, cfile, _known), key, found_imports, written, \
            reused, err = result
        self.stats["modules"] += 1
        if err is not None:
            self.errors.append((path, err))
            return
        if key is not None and text is None:
            self.seen_index[path] = [key, *found_imports]
        if compile_it:
            self.pycs.append(cfile)
            if reused:
                self.stats["reused"] += 1
            else:
                self.stats["compiled"] += 1
                self.stats["bytes"] += written
        found, maybe, prefixes = found_imports
        for mod in found:
            parts = mod.split(".")
            for i in range(1, len(parts) + 1):
                self.want_module(".".join(parts[:i]))
        for mod in maybe:
            parent = mod.rpartition(".")[0]
            if self.find(parent) is not None and parent in self.locations:
                self.want_module(mod)
        for pkg in prefixes:
            if self.find(pkg) is not None and self.locations.get(pkg):
                self.want_module(pkg)
                for location in self.locations[pkg]:
                    self.want_tree(location, pkg)
        self.siblings(path, name, is_pkg)

    def run(self, req):
        for n, spec in STARTUP:
            if spec is not None and n not in self.specs:
                self.remember(n, spec)
                self.want_module(n)
        for root in req["roots"]:
            if "module" in root:
                self.want_module(root["module"])
            elif "script" in root:
                self.want_file(root["script"], "__main__", False, compile_it=False)  # never from a pyc
            elif "code" in root:
                self.pending.append(("<string>", "__main__", False, False, root["code"], None, None))
        for directory in req.get("whole", []):
            self.want_tree(directory, "", skip_venvs=True)
        jobs = int(req.get("jobs") or os.cpu_count() or 1)
        parallel = jobs > 1 and len(self.pending) + len(STARTUP) > 20
        pool = None
        running = set()
        try:
            while self.pending or running:
                while self.pending:
                    job = self.pending.pop()
                    # A source the index knows is read and hashed here: most likely unchanged, it
                    # is cheaper than a round trip to a worker process.
                    if not parallel or job[6] is not None:
                        self.absorb(analyse(job))
                        continue
                    if pool is None:
                        import multiprocessing
                        from concurrent.futures import ProcessPoolExecutor
                        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
                    running.add(pool.submit(analyse, job))
                if running:
                    from concurrent.futures import FIRST_COMPLETED, wait
                    finished, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        self.absorb(future.result())
        finally:
            if pool is not None:
                pool.shutdown()

    def report(self):
        mine = [[p, e] for p, e in self.errors if p.startswith(self.report_dirs)]
        return {"python": sys.version.split()[0], "tag": sys.implementation.cache_tag,
                **self.stats, "errors": mine[:20], "errorCount": len(mine),
                "otherErrors": len(self.errors) - len(mine), "pycs": self.pycs}


def load_index(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("version") != INDEX_VERSION:
        return {}
    if doc.get("magic") != util.MAGIC_NUMBER.hex():
        return {}
    entries = doc.get("entries")
    return entries if isinstance(entries, dict) else {}


def save_index(path, entries):
    tmp = path + "." + str(os.getpid()) + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"version": INDEX_VERSION, "magic": util.MAGIC_NUMBER.hex(), "entries": entries}, f)
    os.replace(tmp, path)


def main(argv):
    req = json.loads(argv[1])
    if sys.implementation.cache_tag is None:
        json.dump({"python": sys.version.split()[0], "unsupported": "this Python writes no bytecode"},
                  sys.stdout)
        return
    sys.pycache_prefix = req["tree"]
    if sys.path and not (getattr(sys.flags, "safe_path", False) or sys.flags.isolated):
        sys.path[0] = req["path0"]
    compiler = Compiler(req)
    compiler.run(req)
    index = req.get("index")
    if index and index.get("write"):
        entries = load_index(index["write"])
        entries.update(compiler.seen_index)
        save_index(index["write"], entries)
    json.dump(compiler.report(), sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
