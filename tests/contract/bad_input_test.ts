import assert from "node:assert/strict";
import { join } from "node:path";
import { buildIn, detectIn, type PhaseResult, type Workspace, workspace } from "../../kit/phase.ts";

/** Asserts one clear stderr line, the exit code, and that nothing was written. */
async function assertRejected(
  ws: Workspace,
  r: PhaseResult,
  code: number,
  pattern: RegExp,
): Promise<void> {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0] ?? "", pattern);
  assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+/, "no stack trace");
  assert.equal(await Deno.readTextFile(ws.detectPlan), "", "no plan written");
  const launch = await Deno.stat(join(ws.layers, "launch.toml")).then(() => true, () => false);
  assert.equal(launch, false, "no launch.toml written");
  const leftovers = [...Deno.readDirSync(ws.layers)].map((e) => e.name);
  assert.deepEqual(leftovers, [], "no temporary files left in the layers dir");
}

async function bothPhases(ws: Workspace, code: number, pattern: RegExp, extra = {}): Promise<void> {
  await assertRejected(ws, await detectIn(ws, "0.8", {}, extra), code, pattern);
  await assertRejected(ws, await buildIn(ws, "0.8", {}, extra), code, pattern);
}

const pyproject = (ws: Workspace) => join(ws.app, "pyproject.toml");

Deno.test("malformed pyproject.toml: pyproject.toml:LINE:COL, exit 1", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `[project]\nname = "x"\n[project.scripts\nweb = "a:b"\n`);
  await bothPhases(ws, 1, /^pyproject\.toml:3:\d+: .+; fix the TOML syntax$/);
});

Deno.test("pyproject.toml is a directory", async () => {
  await using ws = await workspace();
  await Deno.mkdir(pyproject(ws));
  await bothPhases(
    ws,
    1,
    /^pyproject\.toml: cannot be read \(.*\); make it a readable regular file$/,
  );
});

Deno.test("pyproject.toml is unreadable", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `[project.scripts]\nweb = "a:b"\n`);
  await Deno.chmod(pyproject(ws), 0o000);
  // root reads anything: there, emulate the unreadable file with a read denial for that path.
  const readable = await Deno.readTextFile(pyproject(ws)).then(() => true, () => false);
  const extra = readable ? { extraFlags: [`--deny-read=${pyproject(ws)}`] } : {};
  await bothPhases(
    ws,
    1,
    /^pyproject\.toml: cannot be read \(.+\); make it a readable regular file$/,
    extra,
  );
});

Deno.test("pyproject.toml is not valid UTF-8", async () => {
  await using ws = await workspace();
  const bytes = new TextEncoder().encode(`[project]\nname = "x"\n# caf`);
  await Deno.writeFile(pyproject(ws), new Uint8Array([...bytes, 0xe9, 0x0a]));
  await bothPhases(
    ws,
    1,
    /^pyproject\.toml:3: not valid UTF-8; save the file with UTF-8 encoding$/,
  );
});

Deno.test("pyproject.toml with a leading BOM is accepted", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `\uFEFF[project.scripts]\nweb = "a:b"\n`);
  assert.equal((await detectIn(ws)).code, 0);
  const r = await buildIn(ws);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    await Deno.readTextFile(join(ws.layers, "launch.toml")),
    /args = \[ "run", "web" \]/,
  );
});

Deno.test("pyproject.toml of 10 MB is handled", async () => {
  await using ws = await workspace();
  const filler = Array.from({ length: 250_000 }, (_, i) => `k${i} = "${"v".repeat(33)}"`).join(
    "\n",
  );
  await Deno.writeTextFile(
    pyproject(ws),
    `[project.scripts]\nweb = "a:b"\n[tool.filler]\n${filler}\n`,
  );
  assert.ok((await Deno.stat(pyproject(ws))).size > 10_000_000);
  const r = await detectIn(ws);
  assert.equal(r.code, 0, r.stderr);
});

Deno.test("pyproject.toml nested 10,000 levels deep does not crash", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `x = ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`);
  await bothPhases(ws, 1, /^pyproject\.toml:1:\d+: .*nested.*; fix the TOML syntax$/);
});

