import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import {
  atLeast,
  atMost,
  fmt,
  fmtBytes,
  MAX_PRICE,
  MAX_PRICE_FILE_BYTES,
  MIN_PRICE,
} from '../../config/bounds.js';
import { DataFileError, type InputIssue } from '../../errors.js';
import type { PriceModel } from './types.js';

/** Smallest and largest `scale`: 1e-12..1e12, and the scaled prices must stay within [MIN_PRICE, MAX_PRICE]. */
const MIN_SCALE = 1e-12;
const MAX_SCALE = 1e12;
/** What a price in a CSV may be. */
const PRICE_ALLOWED = `allowed: a finite decimal from ${fmt(MIN_PRICE)} to ${fmt(MAX_PRICE)} (USD; outside it positions or notionals overflow float64)`;

/** Parameters of {@link replay}. */
export const replayParams = z.strictObject({
  model: z.literal('replay'),
  file: z
    .string()
    .min(1)
    .describe(
      'price CSV `timestamp,price` with a header; relative paths are resolved against the config directory (path)',
    ),
  scale: z
    .number()
    .positive({ abort: true })
    .min(MIN_SCALE, atLeast(MIN_SCALE, '', 'the scaled prices must stay within 1e-12..1e12 USD'))
    .max(MAX_SCALE, atMost(MAX_SCALE, '', 'the scaled prices must stay within 1e-12..1e12 USD'))
    .default(1)
    .describe(
      'factor multiplying every price (dimensionless; the scaled prices must stay within 1e-12..1e12)',
    ),
  startOffsetSeconds: z
    .number()
    .min(0)
    .default(0)
    .describe('time after the first CSV row at which tick 0 is taken (seconds)'),
});

/** Parsed (defaulted) parameters of {@link replay}. */
export type ReplayParams = z.infer<typeof replayParams>;

/** A parsed price series: strictly increasing times (Unix seconds) and prices (within [MIN_PRICE, MAX_PRICE]). */
export interface PriceSeries {
  times: Float64Array;
  prices: Float64Array;
}

const FORMAT_HINT = 'expected a header line (e.g. `timestamp_utc,price`) and rows `timestamp,price`';
const TIMESTAMP_ALLOWED =
  'allowed: ISO-8601 UTC like 2020-03-12T00:10:00Z (an offset like +02:00 is honoured, no offset means UTC) or Unix seconds like 1583971800';
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Unix seconds above this (year 5138) are almost surely milliseconds. */
const MAX_UNIX_SECONDS = 1e11;

/** Unix seconds of an ISO-8601 timestamp, or NaN when it is not a valid one (calendar checked). */
function parseIso(s: string): number {
  const m = ISO_RE.exec(s);
  if (!m) return Number.NaN;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  const h = m[4] === undefined ? 0 : +m[4];
  const mi = m[5] === undefined ? 0 : +m[5];
  const sec = m[6] === undefined ? 0 : +m[6];
  const frac = m[7] === undefined ? 0 : +m[7];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return Number.NaN;
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d)
    return Number.NaN;
  let offset = 0;
  const z = m[8];
  if (z !== undefined && z.toUpperCase() !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2);
    const om = digits.length > 2 ? +digits.slice(2) : 0;
    if (oh > 23 || om > 59) return Number.NaN;
    offset = sign * (oh * 3600 + om * 60);
  }
  return ms / 1000 + frac - offset;
}

/** Strips one pair of surrounding double quotes and whitespace from a CSV field. */
function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

/** Unix seconds of a timestamp cell, or a description of what is wrong. */
function parseTimestamp(cell: string): number | string {
  if (NUMBER_RE.test(cell)) {
    const t = Number(cell);
    if (!Number.isFinite(t)) return `timestamp '${cell}' is not finite; ${TIMESTAMP_ALLOWED}`;
    if (Math.abs(t) > MAX_UNIX_SECONDS)
      return `timestamp '${cell}' is too large for Unix seconds (milliseconds? divide by 1000); ${TIMESTAMP_ALLOWED}`;
    return t;
  }
  const t = parseIso(cell);
  if (Number.isNaN(t)) return `cannot parse timestamp '${cell}'; ${TIMESTAMP_ALLOWED}`;
  return t;
}

