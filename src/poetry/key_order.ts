/**
 * The order in which a TOML document declares the keys of one table.
 *
 * A parsed table is a JavaScript object, and objects list integer-like keys
 * (`"1"`, `"2"`) first, in numeric order, whatever the file says. Script
 * order matters here (the extra process types and every message follow the
 * file), so this reads the order back from the text. It walks a document the
 * TOML parser has already accepted: headers, dotted keys, quoted keys, and
 * values (strings of every kind, arrays, inline tables) skipped or descended
 * into; TOML's whitespace is only space and tab.
 *
 * @module
 */

/**
 * Lists the keys of `table` in the order the document first declares them:
 * `[table] key = …`, `table.key = …`, `[table.key]`, or inside an inline
 * table `table = { key = … }`.
 *
 * @example Usage
 * ```ts
 * import { declaredKeys } from "./key_order.ts";
 * declaredKeys('[project.scripts]\nb = "x"\n"2" = "y"\n', ["project", "scripts"]); // ["b", "2"]
 * ```
 *
 * @param text A valid TOML document.
 * @param table The table's key path, e.g. `["project", "scripts"]`.
 * @returns The keys, in declaration order.
 */
export function declaredKeys(text: string, table: readonly string[]): string[] {
  const s = text;
  const n = s.length;
  let i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
  const found: string[] = [];
  const seen = new Set<string>();

  const note = (path: readonly string[]) => {
    if (path.length <= table.length || !table.every((k, j) => path[j] === k)) return;
    const key = path[table.length] as string;
    if (!seen.has(key)) {
      seen.add(key);
      found.push(key);
    }
  };
  const blanks = () => {
    while (s[i] === " " || s[i] === "\t") i++;
  };
  const blanksLinesComments = () => {
    for (;;) {
      blanks();
      if (s[i] === "#") { while (i < n && s[i] !== "\n") i++; }
      else if (s[i] === "\n" || s[i] === "\r") i++;
      else return;
    }
  };
  const literal = (): string => {
    const end = s.indexOf("'", i + 1);
    const out = s.slice(i + 1, end);
    i = end + 1;
    return out;
  };
  const basic = (): string => {
    let out = "";
    i++;
    while (i < n && s[i] !== '"') {
      if (s[i] !== "\\") {
        out += s[i++];
        continue;
      }
      const e = s[i + 1];
      const hex = (len: number) => {
        const cp = parseInt(s.slice(i + 2, i + 2 + len), 16);
        i += 2 + len;
        return String.fromCodePoint(cp);
      };
      if (e === "u") out += hex(4);
      else if (e === "U") out += hex(8);
      else if (e === "x") out += hex(2);
      else {
        const simple: Record<string, string> = {
          b: "\b",
          t: "\t",
          n: "\n",
          f: "\f",
          r: "\r",
          e: "\x1b",
          '"': '"',
          "\\": "\\",
        };
        out += simple[e ?? ""] ?? "";
        i += 2;
      }
    }
    i++;
    return out;
  };
  const multiline = (quote: string) => {
    i += 3;
    while (i < n) {
      if (quote === '"' && s[i] === "\\") i += 2;
      else if (s.startsWith(quote.repeat(3), i)) {
        i += 3;
        // Up to two more quotes belong to the content (`""""` ends with one quote in it).
        for (let extra = 0; extra < 2 && s[i] === quote; extra++) i++;
        return;
      } else i++;
    }
  };
  const simpleKey = (): string => {
    if (s[i] === '"') return basic();
    if (s[i] === "'") return literal();
    const start = i;
    while (i < n && /[A-Za-z0-9_-]/.test(s[i] as string)) i++;
    return s.slice(start, i);
  };
  const dottedKey = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      blanks();
      parts.push(simpleKey());
      blanks();
      if (s[i] !== ".") return parts;
      i++;
    }
  };
  const value = (path: readonly string[]): void => {
    if (s.startsWith('"""', i)) multiline('"');
    else if (s.startsWith("'''", i)) multiline("'");
    else if (s[i] === '"') basic();
    else if (s[i] === "'") literal();
    else if (s[i] === "[") {
      i++;
      for (;;) {
        blanksLinesComments();
        if (i >= n || s[i] === "]") break;
        value([]);
        blanksLinesComments();
        if (s[i] === ",") i++;
      }
      i++;
    } else if (s[i] === "{") {
      i++;
      for (;;) {
        blanksLinesComments();
        if (i >= n || s[i] === "}") break;
        const key = [...path, ...dottedKey()];
        if (path.length > 0) note(key);
        i++; // =
        blanks();
        value(path.length > 0 ? key : []);
        blanksLinesComments();
        if (s[i] === ",") i++;
      }
      i++;
    } else {
      // A number, boolean or date-time (which may hold a space): up to what ends a value.
      while (i < n && !",]}\n\r#".includes(s[i] as string)) i++;
    }
  };

  let current: string[] = [];
  while (i < n) {
    blanksLinesComments();
    if (i >= n) break;
    const before = i;
    if (s[i] === "[") {
      const arrayTable = s[i + 1] === "[";
      i += arrayTable ? 2 : 1;
      current = dottedKey();
      i += arrayTable ? 2 : 1;
      note(current);
    } else {
      const key = [...current, ...dottedKey()];
      note(key);
      blanks();
      i++; // =
      blanks();
      value(key);
    }
    if (i <= before) break; // not a document the parser accepted
  }
  return found;
}
