import assert from "node:assert/strict";
import { join } from "node:path";
import { parseToml } from "../../src/cnb/toml.ts";
import {
  evaluateMarker,
  evaluateOverPythons,
  linuxCPython,
  MarkerSyntaxError,
  pythonMinors,
} from "../../src/python/markers.ts";
import { normalizeName, parseRequirement } from "../../src/python/requirement.ts";
import { installedDistributions, installGroups } from "../../src/poetry/dependencies.ts";
import { REPO_ROOT } from "../../kit/paths.ts";

const linux = { values: linuxCPython("amd64"), extras: new Set<string>() };

Deno.test("evaluateMarker(): known values decide, unknown ones give undefined; and/or in three values", () => {
  const cases: [string, boolean | undefined][] = [
    ['sys_platform == "linux"', true],
    ["sys_platform == 'win32'", false],
    ['platform_system != "Windows" and os_name == "posix"', true],
    ['platform_machine == "x86_64"', true],
    ['python_version < "3.11"', undefined],
    ['python_version < "3.11" and sys_platform == "win32"', false],
    ['python_version < "3.11" or sys_platform == "linux"', true],
    ['(python_version < "3.11" or sys_platform == "win32") and os_name == "posix"', undefined],
    ['"linux" in sys_platform', true],
    ['sys_platform not in "win32 cygwin"', true],
    ['extra == "standard"', false],
    ['implementation_name == "cpython" and platform_python_implementation != "PyPy"', true],
    ["", true],
  ];
  for (const [marker, expected] of cases) {
    assert.equal(evaluateMarker(marker, linux), expected, marker);
  }
  const withExtra = { values: linux.values, extras: new Set(["standard"]) };
  assert.equal(evaluateMarker('extra == "Standard"', withExtra), true);
  assert.equal(
    evaluateMarker('python_version >= "3.10"', {
      values: { python_version: "3.11" },
      extras: new Set(),
    }),
    true,
  );
  for (
    const bad of ['sys_platform = "x"', "foo == 'x'", "sys_platform ==", '(os_name == "posix"']
  ) {
    assert.throws(() => evaluateMarker(bad, linux), MarkerSyntaxError, bad);
  }
});

Deno.test("linuxCPython(): the run image's platform; the machine only when the target architecture is known", () => {
  assert.equal(linuxCPython("arm64").platform_machine, "aarch64");
  assert.equal(linuxCPython().platform_machine, undefined);
  assert.equal(linuxCPython().sys_platform, "linux");
});

Deno.test("pythonMinors(): PEP 440 and Poetry constraints as the CPython minors they allow", () => {
  assert.deepEqual(pythonMinors(">=3.10,<3.13"), ["3.10", "3.11", "3.12"]);
  assert.deepEqual(pythonMinors("^3.11")?.slice(0, 2), ["3.11", "3.12"]);
  assert.deepEqual(pythonMinors("~3.10"), ["3.10"]);
  assert.deepEqual(pythonMinors("3.11.*"), ["3.11"]);
  assert.deepEqual(pythonMinors(">=3.9 <3.11"), ["3.9", "3.10"]);
  assert.deepEqual(pythonMinors("<3.8 || >=3.15"), ["3.6", "3.7", "3.15", "3.16"]);
  assert.equal(pythonMinors("not a constraint"), undefined);
  assert.ok((pythonMinors(undefined) ?? []).includes("3.12"));
});

Deno.test("evaluateOverPythons(): one result per possible Python", () => {
  assert.deepEqual(
    evaluateOverPythons('python_version >= "3.11"', linux, ["3.10", "3.11"]),
    [false, true],
  );
  assert.deepEqual(evaluateOverPythons('python_version >= "3.11"', linux, []), [undefined]);
});

Deno.test("parseRequirement(): name, extras, marker; names normalized", () => {
  assert.deepEqual(parseRequirement("uvicorn[standard]>=0.30"), {
    name: "uvicorn",
    extras: ["standard"],
    marker: "",
  });
  assert.deepEqual(parseRequirement('Flask_SQLAlchemy (>=3) ; python_version >= "3.9"'), {
    name: "flask-sqlalchemy",
    extras: [],
    marker: 'python_version >= "3.9"',
  });
  assert.deepEqual(parseRequirement("pkg @ https://example.invalid/pkg.whl ; os_name == 'posix'"), {
    name: "pkg",
    extras: [],
    marker: "os_name == 'posix'",
  });
  assert.equal(parseRequirement("  "), undefined);
  assert.equal(normalizeName("Zope.Interface__x"), "zope-interface-x");
});

Deno.test("installGroups(): BP_POETRY_INSTALL_ONLY as Poetry's --only, default main", () => {
  assert.deepEqual(installGroups(undefined), ["main"]);
  assert.deepEqual(installGroups(" "), ["main"]);
  assert.deepEqual(installGroups("main, web"), ["main", "web"]);
});

const installed = (py: string, groups = ["main"], lock?: string) =>
  installedDistributions(
    parseToml(py),
    lock === undefined ? undefined : parseToml(lock),
    groups,
    linux,
  );