Deno.test("[tool.poetry.scripts] that is not a table", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `[tool.poetry]\nscripts = ["a:b"]\n`);
  await bothPhases(
    ws,
    1,
    /^pyproject\.toml: \[tool\.poetry\.scripts\] must be a table .* but it is an array; fix or remove it$/,
  );
});

Deno.test("[project.scripts] that is not a table", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `[project]\nscripts = 1\n`);
  await bothPhases(
    ws,
    1,
    /^pyproject\.toml: \[project\.scripts\] must be a table .* but it is a number/,
  );
});

Deno.test("a script value of the wrong type", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `[tool.poetry.scripts]\nweb = true\n`);
  await bothPhases(
    ws,
    1,
    /^pyproject\.toml: \[tool\.poetry\.scripts\] "web" must be a string .* but it is a boolean$/,
  );
});

Deno.test("a symlink loop at pyproject.toml", async () => {
  await using ws = await workspace();
  await Deno.symlink(pyproject(ws), pyproject(ws));
  await bothPhases(ws, 1, /^pyproject\.toml: cannot be read \(too many levels of symbolic links\)/);
});

Deno.test("buildpack.toml with an unknown api names the supported versions", async () => {
  await using ws = await workspace("0.13");
  const r = await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "x" });
  await assertRejected(
    ws,
    r,
    1,
    /buildpack\.toml: api "0\.13" is not supported; use one of 0\.7, 0\.8, 0\.9, 0\.10, 0\.11, 0\.12$/,
  );
});

Deno.test("buildpack.toml without api names the supported versions", async () => {
  await using ws = await workspace();
  const file = join(ws.buildpack, "buildpack.toml");
  await Deno.writeTextFile(file, (await Deno.readTextFile(file)).replace(/^api = .*$/m, ""));
  const r = await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "x" });
  await assertRejected(
    ws,
    r,
    1,
    /buildpack\.toml: "api" is missing; set it to one of 0\.7, .*0\.12$/,
  );
});

Deno.test("an unwritable layers dir fails the build with one line and no partial file", async () => {
  await using ws = await workspace();
  const notDir = join(ws.root, "layers-file");
  await Deno.writeTextFile(notDir, "");
  const r = await buildIn(ws, "0.7", { BP_POETRY_RUN_TARGET: "x" }, {
    args: [notDir, ws.platform, ws.buildPlan],
  });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^.*layers-file\/start: cannot write the layer \(not a directory\); check CNB_LAYERS_DIR and that the directory is writable\n$/,
  );
});

Deno.test("an unwritable plan path fails detect with one line (exit 1)", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `[project.scripts]\nweb = "a:b"\n`);
  const notDir = join(ws.root, "plan-parent-is-a-file");
  await Deno.writeTextFile(notDir, "");
  const r = await detectIn(ws, "0.8", {}, {
    cnb: { CNB_PLATFORM_DIR: ws.platform, CNB_BUILD_PLAN_PATH: join(notDir, "plan.toml") },
  });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^.*plan-parent-is-a-file\/plan\.toml: cannot write the build plan \(.+\); check CNB_BUILD_PLAN_PATH/,
  );
});

Deno.test("an unterminated quote in BP_POETRY_RUN_TARGET names the variable and column", async () => {
  await using ws = await workspace();
  const r = await detectIn(ws, "0.8", { BP_POETRY_RUN_TARGET: `gunicorn "app` });
  await assertRejected(
    ws,
    r,
    1,
    /^BP_POETRY_RUN_TARGET has an unterminated double quote at column 10: /,
  );
});

Deno.test("unexpected failures print a stack trace only with BP_LOG_LEVEL=DEBUG", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `[project.scripts]\nweb = "a:b"\n`);
  const extra = { extraFlags: [`--deny-write=${ws.layers}`] };
  const quiet = await buildIn(ws, "0.8", {}, extra);
  assert.equal(quiet.code, 1);
  assert.equal(quiet.stderr.trimEnd().split("\n").length, 1, quiet.stderr);
  const loud = await buildIn(ws, "0.8", { BP_LOG_LEVEL: "DEBUG" }, extra);
  assert.equal(loud.code, 1);
  assert.match(loud.stderr, /\n\s+at .*main\.ts:\d+:\d+/);
});

