/**
 * The packed result of one chunk of runs: one ArrayBuffer that a worker moves to the main thread (no
 * copy, no row objects) and that the main thread writes as the body of the chunk's part file.
 *
 * Layout: magic `BSCHUNK2` · u32 header length · u32 0 · header JSON (padded to 8) · sections, each padded
 * to 8 bytes: seeds f64[n] · status u8[n] · metrics f64[M·n] (column-major) · extra f64[X·n]
 * (column-major; X is the header's `extra`: 0, but a game batch's runs add their roles' payoffs) · series
 * lengths i32[n] · series f64[S·rows] (column-major) · events run i32[E], tick i32[E], kind i32[E], account i32[E],
 * size f64[E], price f64[E], amount f64[E], position f64[E], leverage f64[E], pnl f64[E].
 */

import type { EventColumns } from '../engine/events.js';
import { METRIC_NAMES, type RunMetrics, SERIES } from '../metrics.js';

/** The JSON header of a packed chunk. */
export interface ChunkHeader {
  /** First global run index (run_id) of the chunk. */
  start: number;
  /** Runs in the chunk. */
  count: number;
  /** Series rows in the chunk (sum over runs). */
  seriesRows: number;
  /** Events in the chunk. */
  events: number;
  /** Failed runs: [index within the chunk, message]. */
  errors: [number, string][];
  /** The layout it was packed with: metric and series counts (a part of another layout is re-run). */
  metrics?: number;
  series?: number;
  /** Values per run after the metrics (a game batch's payoff per role); absent for 0. */
  extra?: number;
}

/** A chunk's columns. */
export interface ChunkData {
  header: ChunkHeader;
  seeds: Float64Array;
  /** 1 ok, 0 failed. */
  status: Uint8Array;
  /** Metric m of run i at `m * count + i` (NaN for failed runs). */
  metrics: Float64Array;
  /** Extra value x of run i at `x * count + i` (NaN for failed runs); empty unless the header's `extra`. */
  extra: Float64Array;
  /** Series rows of each run. */
  seriesLen: Int32Array;
  /** Series s of row r at `s * seriesRows + r`. */
  series: Float64Array;
  /** The chunk's events; `run` is the index of the run within the chunk. */
  ev: EventColumns & { run: Int32Array };
}

// bumped whenever the layout changes, so a part file from an older layout is refused, never misread
const MAGIC = 'BSCHUNK2';
const M = METRIC_NAMES.length;
const S = SERIES.length;
const pad8 = (n: number) => (n + 7) & ~7;

function sections(h: ChunkHeader): [string, 'f64' | 'i32' | 'u8', number][] {
  const n = h.count;
  const E = h.events;
  return [
    ['seeds', 'f64', n],
    ['status', 'u8', n],
    ['metrics', 'f64', M * n],
    ['extra', 'f64', (h.extra ?? 0) * n],
    ['seriesLen', 'i32', n],
    ['series', 'f64', S * h.seriesRows],
    ['ev.run', 'i32', E],
    ['ev.tick', 'i32', E],
    ['ev.kind', 'i32', E],
    ['ev.account', 'i32', E],
    ['ev.size', 'f64', E],
    ['ev.price', 'f64', E],
    ['ev.amount', 'f64', E],
    ['ev.position', 'f64', E],
    ['ev.leverage', 'f64', E],
    ['ev.pnl', 'f64', E],
  ];
}
const BYTES = { f64: 8, i32: 4, u8: 1 } as const;

/** Packs a chunk into one buffer. */
export function packChunk(d: ChunkData): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(d.header));
  const secs = sections(d.header);
  let size = 16 + pad8(json.length);
  for (const [, t, len] of secs) size += pad8(len * BYTES[t]);
  const buf = new ArrayBuffer(size);
  const u8 = new Uint8Array(buf);
  for (let i = 0; i < 8; i++) u8[i] = MAGIC.charCodeAt(i);
  new DataView(buf).setUint32(8, json.length, true);
  u8.set(json, 16);
  let off = 16 + pad8(json.length);
  const src: Record<string, ArrayLike<number>> = {
    seeds: d.seeds,
    status: d.status,
    metrics: d.metrics,
    extra: d.extra,
    seriesLen: d.seriesLen,
    series: d.series,
    'ev.run': d.ev.run,
    'ev.tick': d.ev.tick,
    'ev.kind': d.ev.kind,
    'ev.account': d.ev.account,
    'ev.size': d.ev.size,
    'ev.price': d.ev.price,
    'ev.amount': d.ev.amount,
    'ev.position': d.ev.position,
    'ev.leverage': d.ev.leverage,
    'ev.pnl': d.ev.pnl,
  };
  for (const [name, t, len] of secs) {
    const a = src[name] as Float64Array | Int32Array | Uint8Array;
    if (a.length !== len) throw new Error(`packChunk: ${name} has ${a.length} values, expected ${len}`);
    const view =
      t === 'f64'
        ? new Float64Array(buf, off, len)
        : t === 'i32'
          ? new Int32Array(buf, off, len)
          : new Uint8Array(buf, off, len);
    view.set(a);
    off += pad8(len * BYTES[t]);
  }
  return u8;
}

