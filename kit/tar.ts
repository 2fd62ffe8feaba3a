/**
 * Reading a (gzipped) tar archive: what the package's buildpack.tgz and a
 * published image's layers hold. ustar names with their prefix field, and
 * PAX `path` / `linkpath` records, as Go's archive/tar writes long names.
 *
 * @module
 */
import { gunzipSync } from "node:zlib";

/** One entry. */
export interface TarItem {
  /** Its path. */
  readonly name: string;
  /** Permission bits. */
  readonly mode: number;
  /** Owner. */
  readonly uid: number;
  /** Group. */
  readonly gid: number;
  /** Modification time (seconds). */
  readonly mtime: number;
  /** The type flag (`0` file, `2` symlink, `5` directory, …). */
  readonly type: string;
  /** A link's target. */
  readonly link: string;
  /** A file's bytes. */
  readonly data: Uint8Array;
}

const dec = new TextDecoder();

/**
 * Reads every entry.
 *
 * @example Usage
 * ```ts
 * import { readTar } from "./tar.ts";
 * const names = readTar(await Deno.readFile("build/buildpack.tgz")).map((i) => i.name);
 * ```
 *
 * @param bytes The archive, gzipped or not.
 * @returns The entries, in order (PAX records applied, not listed).
 */
export function readTar(bytes: Uint8Array): TarItem[] {
  const tar = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const str = (o: number, l: number) => dec.decode(tar.subarray(o, o + l)).replace(/\0.*$/s, "");
  const num = (o: number, l: number) => parseInt(str(o, l).trim() || "0", 8);
  const items: TarItem[] = [];
  let pax: Record<string, string> = {};
  for (let header = 0; header + 512 <= tar.length;) {
    if (tar.subarray(header, header + 512).every((b) => b === 0)) break;
    const size = num(header + 124, 12);
    const type = str(header + 156, 1);
    const data = tar.subarray(header + 512, header + 512 + size);
    const next = header + 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      pax = {};
      for (const record of dec.decode(data).split("\n")) {
        const m = record.match(/^\d+ ([^=]+)=(.*)$/s);
        if (m) pax[m[1] as string] = m[2] as string;
      }
    } else {
      const prefix = str(header + 345, 155);
      const base = str(header, 100);
      items.push({
        name: pax.path ?? (prefix === "" ? base : `${prefix}/${base}`),
        mode: num(header + 100, 8),
        uid: num(header + 108, 8),
        gid: num(header + 116, 8),
        mtime: num(header + 136, 12),
        type,
        link: pax.linkpath ?? str(header + 157, 100),
        data,
      });
      pax = {};
    }
    header = next;
  }
  return items;
}
