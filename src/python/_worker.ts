/**
 * The Python program that compiles one process's bytecode. It runs under that
 * process's own interpreter with the process's launch environment (so its
 * startup imports, `.pth` files and `sys.path` are the process's), is given
 * a JSON request as its argument, and prints a JSON report.
 *
 * What it compiles: the modules the process can import, found statically
 * from where it starts (no module code runs): the modules imported at
 * interpreter startup; every `import`/`from … import` in each module reached
 * (in functions too; not under `if TYPE_CHECKING:`); `import_module("x")` and
 * `__import__("x")` with a literal name, and with a literal prefix ending in
 * `.` (`f"pkg.{name}"`) the whole package; each reached module's package
 * siblings (commands, codecs and plugins are imported by computed names);
 * vendored trees (`_vendor/` without `__init__.py`, put on `sys.path` at run
 * time); and every module under the directories in `whole` (the app). Not
 * the standard library's interactive, GUI and test packages.
 *
 * Each module is read once: parsed for its imports, compiled as the import
 * system compiles it (`SourceFileLoader.source_to_code`), and written as a
 * checked hash-based pyc (PEP 552) where `importlib.util.cache_from_source`
 * puts it under `sys.pycache_prefix`; files run in parallel on every core
 * (fork). A pyc already in the tree is kept.
 *
 * @module
 */

