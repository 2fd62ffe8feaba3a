/**
 * Reading the machine an ELF executable is built for.
 *
 * @module
 */

/** Architectures the buildpack is packaged for, by ELF `e_machine`. */
const MACHINES: Readonly<Record<number, string>> = { 62: "amd64", 183: "arm64" };

/**
 * Tells which CNB architecture an executable is for.
 *
 * @example Usage
 * ```ts
 * import { elfArch } from "./elf.ts";
 * elfArch(new Uint8Array([0x7f, 0x45, 0x4c, 0x46])); // undefined (too short)
 * ```
 *
 * @param head The file's first bytes (at least 20).
 * @returns `amd64` or `arm64` for a little-endian 64-bit ELF file of that
 * machine; `other:<e_machine>` for another ELF file; `undefined` when it is
 * not an ELF file.
 */
export function elfArch(head: Uint8Array): string | undefined {
  if (head.length < 20) return undefined;
  if (head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) {
    return undefined;
  }
  const machine = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint16(
    18,
    head[5] === 1, // EI_DATA: 1 = little-endian
  );
  return MACHINES[machine] ?? `other:${machine}`;
}

/**
 * Reads a file's architecture.
 *
 * @param path The file.
 * @returns As {@linkcode elfArch}; `undefined` also when it cannot be read.
 */
export async function fileArch(path: string): Promise<string | undefined> {
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(path);
    const head = new Uint8Array(20);
    let read = 0;
    while (read < head.length) {
      const n = await file.read(head.subarray(read));
      if (n === null) break;
      read += n;
    }
    return elfArch(head.subarray(0, read));
  } catch {
    return undefined;
  } finally {
    file?.close();
  }
}