/**
 * Parses a price CSV. The first non-blank line is a header with two columns (any names); every further
 * non-blank line is `timestamp,price` with a timestamp in ISO-8601 (no offset = UTC) or Unix seconds,
 * strictly increasing, and a finite price from `MIN_PRICE` to `MAX_PRICE` (1e-12..1e12 USD). Blank lines
 * are skipped; fields may be double-quoted. Throws {@link DataFileError} naming the (1-based) line and what is allowed.
 */
export function parsePriceCsv(text: string, file: string): PriceSeries {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new DataFileError(file, `file is empty; ${FORMAT_HINT}, at least 1 data row`);
  const lines = text.split(/\r?\n|\r/);
  const times: number[] = [];
  const prices: number[] = [];
  let header = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const lineNo = i + 1;
    const cells = line.split(',');
    if (cells.length !== 2)
      throw new DataFileError(
        file,
        `line ${lineNo}: expected 2 columns (timestamp,price), found ${cells.length} in '${line}'`,
      );
    const tCell = unquote(cells[0]);
    const pCell = unquote(cells[1]);
    if (!header) {
      if (typeof parseTimestamp(tCell) === 'number' && NUMBER_RE.test(pCell))
        throw new DataFileError(file, `line ${lineNo}: found data where the header belongs; ${FORMAT_HINT}`);
      header = true;
      continue;
    }
    const t = parseTimestamp(tCell);
    if (typeof t === 'string') throw new DataFileError(file, `line ${lineNo}: ${t}`);
    if (times.length > 0 && t <= times[times.length - 1])
      throw new DataFileError(
        file,
        `line ${lineNo}: timestamp '${tCell}' is not after the previous row's; timestamps must be strictly increasing`,
      );
    if (!NUMBER_RE.test(pCell))
      throw new DataFileError(
        file,
        `line ${lineNo}: price '${pCell}' is not a number; expected a finite decimal > 0; ${PRICE_ALLOWED}`,
      );
    const p = Number(pCell);
    if (!Number.isFinite(p))
      throw new DataFileError(
        file,
        `line ${lineNo}: price '${pCell}' is not finite; expected a finite decimal > 0; ${PRICE_ALLOWED}`,
      );
    if (p <= 0)
      throw new DataFileError(
        file,
        `line ${lineNo}: price ${pCell} is not > 0; prices must be positive; ${PRICE_ALLOWED}`,
      );
    if (p < MIN_PRICE || p > MAX_PRICE)
      throw new DataFileError(
        file,
        `line ${lineNo}: price ${pCell} is ${p < MIN_PRICE ? 'below' : 'above'} the ${p < MIN_PRICE ? 'lowest' : 'highest'} price the simulator takes; ${PRICE_ALLOWED}`,
      );
    times.push(t);
    prices.push(p);
  }
  if (times.length === 0)
    throw new DataFileError(file, `no data rows after the header; ${FORMAT_HINT}, at least 1 data row`);
  return { times: Float64Array.from(times), prices: Float64Array.from(prices) };
}

/** Rows within this many seconds after a tick's time still count as at or before it (float rounding). */
const TIME_EPSILON_SECONDS = 1e-6;

/**
 * Resamples a price series onto the tick grid: tick k (0 ≤ k ≤ ticks) sits at
 * times[0] + startOffsetSeconds + k·dtSeconds and takes the last price at or before that time
 * (previous-value hold, so no tick sees a later price); past the last row the last price is held.
 * Every price is multiplied by `scale`. Returns `ticks + 1` values.
 */
export function resampleToGrid(
  times: Float64Array,
  prices: Float64Array,
  ticks: number,
  dtSeconds: number,
  startOffsetSeconds: number,
  scale = 1,
): Float64Array {
  const out = new Float64Array(ticks + 1);
  const n = times.length;
  const t0 = times[0] + startOffsetSeconds;
  let j = 0;
  for (let k = 0; k <= ticks; k++) {
    const t = t0 + k * dtSeconds + TIME_EPSILON_SECONDS;
    while (j + 1 < n && times[j + 1] <= t) j++;
    out[k] = prices[j] * scale;
  }
  return out;
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  series: PriceSeries;
}

