import assert from "node:assert/strict";
import { join } from "node:path";
import {
  isPythonName,
  parsePythonArgs,
  parseShebang,
  pythonRun,
} from "../../src/python/invocation.ts";
import { tempDir } from "../../kit/files.ts";

Deno.test("parseShebang() gives the interpreter and at most one argument, as Linux does", () => {
  assert.deepEqual(parseShebang("#!/usr/bin/python3\nimport x\n"), {
    interpreter: "/usr/bin/python3",
  });
  assert.deepEqual(parseShebang("#! /usr/bin/env python3 -u  \r\n"), {
    interpreter: "/usr/bin/env",
    arg: "python3 -u",
  });
  assert.equal(parseShebang("import sys\n"), undefined);
  assert.equal(parseShebang("#!\n"), undefined);
});

Deno.test("isPythonName() knows CPython's interpreter names only", () => {
  for (const ok of ["python", "python3", "/x/bin/python3.11"]) assert.ok(isPythonName(ok), ok);
  for (const no of ["pythonw", "python3-config", "ipython", "poetry"]) {
    assert.equal(isPythonName(no), false, no);
  }
});

Deno.test("parsePythonArgs() reads options, then -c, -m, a script or nothing", () => {
  assert.deepEqual(parsePythonArgs(["-u", "-m", "gunicorn", "app:app"]), {
    flags: [],
    root: { module: "gunicorn" },
  });
  assert.deepEqual(parsePythonArgs(["-Im", "app"]), { flags: ["-I"], root: { module: "app" } });
  assert.deepEqual(parsePythonArgs(["-W", "ignore", "-X", "dev", "-O", "app.py", "-m"]), {
    flags: ["-O"],
    root: { script: "app.py" },
  });
  assert.deepEqual(parsePythonArgs(["-cimport x"]), { flags: [], root: { code: "import x" } });
  assert.deepEqual(parsePythonArgs(["-E", "-s"]), { flags: ["-E", "-s"] });
  assert.deepEqual(parsePythonArgs(["-"]), { flags: [] });
  assert.deepEqual(parsePythonArgs(["-m"]), { flags: [] });
});

async function executable(path: string, text: string): Promise<string> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("pythonRun(): a console script runs its #! interpreter from the script's directory", async () => {
  await using dir = await tempDir();
  const python = await executable(join(dir.path, "venv", "bin", "python"), "");
  const web = await executable(
    join(dir.path, "venv", "bin", "web"),
    `#!${python}\nfrom app import main\nmain()\n`,
  );
  const path = join(dir.path, "venv", "bin");
  assert.deepEqual(pythonRun(["web", "--port", "1"], path, "/workspace"), {
    interpreter: python,
    flags: [],
    path0: Deno.realPathSync(path),
    roots: [{ script: web }],
  });
});

Deno.test("pythonRun(): #!/usr/bin/env python3 -I finds python3 on the launch PATH", async () => {
  await using dir = await tempDir();
  const bin = join(dir.path, "bin");
  const python = await executable(join(bin, "python3"), "");
  await executable(join(bin, "tool"), "#!/usr/bin/env python3 -I\n");
  assert.deepEqual(pythonRun(["tool"], bin, "/workspace"), {
    interpreter: python,
    flags: ["-I"],
    path0: "",
    roots: [{ script: join(bin, "tool") }],
  });
});

Deno.test("pythonRun(): the interpreter itself with -m, -c, a script or nothing", async () => {
  await using dir = await tempDir();
  const bin = join(dir.path, "bin");
  const python = await executable(join(bin, "python"), "\u007fELF");
  await executable(join(dir.path, "app", "main.py"), "print(1)\n");
  const app = join(dir.path, "app");
  assert.deepEqual(pythonRun(["python", "-m", "app"], bin, app), {
    interpreter: python,
    flags: [],
    path0: app,
    roots: [{ module: "app" }],
  });
  assert.deepEqual(pythonRun(["python", "-c", "import x"], bin, app), {
    interpreter: python,
    flags: [],
    path0: "",
    roots: [{ code: "import x" }],
  });
  assert.deepEqual(pythonRun(["python", "main.py"], bin, app), {
    interpreter: python,
    flags: [],
    path0: Deno.realPathSync(app),
    roots: [{ script: join(app, "main.py") }],
  });
  assert.deepEqual(pythonRun(["python"], bin, app), {
    interpreter: python,
    flags: [],
    path0: "",
    roots: [],
  });
});

Deno.test("pythonRun() says why a command does not start Python", async () => {
  await using dir = await tempDir();
  const bin = join(dir.path, "bin");
  await executable(join(bin, "sh-tool"), "#!/bin/sh\nexec true\n");
  await executable(join(bin, "binary"), "\u007fELF");
  assert.match(
    (pythonRun(["missing"], bin, "/") as { reason: string }).reason,
    /missing is not on the launch PATH/,
  );
  assert.match(
    (pythonRun(["sh-tool"], bin, "/") as { reason: string }).reason,
    /is not a Python script \(\/bin\/sh\)/,
  );
  assert.match((pythonRun(["binary"], bin, "/") as { reason: string }).reason, /is not Python/);
});
