/**
 * Durable part files: one per chunk of runs, in `<out>/.parts/`. A part is the chunk's packed buffer
 * followed by a footer naming its plan (hash) and chunk, with the body's length and CRC-32. It is written
 * to a fresh temporary name, fsynced and renamed, so a part either exists whole or not at all; on resume a
 * part whose footer, length or checksum does not match (a truncated or corrupt file), or that belongs to
 * another plan or chunk, is run again.
 */
import { join } from 'node:path';
import zlib from 'node:zlib';
import { listDir, readRegularFile, writeFileAtomic } from '../safe-fs.js';
import { chunkHeader, fitsLayout } from './pack.js';

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c | 0;
  }
  return t;
})();

/** CRC-32 (IEEE) in JavaScript: for Node releases without `zlib.crc32` (before 20.15). */
export function crc32Js(u8: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < u8.length; i++) c = CRC_TABLE[(c ^ u8[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * CRC-32 (IEEE) of bytes: zlib's (native) where Node has it. The JavaScript loop, run on the main thread
 * once per part, was deoptimised on most parts (its values leave V8's small-integer range) and, interpreted,
 * took CPU from the workers.
 */
export const crc32: (u8: Uint8Array) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (u8) => zlib.crc32(u8) >>> 0 : crc32Js;

/**
 * Footer (64 bytes): the plan's hash (sha256, 32 bytes) · chunk index u32 · CRC-32 of the body u32 · body
 * length as two u32 (low, high) · 12 zero bytes · magic `BSP2`. A part of another plan or another chunk
 * (copied, swapped, left by an earlier plan) is not this chunk's and is run again.
 */
const FOOTER = 64;
const MAGIC = [0x42, 0x53, 0x50, 0x32]; // BSP2

/** What a part must belong to: its plan's hash and its chunk's index and first run. */
export interface PartOwner {
  hash: string;
  chunkRuns: number;
}

/** Directory of the part files inside an output directory. */
export function partsDir(out: string): string {
  return join(out, '.parts');
}

/** File name of chunk `c`'s part. */
export function partName(c: number): string {
  return `chunk-${String(c).padStart(8, '0')}.part`;
}

let partsWritten = 0;
/**
 * Test hook for faults a test cannot cause without root (a full disk, a read-only mount):
 * `BACKSTOP_TEST_FAULT=ENOSPC:<n>` makes every part write after the first n fail with ENOSPC (`ENOSPC:0`:
 * the disk is full from the start, so the plan's write fails too), and `BACKSTOP_TEST_FAULT=EROFS` makes
 * every write to the output directory fail with EROFS.
 */
export function injectedFault(what: 'part' | 'plan' | 'probe'): void {
  const f = process.env.BACKSTOP_TEST_FAULT;
  if (!f) return;
  const [code, n] = f.split(':');
  const full = code === 'ENOSPC' && (what === 'part' || (what === 'plan' && Number(n) === 0));
  if (code === 'EROFS' || (full && partsWritten >= Number(n))) {
    const e = new Error(`${code}: injected by BACKSTOP_TEST_FAULT`) as NodeJS.ErrnoException;
    e.code = code;
    throw e;
  }
}

/** Writes chunk `c`'s part of the plan `owner` atomically and durably. */
export function writePart(dir: string, owner: PartOwner, c: number, body: Uint8Array): void {
  injectedFault('part');
  const footer = new Uint8Array(FOOTER);
  const dv = new DataView(footer.buffer);
  footer.set(Buffer.from(owner.hash, 'hex').subarray(0, 32), 0);
  dv.setUint32(32, c, true);
  dv.setUint32(36, crc32(body), true);
  dv.setUint32(40, body.byteLength % 2 ** 32, true);
  dv.setUint32(44, Math.floor(body.byteLength / 2 ** 32), true);
  footer.set(MAGIC, 60);
  writeFileAtomic(join(dir, partName(c)), [body, footer], true);
  partsWritten++;
}

/**
 * Reads chunk `c`'s part of the plan `owner`; undefined when it is missing, truncated or corrupt, or not
 * this plan's part of this chunk (its footer's hash or index, or its first run, differ).
 */
export function readPart(dir: string, owner: PartOwner, c: number): Uint8Array | undefined {
  const u8 = readRegularFile(join(dir, partName(c)));
  if (!u8 || u8.byteLength < FOOTER + 16) return undefined;
  const f = u8.subarray(u8.byteLength - FOOTER);
  const dv = new DataView(f.buffer, f.byteOffset, FOOTER);
  for (let i = 0; i < 4; i++) if (f[60 + i] !== MAGIC[i]) return undefined;
  if (Buffer.from(f.subarray(0, 32)).toString('hex') !== owner.hash) return undefined;
  if (dv.getUint32(32, true) !== c) return undefined;
  const len = dv.getUint32(40, true) + dv.getUint32(44, true) * 2 ** 32;
  if (len !== u8.byteLength - FOOTER) return undefined;
  const body = u8.subarray(0, len);
  if (crc32(body) !== dv.getUint32(36, true)) return undefined;
  // intact but written by an older layout of the chunk (or with other metrics or series): re-run it
  if (!fitsLayout(body)) return undefined;
  try {
    if (chunkHeader(body).start !== c * owner.chunkRuns) return undefined;
  } catch {
    return undefined;
  }
  return body;
}

/** Chunk indices that have a part file (not yet validated). */
export function listParts(dir: string): number[] {
  const out: number[] = [];
  for (const n of listDir(dir)) {
    const m = /^chunk-(\d+)\.part$/.exec(n);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}
