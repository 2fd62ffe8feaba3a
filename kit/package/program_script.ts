/**
 * The program of a `--runtime deno` package as a function body
 * (`lib/program.js`), run by a one-line main module (`lib/run.js`).
 *
 * Why: before running a module, Deno parses its source to find its imports
 * (measured here: about 80 µs per KB of minified code, 4.6 ms for the 57 KB
 * bundle, in every phase, since a new build container has no Deno cache).
 * Source given to the `Function` constructor is parsed by V8 alone, lazily.
 * The body is the ESM bundle with its one `export { … }` statement removed,
 * `import.meta` read from the loader's (`lib/run.js` is the main module, in
 * `lib/` as the bundle was), relative `import()`s resolved against it, and
 * its top-level `await` inside an async function.
 *
 * @module
 */

/** The package's main module: runs `program.js` as a function body. */
export const LOADER =
  `// Runs program.js (the bundled buildpack) as a function body: Deno parses a module's source
// for its imports before running it; source given to the Function constructor only V8 parses.
const source = Deno.readTextFileSync(new URL("./program.js", import.meta.url));
await new Function("importMeta", source)(import.meta);
`;

const EXPORT = /export\{[\w$]+ as [\w$]+(?:,[\w$]+ as [\w$]+)*\};?/g;

/**
 * Turns the minified ESM bundle into the body `LOADER` runs.
 *
 * @example Usage
 * ```ts
 * import { programScript } from "./program_script.ts";
 * programScript("function r(){return 0}if(import.meta.main){Deno.exit(await r())}export{r as run};");
 * ```
 *
 * @param bundle The bundle's text.
 * @returns The function body.
 * @throws {TypeError} When the bundle does not have exactly one `export { … }`
 * statement, or the body is not valid (a static import is left, for example).
 */
export function programScript(bundle: string): string {
  const exports = bundle.match(EXPORT) ?? [];
  if (exports.length !== 1) {
    throw new TypeError(
      `Cannot make the program script: the bundle has ${exports.length} export statements, not 1`,
    );
  }
  const body = bundle.replace(EXPORT, "").replaceAll("import.meta", "importMeta")
    // A relative import() in a function body has no module to be relative to: the loader's URL.
    .replace(/\bimport\(("\.\/[^"]+")\)/g, "import(new URL($1,importMeta.url).href)");
  const script = `"use strict";return(async()=>{${body}\n})();\n`;
  try {
    new Function("importMeta", script);
  } catch (error) {
    throw new TypeError(
      `Cannot make the program script: ${error instanceof Error ? error.message : error}`,
    );
  }
  return script;
}