Deno.test("an invalid BP_POETRY_RUN_DIRECT names the variable and the accepted values", async () => {
  await using ws = await workspace();
  await bothPhases(
    ws,
    1,
    /^failed to parse BP_POETRY_RUN_DIRECT value maybe: strconv\.ParseBool: parsing "maybe": invalid syntax; set it to true or false$/,
    { bp: { BP_POETRY_RUN_DIRECT: "maybe", BP_POETRY_RUN_TARGET: "web" } },
  );
});

Deno.test("BP_POETRY_RUN_DIRECT with [project.scripts] and package-mode = false fails the build in one line", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(
    pyproject(ws),
    `[project]\nname = "a"\n[project.scripts]\nweb = "a:b"\n[tool.poetry]\npackage-mode = false\n`,
  );
  const r = await buildIn(ws, "0.8", { BP_POETRY_RUN_DIRECT: "true" });
  await assertRejected(
    ws,
    r,
    1,
    /^pyproject\.toml \[project\.scripts\] "web" cannot be started directly or by poetry run: .*; remove package-mode = false so that Poetry installs the project$/,
  );
});

/** Bytes that are not UTF-8, as a printf format: "a", 0xFF, "b". */
const NOT_UTF8 = "a\\377b";
const SHOWN = `"a\\xFFb"`;

for (const variable of ["BP_POETRY_RUN_TARGET", "BP_LIVE_RELOAD_ENABLED", "BP_POETRY_RUN_DIRECT"]) {
  Deno.test(`${variable} that is not UTF-8: one line naming it, exit 1`, async () => {
    await using ws = await workspace();
    await Deno.writeTextFile(pyproject(ws), `[project.scripts]\nweb = "a:b"\n`);
    const r = await detectIn(ws, "0.8", {}, { rawEnv: { [variable]: NOT_UTF8 } });
    await assertRejected(
      ws,
      r,
      1,
      new RegExp(
        `^${variable} is not valid UTF-8 \\(${RegExp.escape(SHOWN)}\\); set it to UTF-8 text$`,
      ),
    );
  });
}

Deno.test("BP_POETRY_RUN_BYTECODE that is not UTF-8 fails the build in one line", async () => {
  await using ws = await workspace();
  const r = await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "x" }, {
    rawEnv: { BP_POETRY_RUN_BYTECODE: NOT_UTF8 },
  });
  await assertRejected(
    ws,
    r,
    1,
    /^BP_POETRY_RUN_BYTECODE is not valid UTF-8 \("a\\xFFb"\); set it to UTF-8 text$/,
  );
});

Deno.test("BP_LOG_LEVEL that is not UTF-8: a warning, INFO level, and both phases pass", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `[project.scripts]\nweb = "a:b"\n`);
  const extra = { rawEnv: { BP_LOG_LEVEL: NOT_UTF8 } };
  const warning =
    `Warning: BP_LOG_LEVEL is not valid UTF-8 ("a\\xFFb"); set it to UTF-8 text; logging at INFO\n`;
  const d = await detectIn(ws, "0.8", {}, extra);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.stderr, warning);
  const b = await buildIn(ws, "0.8", {}, extra);
  assert.equal(b.code, 0, b.stderr);
  assert.ok(b.stderr.startsWith(warning), b.stderr);
  assert.doesNotMatch(b.stdout, /Finding the poetry run target/, "INFO, not DEBUG");
});

for (const variable of ["CNB_BUILD_PLAN_PATH", "CNB_LAYERS_DIR", "CNB_BUILDPACK_DIR"]) {
  const phase = variable === "CNB_BUILD_PLAN_PATH" ? "detect" : "build";
  Deno.test(`${variable} that is not UTF-8: ${phase} fails in one line naming it, exit 1`, async () => {
    await using ws = await workspace();
    await Deno.writeTextFile(pyproject(ws), `[project.scripts]\nweb = "a:b"\n`);
    const extra = { rawEnv: { [variable]: `/tmp/${NOT_UTF8}` } };
    const r = phase === "detect"
      ? await detectIn(ws, "0.8", {}, extra)
      : await buildIn(ws, "0.8", {}, extra);
    await assertRejected(
      ws,
      r,
      1,
      new RegExp(`^${variable} is not valid UTF-8 \\("/tmp/a\\\\xFFb"\\); set it to UTF-8 text$`),
    );
  });
}

