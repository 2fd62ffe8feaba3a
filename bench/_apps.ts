/**
 * Generated inputs of `deno task bench`: a large pyproject.toml, and web apps
 * with many Python source files.
 *
 * @module
 */
import { join } from "node:path";

/**
 * A pyproject.toml of about `bytes` bytes: two scripts, then a large table.
 *
 * @param bytes The size wanted.
 * @returns The text.
 */
export function generatedPyProject(bytes: number): string {
  const head =
    `[project]\nname = "gen"\nversion = "1.0.0"\n\n[project.scripts]\nweb = "gen.app:main"\nworker = "gen.w:main"\n\n[tool.gen]\n`;
  const lines: string[] = [head];
  let size = head.length;
  for (let i = 0; size < bytes; i++) {
    const line = `key${i} = { version = "^1.${i % 50}", extras = ["a", "b"], optional = ${
      i % 2 === 0
    } }\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join("");
}

/**
 * A web app with no script and `n` Python source files: app.py makes the
 * Flask app, the others are ordinary modules in packages of 100 (imports,
 * functions, strings); gunicorn is among the dependencies. With `bad`, also a
 * 5 MB module, a binary file named `.py`, an unreadable one and a symlink loop.
 */
export async function sourceTreeApp(dir: string, n: number, bad = false): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    join(dir, "pyproject.toml"),
    `[project]\nname = "tree"\nversion = "1"\ndependencies = ["flask", "gunicorn"]\n` +
      `[tool.poetry]\npackage-mode = false\n`,
  );
  await Deno.writeTextFile(
    join(dir, "app.py"),
    "from flask import Flask\n\napp = Flask(__name__)\n",
  );
  const body = (i: number) =>
    `"""Module ${i}."""\nimport os\nfrom . import helpers\n\nNAME = "m${i}"\n\n\n` +
    `def handler(request, limit=10):\n    items = [x for x in range(limit) if x % 2]\n` +
    `    return {"name": NAME, "items": items, "env": os.environ.get("X", "")}\n`;
  const made = new Set<string>();
  for (let i = 1; i < n; i++) {
    const pkg = join(dir, `pkg${Math.floor(i / 100)}`);
    if (!made.has(pkg)) {
      made.add(pkg);
      await Deno.mkdir(pkg, { recursive: true });
      await Deno.writeTextFile(join(pkg, "__init__.py"), "");
    }
    await Deno.writeTextFile(join(pkg, `m${i}.py`), body(i));
  }
  if (bad) {
    await Deno.writeTextFile(join(dir, "big.py"), "x = 1\n".repeat(850_000));
    await Deno.writeFile(join(dir, "blob.py"), new Uint8Array(65536).map((_, i) => (i * 31) % 256));
    await Deno.writeTextFile(join(dir, "locked.py"), "import flask\n");
    await Deno.chmod(join(dir, "locked.py"), 0);
    await Deno.mkdir(join(dir, "loop"));
    await Deno.symlink(dir, join(dir, "loop", "again"));
  }
}