/** Parsed files by absolute path; re-read when the file's size or modification time changes. */
const cache = new Map<string, CacheEntry>();

/** Reads and parses a price CSV once per process (per absolute path, per file version). */
export function loadPriceCsv(absPath: string, file: string = absPath): PriceSeries {
  let st: { mtimeMs: number; size: number; isFile(): boolean };
  try {
    st = statSync(absPath);
  } catch {
    throw new DataFileError(file, `file not found (looked for ${absPath}); ${FORMAT_HINT}`);
  }
  if (!st.isFile()) throw new DataFileError(file, `not a regular file (${absPath})`);
  // the size before the contents: the file is read whole and parsed in memory
  if (st.size > MAX_PRICE_FILE_BYTES)
    throw new DataFileError(
      file,
      `is ${fmtBytes(st.size)} (${st.size.toLocaleString('en-US')} bytes); allowed: at most ${fmtBytes(MAX_PRICE_FILE_BYTES)} (${MAX_PRICE_FILE_BYTES.toLocaleString('en-US')} bytes) for a price file, which is read whole into memory; a price a tick for the most ticks a run has is about 250 MB`,
    );
  const hit = cache.get(absPath);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.series;
  let text: string;
  try {
    text = readFileSync(absPath, 'utf8');
  } catch (e) {
    throw new DataFileError(file, `cannot read ${absPath}: ${(e as Error).message}`);
  }
  const series = parsePriceCsv(text, file);
  cache.set(absPath, { mtimeMs: st.mtimeMs, size: st.size, series });
  return series;
}

/** Empties the parsed-file cache (tests; long-lived processes watching files). */
export function clearPriceCsvCache(): void {
  cache.clear();
}

/** Problems with `scale` × the CSV's prices: each must stay within [MIN_PRICE, MAX_PRICE]. */
function scaledPriceIssues(prices: Float64Array, scale: number, file: string): InputIssue[] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const p of prices) {
    if (p < lo) lo = p;
    if (p > hi) hi = p;
  }
  if (lo * scale >= MIN_PRICE && hi * scale <= MAX_PRICE) return [];
  return [
    {
      path: 'scale',
      message: `scale ${fmt(scale)} takes the prices of ${file} (${fmt(lo)} to ${fmt(hi)}) to ${fmt(lo * scale)} to ${fmt(hi * scale)}; allowed: scaled prices from ${fmt(MIN_PRICE)} to ${fmt(MAX_PRICE)} USD, i.e. scale from ${fmt(Math.max(MIN_SCALE, MIN_PRICE / lo))} to ${fmt(Math.min(MAX_SCALE, MAX_PRICE / hi))} for this file`,
    },
  ];
}

/**
 * Historical replay: the CSV's prices resampled onto the tick grid by previous-value hold (see
 * {@link resampleToGrid}), times `scale`. Uses no randomness.
 */
export const replay: PriceModel<ReplayParams> = {
  name: 'replay',
  description: 'historical price replay from a CSV (timestamp,price), previous-value hold on the tick grid',
  params: replayParams,
  files: (params) => [params.file],
  check(params, baseDir) {
    loadPriceCsv(isAbsolute(params.file) ? params.file : resolve(baseDir, params.file), params.file);
  },
  limits(params, { baseDir }) {
    if (baseDir === undefined || params.scale === 1) return [];
    const { prices } = loadPriceCsv(
      isAbsolute(params.file) ? params.file : resolve(baseDir, params.file),
      params.file,
    );
    return scaledPriceIssues(prices, params.scale, params.file);
  },
  generate(params, ctx) {
    const abs = isAbsolute(params.file) ? params.file : resolve(ctx.baseDir, params.file);
    const { times, prices } = loadPriceCsv(abs, params.file);
    return resampleToGrid(times, prices, ctx.ticks, ctx.dtSeconds, params.startOffsetSeconds, params.scale);
  },
};