/** The worker's source, run with `python -c`. */
export const WORKER_SOURCE: string = String.raw`
import sys

STARTUP = [(n, getattr(m, "__spec__", None)) for n, m in list(sys.modules.items()) if n != "__main__"]

import ast, json, marshal, os, sysconfig
import importlib.machinery as machinery
import importlib.util as util

REQ = json.loads(sys.argv[1])
if sys.implementation.cache_tag is None:
    json.dump({"python": sys.version.split()[0], "unsupported": "this Python writes no bytecode"}, sys.stdout)
    sys.exit(0)
sys.pycache_prefix = REQ["prefix"]
if sys.path and not (getattr(sys.flags, "safe_path", False) or sys.flags.isolated):
    sys.path[0] = REQ["path0"]
REPORT = tuple(d.rstrip("/") + "/" for d in REQ.get("report", []))
STDLIB = sysconfig.get_path("stdlib").rstrip("/") + "/"
SKIP_STDLIB = {"test", "idlelib", "tkinter", "turtle", "turtledemo", "lib2to3", "ensurepip",
               "pydoc", "pydoc_data"}
VENDOR_DIRS = ("_vendor", "vendor", "_vendored")


def is_type_checking(test):
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def str_prefix(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, True
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return node.values[0].value, False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return str_prefix(node.left)[0], False
    return None, False


def imports(tree, pkg):
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


def pyc(path, name, data):
    code = machinery.SourceFileLoader(name, path).source_to_code(data, path)
    out = bytearray(util.MAGIC_NUMBER)
    out.extend((0b11).to_bytes(4, "little"))
    out.extend(util.source_hash(data))
    out.extend(marshal.dumps(code))
    cfile = util.cache_from_source(path)
    os.makedirs(os.path.dirname(cfile), mode=0o755, exist_ok=True)
    tmp = cfile + "." + str(os.getpid()) + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    os.chmod(tmp, 0o644)
    os.replace(tmp, cfile)
    return len(out)


def analyse(job):
    path, name, is_pkg, compile_it, text = job
    pkg = name if is_pkg else name.rpartition(".")[0]
    try:
        if text is None:
            with open(path, "rb") as f:
                data = f.read()
        else:
            data = text.encode()
        found, maybe, prefixes = imports(ast.parse(data, path), pkg)
        written = 0
        if compile_it:
            written = -1 if os.path.exists(util.cache_from_source(path)) else pyc(path, name, data)
        return job, found, maybe, prefixes, written, None
    except (SyntaxError, ValueError, OSError, UnicodeDecodeError, RecursionError, MemoryError) as e:
        return job, [], [], [], 0, type(e).__name__ + ": " + str(e)


specs = {}
locations = {}


def find(name):
    if name in specs:
        return specs[name]
    spec = None
    parent = name.rpartition(".")[0]
    try:
        if parent:
            if find(parent) is not None and locations.get(parent):
                spec = machinery.PathFinder.find_spec(name, locations[parent])
        elif name not in sys.builtin_module_names:
            spec = (machinery.FrozenImporter.find_spec(name)
                    or machinery.PathFinder.find_spec(name, sys.path))
    except Exception:
        spec = None
    if (spec is not None and spec.origin and spec.origin.startswith(STDLIB)
            and name.partition(".")[0] in SKIP_STDLIB):
        spec = None
    return remember(name, spec)


def remember(name, spec):
    if spec is not None and spec.submodule_search_locations is not None:
        # A namespace package's path would be recalculated from sys.modules: take it as found.
        found = getattr(spec.submodule_search_locations, "_path", spec.submodule_search_locations)
        locations[name] = [str(p) for p in found]
    specs[name] = spec
    return spec


def source(spec):
    if spec.origin == "frozen":
        return getattr(getattr(spec, "loader_state", None), "filename", None), False
    if isinstance(spec.loader, machinery.SourceFileLoader):
        return spec.origin, True
    return None, False


done = set()
pending = []
sibling_dirs = set()
stats = {"compiled": 0, "bytes": 0, "present": 0, "modules": 0}
errors = []


def want_module(name):
    spec = find(name)
    if spec is None:
        return
    path, compile_it = source(spec)
    if path is None or path in done:
        return
    done.add(path)
    pending.append((path, name, spec.submodule_search_locations is not None, compile_it, None))


def want_file(path, name, is_pkg, compile_it=True):
    if path not in done:
        done.add(path)
        pending.append((path, name, is_pkg, compile_it, None))


def want_tree(directory, package, skip_venvs=False):
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith(".")
                             and not (skip_venvs and os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))))
        rel = os.path.relpath(dirpath, directory)
        parts = ([package] if package else []) + ([] if rel == "." else rel.split(os.sep))
        for fn in sorted(filenames):
            if fn.endswith(".py"):
                is_pkg = fn == "__init__.py"
                want_file(os.path.join(dirpath, fn), ".".join(parts + ([] if is_pkg else [fn[:-3]])), is_pkg)


def siblings(path, name, is_pkg):
    parent = name if is_pkg else name.rpartition(".")[0]
    if not parent or parent == "__main__":
        return
    d = os.path.dirname(path)
    if d in sibling_dirs:
        return
    sibling_dirs.add(d)
    try:
        entries = sorted(os.listdir(d))
    except OSError:
        return
    for fn in entries:
        if fn.endswith(".py") and fn != "__init__.py":
            want_module(parent + "." + fn[:-3])
        elif fn in VENDOR_DIRS and not os.path.exists(os.path.join(d, fn, "__init__.py")):
            want_tree(os.path.join(d, fn), "")


def absorb(result):
    (path, name, is_pkg, compile_it, _), found, maybe, prefixes, written, err = result
    stats["modules"] += 1
    if err is not None:
        errors.append((path, err))
        return
    if written < 0:
        stats["present"] += 1
    elif compile_it:
        stats["compiled"] += 1
        stats["bytes"] += written
    for mod in found:
        parts = mod.split(".")
        for i in range(1, len(parts) + 1):
            want_module(".".join(parts[:i]))
    for mod in maybe:
        if find(mod.rpartition(".")[0]) is not None and mod.rpartition(".")[0] in locations:
            want_module(mod)
    for pkg in prefixes:
        if find(pkg) is not None and locations.get(pkg):
            want_module(pkg)
            for location in locations[pkg]:
                want_tree(location, pkg)
    siblings(path, name, is_pkg)


for n, spec in STARTUP:
    if spec is not None and n not in specs:
        remember(n, spec)
        want_module(n)
for root in REQ["roots"]:
    if "module" in root:
        want_module(root["module"])
    elif "script" in root:
        want_file(root["script"], "__main__", False, compile_it=False)  # never read from a pyc
    elif "code" in root:
        pending.append(("<string>", "__main__", False, False, root["code"]))
for directory in REQ.get("whole", []):
    want_tree(directory, "", skip_venvs=True)

jobs = int(REQ.get("jobs") or os.cpu_count() or 1)
if jobs > 1 and len(pending) + len(STARTUP) > 20:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        running = set()
        while pending or running:
            while pending:
                running.add(pool.submit(analyse, pending.pop()))
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                absorb(future.result())
else:
    while pending:
        absorb(analyse(pending.pop()))

mine = [[p, e] for p, e in errors if p.startswith(REPORT)]
json.dump({"python": sys.version.split()[0], "tag": sys.implementation.cache_tag, **stats,
           "errors": mine[:20], "errorCount": len(mine), "otherErrors": len(errors) - len(mine)},
          sys.stdout)
`;
