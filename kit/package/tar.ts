/**
 * A reproducible ustar writer: sorted entries, fixed mtime, uid/gid 0, fixed modes.
 *
 * @module
 */
import { join } from "node:path";

/** One archive entry. */
export type TarEntry =
  | { readonly path: string; readonly type: "dir" }
  | {
    readonly path: string;
    readonly type: "file";
    readonly data: Uint8Array;
    readonly executable: boolean;
  }
  | { readonly path: string; readonly type: "symlink"; readonly target: string };

const enc = new TextEncoder();

function field(buf: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = enc.encode(value);
  if (bytes.length > length) {
    throw new RangeError(`Cannot write tar field: ${JSON.stringify(value)} is too long`);
  }
  buf.set(bytes, offset);
}

function octal(buf: Uint8Array, offset: number, length: number, value: number): void {
  field(buf, offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
}

function header(entry: TarEntry, size: number, mtime: number): Uint8Array {
  const h = new Uint8Array(512);
  const name = entry.type === "dir" ? `${entry.path}/` : entry.path;
  if (enc.encode(name).length > 100) {
    throw new RangeError(`Cannot archive ${name}: path longer than 100 bytes`);
  }
  field(h, 0, 100, name);
  const mode = entry.type === "file" && !entry.executable
    ? 0o644
    : entry.type === "symlink"
    ? 0o777
    : 0o755;
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156);
  field(h, 156, 1, entry.type === "dir" ? "5" : entry.type === "symlink" ? "2" : "0");
  if (entry.type === "symlink") field(h, 157, 100, entry.target);
  field(h, 257, 6, "ustar\0");
  field(h, 263, 2, "00");
  field(h, 265, 32, "root");
  field(h, 297, 32, "root");
  const sum = h.reduce((a, b) => a + b, 0);
  field(h, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/**
 * Writes a tar archive; the same entries give the same bytes.
 *
 * @param entries The entries (any order: they are sorted by path).
 * @param mtime Modification time for every entry, in seconds.
 * @returns The archive.
 */
export function writeTar(entries: readonly TarEntry[], mtime = 0): Uint8Array {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: Uint8Array[] = [];
  for (const entry of sorted) {
    const data = entry.type === "file" ? entry.data : new Uint8Array(0);
    parts.push(header(entry, data.length, mtime), data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad > 0) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Finds a regular file in a tar archive (ustar, as npm packs; pax headers are skipped).
 *
 * @param tar The archive (not compressed).
 * @param name The member's path, e.g. `package/deno`.
 * @returns Its bytes, or `undefined` when the archive has no such file.
 * @throws {RangeError} When a header runs past the end of the archive.
 */
export function readTarFile(tar: Uint8Array, name: string): Uint8Array | undefined {
  const dec = new TextDecoder();
  const text = (o: number, l: number) => dec.decode(tar.subarray(o, o + l)).replace(/\0.*$/s, "");
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) return undefined;
    const size = parseInt(text(off + 124, 12).trim() || "0", 8);
    const prefix = text(off + 345, 155);
    const path = prefix === "" ? text(off, 100) : `${prefix}/${text(off, 100)}`;
    const type = text(off + 156, 1);
    const start = off + 512;
    if (start + size > tar.length) {
      throw new RangeError(`Cannot read tar member ${path}: the archive is truncated`);
    }
    if (path === name && (type === "0" || type === "")) return tar.slice(start, start + size);
    off = start + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

/**
 * Every entry under a directory, sorted by name, directories with a trailing `/`.
 *
 * @param dir The directory.
 * @param prefix The path below it to list (recursion).
 * @returns Paths relative to `dir`, and full paths.
 */
export async function listTree(
  dir: string,
  prefix = "",
): Promise<{ path: string; full: string }[]> {
  const out: { path: string; full: string }[] = [];
  const names: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(join(dir, prefix))) names.push(e);
  names.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of names) {
    const path = prefix === "" ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory) {
      out.push({ path: `${path}/`, full: join(dir, path) });
      out.push(...await listTree(dir, path));
    } else out.push({ path, full: join(dir, path) });
  }
  return out;
}

/**
 * A directory's entries for {@linkcode writeTar}: files (with their executable bit),
 * directories and symlinks, sorted.
 *
 * @param dir The directory.
 * @returns The entries.
 */
export async function tarEntries(dir: string): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  for (const { path, full } of await listTree(dir)) {
    const info = await Deno.lstat(full);
    if (info.isSymlink) entries.push({ path, type: "symlink", target: await Deno.readLink(full) });
    else if (info.isDirectory) entries.push({ path: path.replace(/\/$/, ""), type: "dir" });
    else {
      entries.push({
        path,
        type: "file",
        data: await Deno.readFile(full),
        executable: ((info.mode ?? 0) & 0o111) !== 0,
      });
    }
  }
  return entries;
}
