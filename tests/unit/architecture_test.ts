/**
 * The layering the code keeps: no import cycle in `src` (type imports
 * included), and `src/cnb` a runner for any buildpack, with no word of
 * Paketo's or Poetry's.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../../kit/paths.ts";

interface InfoModule {
  readonly specifier: string;
  readonly dependencies?: readonly {
    readonly code?: { readonly specifier?: string };
    readonly type?: { readonly specifier?: string };
  }[];
}

Deno.test("src has no import cycle, counting type imports", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      "--config",
      join(REPO_ROOT, "deno.json"),
      join(REPO_ROOT, "src", "main.ts"),
    ],
    stdout: "piped",
  }).output();
  const modules = (JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] })
    .modules.filter((m) => m.specifier.includes("/src/"));
  const graph = new Map(modules.map((m) => [
    m.specifier,
    (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
      .filter((s): s is string => s !== undefined && s.includes("/src/")),
  ]));
  assert.ok(graph.size > 20, "the graph is there");
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    state.set(node, "open");
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") {
        cycles.push(
          [...path.slice(path.indexOf(next)), next].map((s) => s.split("/src/")[1]).join(" -> "),
        );
      } else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node, [node]);
  assert.deepEqual(cycles, []);
});

Deno.test("src/cnb is buildpack-agnostic: no Paketo, Poetry or BP_ variable in it", async () => {
  const dir = join(REPO_ROOT, "src", "cnb");
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const text = await Deno.readTextFile(join(dir, entry.name));
    text.split("\n").forEach((line, i) => {
      if (/paketo|poetry|(?<!CNB_)BP_[A-Z]/i.test(line)) {
        found.push(`${entry.name}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(found, []);
});

Deno.test("the development kit: kit/ imports only src/ and kit/; scripts/, bench/ and tests/ import kit/ and src/, never one another", async () => {
  const top = (path: string) => path.slice(REPO_ROOT.length + 1).split("/")[0] as string;
  const allowed: Record<string, readonly string[]> = {
    kit: ["src", "kit"],
    scripts: ["src", "kit", "scripts"],
    bench: ["src", "kit", "bench"],
    tests: ["src", "kit", "tests", "mod.ts"],
  };
  const wrong: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) await visit(path);
      else if (e.name.endsWith(".ts")) {
        // Import statements and import() calls, not the words of comments and examples.
        const code = (await Deno.readTextFile(path)).split("\n")
          .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line)).join("\n");
        for (const m of code.matchAll(/(?:^|[\s;{(])(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
          const target = join(dir, m[1] as string);
          const from = top(path);
          if (!(allowed[from] ?? []).includes(top(target))) {
            wrong.push(`${path.slice(REPO_ROOT.length + 1)} imports ${m[1]}`);
          }
        }
      }
    }
  };
  for (const dir of Object.keys(allowed)) await visit(join(REPO_ROOT, dir));
  assert.deepEqual(wrong, []);
});