Deno.test("installedDistributions() without a lock: PEP 621 and Poetry tables, groups, markers, optional, known extras", () => {
  const pep621 = installed(`[project]
requires-python = ">=3.10"
dependencies = [
  "Flask>=3",
  "gunicorn; sys_platform != 'win32'",
  "waitress; sys_platform == 'win32'",
  "hypercorn; python_version < '3.11'",
  "fastapi[standard]",
]
[tool.poetry.dependencies]
uvicorn = "*"  # ignored: [project.dependencies] is set
`);
  assert.equal(pep621.get("flask")?.present, true);
  assert.equal(pep621.get("gunicorn")?.present, true);
  assert.equal(pep621.get("waitress"), undefined);
  assert.equal(pep621.get("hypercorn")?.present, undefined, "only on 3.10 of >=3.10");
  assert.equal(pep621.get("uvicorn")?.present, true, "through fastapi[standard]");
  assert.match(pep621.get("uvicorn")?.why ?? "", /fastapi\[standard\], which requires uvicorn/);

  const poetry = `[tool.poetry.dependencies]
python = "^3.11"
django = "^5"
gunicorn = { version = "*", markers = "sys_platform == 'linux'" }
uvicorn = { version = "*", optional = true }
hypercorn = [{ version = "*", python = "<3.12" }, { version = "*", python = ">=3.12" }]
quart = "*"
[tool.poetry.group.dev.dependencies]
waitress = "*"
[tool.poetry.extras]
asgi = ["uvicorn"]
`;
  const main = installed(poetry);
  assert.equal(main.get("django")?.present, true);
  assert.equal(main.get("gunicorn")?.present, true);
  assert.equal(main.get("uvicorn"), undefined, "optional: only with the project's extras");
  assert.equal(
    main.get("hypercorn")?.present,
    true,
    "the two constraints cover every allowed Python",
  );
  assert.equal(main.get("waitress"), undefined, "dev group not installed");
  assert.equal(installed(poetry, ["main", "dev"]).get("waitress")?.present, true);
  assert.equal(installed(poetry, ["dev"]).get("django"), undefined);
  assert.equal(
    installed("[tool.poetry.dev-dependencies]\ngunicorn = '*'\n", ["dev"]).get("gunicorn")?.present,
    true,
  );
  assert.equal(
    installed('[dependency-groups]\nweb = ["gunicorn"]\n', ["web"]).get("gunicorn")?.present,
    true,
  );
  assert.equal(
    installed(
      '[project]\ndynamic = ["dependencies"]\ndependencies = []\n[tool.poetry.dependencies]\ngunicorn = "*"\n',
    ).get("gunicorn")?.present,
    true,
  );
});

Deno.test("installedDistributions() with a lock 2.1 (groups, markers): one name locked per Python range is certain", async () => {
  const dir = join(REPO_ROOT, "tests", "fixtures", "locks");
  const read = async (app: string) =>
    [
      await Deno.readTextFile(join(dir, app, "pyproject.toml")),
      await Deno.readTextFile(join(dir, app, "poetry.lock")),
    ] as const;
  const [fpy, flock] = await read("fastapi_standard");
  const fast = installed(fpy, ["main"], flock);
  assert.equal(fast.get("uvicorn")?.present, true);
  assert.match(fast.get("uvicorn")?.why ?? "", /^poetry\.lock: uvicorn .* \(main\)$/);
  assert.equal(fast.get("uvloop")?.present, true, "linux CPython");
  assert.equal(fast.get("colorama"), undefined, "Windows only");
  assert.equal(fast.get("exceptiongroup")?.present, undefined, "python_version < 3.11 of >=3.9");

  const [dpy, dlock] = await read("dev_gunicorn");
  assert.equal(installed(dpy, ["main"], dlock).get("gunicorn"), undefined);
  assert.equal(installed(dpy, ["main", "dev"], dlock).get("gunicorn")?.present, true);
});

Deno.test("installedDistributions() with an older lock (no groups): the closure through dependencies and extras", async () => {
  const dir = join(REPO_ROOT, "tests", "fixtures", "locks", "fastapi_standard");
  const lock = parseToml(await Deno.readTextFile(join(dir, "poetry.lock")));
  for (const p of lock.package as Record<string, unknown>[]) {
    delete p.groups;
    delete p.markers;
  }
  const py = parseToml(await Deno.readTextFile(join(dir, "pyproject.toml")));
  const found = installedDistributions(py, lock, ["main"], linux);
  assert.equal(found.get("uvicorn")?.present, true);
  assert.match(found.get("uvicorn")?.why ?? "", /fastapi\[standard\], which requires uvicorn/);
  assert.equal(found.get("uvloop")?.present, true, "uvicorn[standard] on linux");
  assert.equal(found.get("colorama"), undefined);

  const small = installedDistributions(
    parseToml('[tool.poetry.dependencies]\nweb = "*"\n'),
    parseToml(`[[package]]
name = "web"
version = "1"
[package.dependencies]
gunicorn = {version = "*", markers = "sys_platform == 'win32'"}
flask = "*"
[[package]]
name = "gunicorn"
version = "2"
[[package]]
name = "flask"
version = "3"
`),
    ["main"],
    linux,
  );
  assert.deepEqual([...small.keys()].sort(), ["flask", "web"]);
});