Deno.test("PATH, HOME or LD_LIBRARY_PATH that is not UTF-8: the bytecode step warns, the build passes", async () => {
  for (const variable of ["PATH", "HOME", "LD_LIBRARY_PATH"]) {
    await using ws = await workspace();
    await Deno.writeTextFile(pyproject(ws), `[project.scripts]\nweb = "a:b"\n`);
    const r = await buildIn(ws, "0.8", {}, { rawEnv: { [variable]: `/usr/bin:/${NOT_UTF8}` } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      `Warning: Bytecode not compiled (${variable} is not valid UTF-8 ("/usr/bin:/a\\xFFb"); set it to UTF-8 text); the image starts without it\n`,
      variable,
    );
    assert.ok((await Deno.readTextFile(join(ws.layers, "launch.toml"))).includes("poetry"));
  }
});

Deno.test("CNB_BP_PLAN_PATH that is not UTF-8, read where the inputs name the phase (bin/build): exit 1", async () => {
  await using ws = await workspace();
  const r = await buildIn(ws, "0.8", { BP_POETRY_RUN_TARGET: "x" }, {
    argv0: join(ws.buildpack, "bin", "build"),
    rawEnv: { CNB_BP_PLAN_PATH: `/tmp/${NOT_UTF8}` },
  });
  await assertRejected(
    ws,
    r,
    1,
    /^CNB_BP_PLAN_PATH is not valid UTF-8 \("\/tmp\/a\\xFFb"\); set it to UTF-8 text$/,
  );
});

Deno.test("CNB_PLATFORM_DIR that is not UTF-8 is not read: detect passes", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `[project.scripts]\nweb = "a:b"\n`);
  const r = await detectIn(ws, "0.8", {}, { rawEnv: { CNB_PLATFORM_DIR: NOT_UTF8 } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
});

for (
  const [text, message] of [
    [`tool = "poetry"\n`, "[tool] must be a table, but it is a string"],
    [`[tool]\npoetry = 3\n`, "[tool.poetry] must be a table, but it is a number"],
    [`project = [1]\n`, "[project] must be a table, but it is an array"],
  ] as const
) {
  Deno.test(`pyproject.toml ${JSON.stringify(text.trim())}: an error naming the key and its type`, async () => {
    await using ws = await workspace();
    await Deno.writeTextFile(pyproject(ws), text);
    await bothPhases(
      ws,
      1,
      new RegExp(`^pyproject\\.toml: ${RegExp.escape(message)}; fix or remove it$`),
    );
  });
}

Deno.test("a script name with a NUL character: an error naming it, in both phases", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(pyproject(ws), `[project.scripts]\n"web\\u0000x" = "a:b"\n`);
  await bothPhases(
    ws,
    1,
    /^pyproject\.toml: \[project\.scripts\] "web\\u0000x" has a NUL character at position 4 in its name, which no command can be given; rename it$/,
  );
});

Deno.test("BP_POETRY_RUN_DIRECT=true: a process that is dropped keeps no Poetry in the plan", async () => {
  await using ws = await workspace();
  await Deno.writeTextFile(
    pyproject(ws),
    `[project]\nname = "app"\n[project.scripts]\nweb = "app:main"\n` +
      `[tool.poetry.scripts]\npoetry = { reference = "app:main", type = "console" }\n`,
  );
  const d = await detectIn(ws, "0.8", { BP_POETRY_RUN_DIRECT: "true" });
  assert.equal(d.code, 0, d.stderr);
  const plan = await Deno.readTextFile(ws.detectPlan);
  assert.doesNotMatch(plan, /name = "poetry"/, plan);
  assert.match(plan, /name = "poetry-venv"/);
  const b = await buildIn(ws, "0.8", { BP_POETRY_RUN_DIRECT: "true" });
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stderr, /\[tool\.poetry\.scripts\] "poetry" gets no process type/);
  assert.match(
    await Deno.readTextFile(join(ws.layers, "launch.toml")),
    /^\[\[processes\]\]\ntype = "web"\ncommand = "web"\n/,
  );
  assert.doesNotMatch(await Deno.readTextFile(join(ws.layers, "launch.toml")), /type = "poetry"/);
});
