/**
 * Selecting the part of pyproject.toml this buildpack reads, so that a large
 * file (hundreds of dependencies, tool settings) is not parsed in full.
 *
 * @module
 */

const EXACT = new Set(["project", "project.scripts", "tool", "tool.poetry", "tool.poetry.scripts"]);
const PREFIXES = ["project.scripts.", "tool.poetry.scripts."];

/**
 * Tells whether a table header path can define something this buildpack reads.
 *
 * @param path Dotted path with keys unquoted, e.g. `tool.poetry.scripts`.
 * @returns `true` for `[project]`, `[project.scripts]`, `[tool]`, `[tool.poetry]`,
 * `[tool.poetry.scripts]` and tables below the two script tables.
 */
export function isRelevantTable(path: string): boolean {
  return EXACT.has(path) || PREFIXES.some((p) => path.startsWith(p));
}

/** Parses a header's key path (`tool."poetry" . scripts`), or `null` if unsure. */
function headerPath(inner: string): string | null {
  const parts: string[] = [];
  let i = 0;
  const s = inner;
  for (;;) {
    while (s[i] === " " || s[i] === "\t") i++;
    let key = "";
    if (s[i] === '"') {
      const end = s.indexOf('"', i + 1);
      if (end < 0) return null;
      key = s.slice(i + 1, end);
      if (key.includes("\\")) return null;
      i = end + 1;
    } else if (s[i] === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return null;
      key = s.slice(i + 1, end);
      i = end + 1;
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(s.slice(i));
      if (m === null) return null;
      key = m[0];
      i += key.length;
    }
    parts.push(key);
    while (s[i] === " " || s[i] === "\t") i++;
    if (i >= s.length) return parts.join(".");
    if (s[i] !== ".") return null;
    i++;
  }
}

/**
 * Blanks every table of a TOML document that {@linkcode isRelevantTable}
 * rejects, keeping the top-level keys and every line break, so lines and
 * columns of what remains are unchanged.
 *
 * Strings (all four kinds), comments and multi-line arrays and inline tables
 * are followed, so only real table headers start a section. When the scan
 * meets something it does not understand it gives up and returns `null`;
 * the caller then parses the whole document.
 *
 * @param text The document.
 * @returns The reduced document, or `null`.
 */
export function relevantSections(text: string): string | null {
  const n = text.length;
  const out: string[] = [];
  let keepFrom = 0; // start of the current kept run
  let keeping = true;
  let depth = 0;
  let atLineStart = true;
  let i = 0;
  const flush = (to: number) => {
    out.push(keeping ? text.slice(keepFrom, to) : "\n".repeat(countNewlines(text, keepFrom, to)));
    keepFrom = to;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) { // \n
      atLineStart = true;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (atLineStart && depth === 0 && c === 91) { // [ at line start: a table header
      const eol = text.indexOf("\n", i);
      const line = text.slice(i, eol < 0 ? n : eol);
      const m = /^\[\[?([^\]]*)\]\]?\s*(#.*)?\r?$/.exec(line);
      if (m === null) return null;
      const path = headerPath(m[1] as string);
      if (path === null) return null;
      flush(i);
      keeping = isRelevantTable(path);
      i = eol < 0 ? n : eol;
      continue;
    }
    atLineStart = false;
    if (c === 35) { // # comment
      const eol = text.indexOf("\n", i);
      i = eol < 0 ? n : eol;
    } else if (c === 34 || c === 39) { // " or '
      const q = text[i] as string;
      if (text.startsWith(q + q + q, i)) {
        let j = i + 3;
        for (;;) {
          const end = text.indexOf(q + q + q, j);
          if (end < 0) return null;
          if (q === '"' && isEscaped(text, end)) {
            j = end + 1;
            continue;
          }
          i = end + 3;
          while (text[i] === q && i < end + 5) i++;
          break;
        }
      } else {
        let j = i + 1;
        for (;;) {
          const ch = text[j];
          if (ch === undefined || ch === "\n") return null;
          if (ch === "\\" && q === '"') j += 2;
          else if (ch === q) break;
          else j++;
        }
        i = j + 1;
      }
    } else if (c === 91 || c === 123) { // [ {
      depth++;
      i++;
    } else if (c === 93 || c === 125) { // ] }
      depth--;
      if (depth < 0) return null;
      i++;
    } else {
      i++;
    }
  }
  if (depth !== 0) return null;
  flush(n);
  return out.join("");
}

function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  for (let k = at - 1; k >= 0 && text[k] === "\\"; k--) backslashes++;
  return backslashes % 2 === 1;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = text.indexOf("\n", from); k >= 0 && k < to; k = text.indexOf("\n", k + 1)) count++;
  return count;
}