/** Whether `u8` starts as a chunk of this layout (a part from an older layout is re-run, never misread). */
export function isPackedChunk(u8: Uint8Array): boolean {
  if (u8.byteLength < 16) return false;
  for (let i = 0; i < 8; i++) if (u8[i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

/** Whether an intact chunk was packed with this build's metrics and series (else it is re-run). */
export function fitsLayout(u8: Uint8Array): boolean {
  if (!isPackedChunk(u8)) return false;
  try {
    const h = chunkHeader(u8);
    return h.metrics === M && h.series === S;
  } catch {
    return false;
  }
}

/** Reads a packed chunk; the columns are views into `u8` (copied first when it is not 8-aligned). */
export function unpackChunk(u8: Uint8Array): ChunkData {
  if (u8.byteOffset % 8 !== 0) u8 = u8.slice();
  if (!isPackedChunk(u8)) throw new Error('not a packed chunk of this layout');
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const jl = dv.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(u8.subarray(16, 16 + jl))) as ChunkHeader;
  let off = u8.byteOffset + 16 + pad8(jl);
  const out: Record<string, Float64Array | Int32Array | Uint8Array> = {};
  for (const [name, t, len] of sections(header)) {
    out[name] =
      t === 'f64'
        ? new Float64Array(u8.buffer, off, len)
        : t === 'i32'
          ? new Int32Array(u8.buffer, off, len)
          : new Uint8Array(u8.buffer, off, len);
    off += pad8(len * BYTES[t]);
  }
  if (off - u8.byteOffset !== u8.byteLength) throw new Error('packed chunk has the wrong length');
  return {
    header,
    seeds: out.seeds as Float64Array,
    status: out.status as Uint8Array,
    metrics: out.metrics as Float64Array,
    extra: out.extra as Float64Array,
    seriesLen: out.seriesLen as Int32Array,
    series: out.series as Float64Array,
    ev: {
      run: out['ev.run'] as Int32Array,
      tick: out['ev.tick'] as Int32Array,
      kind: out['ev.kind'] as Int32Array,
      account: out['ev.account'] as Int32Array,
      size: out['ev.size'] as Float64Array,
      price: out['ev.price'] as Float64Array,
      amount: out['ev.amount'] as Float64Array,
      position: out['ev.position'] as Float64Array,
      leverage: out['ev.leverage'] as Float64Array,
      pnl: out['ev.pnl'] as Float64Array,
    },
  };
}

/** Reads only the header of a packed chunk. */
export function chunkHeader(u8: Uint8Array): ChunkHeader {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const jl = dv.getUint32(8, true);
  return JSON.parse(new TextDecoder().decode(u8.subarray(16, 16 + jl))) as ChunkHeader;
}

/** One run's result, as collected by {@link ChunkCollector}. */
export interface RunResult {
  seed: number;
  metrics?: RunMetrics;
  /** The chunk's extra values of the run (as many as the collector's `extra`). */
  extra?: ArrayLike<number>;
  error?: string;
  series?: Partial<Record<string, Float64Array>>;
  events?: EventColumns;
}

/** Collects the runs of one chunk in order and packs them. */
export class ChunkCollector {
  private readonly runs: RunResult[] = [];
  /** @param extra values per run after the metrics (a game batch's payoff per role) */
  constructor(
    readonly start: number,
    readonly extra = 0,
  ) {}

  add(r: RunResult): void {
    this.runs.push(r);
  }

  pack(): Uint8Array {
    const n = this.runs.length;
    const seeds = new Float64Array(n);
    const status = new Uint8Array(n);
    const metrics = new Float64Array(M * n).fill(Number.NaN);
    const X = this.extra;
    const extra = new Float64Array(X * n).fill(Number.NaN);
    const seriesLen = new Int32Array(n);
    const errors: [number, string][] = [];
    let rows = 0;
    let E = 0;
    this.runs.forEach((r, i) => {
      seeds[i] = r.seed;
      if (r.error !== undefined) errors.push([i, r.error]);
      else {
        status[i] = 1;
        for (let m = 0; m < M; m++) metrics[m * n + i] = r.metrics![METRIC_NAMES[m]];
        for (let x = 0; x < X; x++) extra[x * n + i] = r.extra?.[x] ?? Number.NaN;
      }
      seriesLen[i] = r.series ? (r.series[SERIES[0][0]]?.length ?? 0) : 0;
      rows += seriesLen[i];
      E += r.events?.tick.length ?? 0;
    });
    const series = new Float64Array(S * rows);
    const ev = {
      run: new Int32Array(E),
      tick: new Int32Array(E),
      kind: new Int32Array(E),
      account: new Int32Array(E),
      size: new Float64Array(E),
      price: new Float64Array(E),
      amount: new Float64Array(E),
      position: new Float64Array(E),
      leverage: new Float64Array(E),
      pnl: new Float64Array(E),
    };
    let r0 = 0;
    let e0 = 0;
    this.runs.forEach((r, i) => {
      if (r.series && seriesLen[i] > 0)
        for (let s = 0; s < S; s++) series.set(r.series[SERIES[s][0]]!, s * rows + r0);
      r0 += seriesLen[i];
      const e = r.events;
      if (e && e.tick.length > 0) {
        ev.run.fill(i, e0, e0 + e.tick.length);
        ev.tick.set(e.tick, e0);
        ev.kind.set(e.kind, e0);
        ev.account.set(e.account, e0);
        ev.size.set(e.size, e0);
        ev.price.set(e.price, e0);
        ev.amount.set(e.amount, e0);
        ev.position.set(e.position, e0);
        ev.leverage.set(e.leverage, e0);
        ev.pnl.set(e.pnl, e0);
        e0 += e.tick.length;
      }
    });
    return packChunk({
      header: {
        start: this.start,
        count: n,
        seriesRows: rows,
        events: E,
        errors,
        metrics: M,
        series: S,
        ...(X > 0 ? { extra: X } : {}),
      },
      seeds,
      status,
      metrics,
      extra,
      seriesLen,
      series,
      ev,
    });
  }
}
