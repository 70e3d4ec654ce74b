/**
 * A part file records the layout it was packed with (the metric and series counts, and the chunk format's
 * magic), so that a resume after an upgrade re-runs the parts of another layout instead of misreading them.
 */
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, SERIES } from '../src/metrics.js';
import { ChunkCollector, chunkHeader, fitsLayout, packChunk, unpackChunk } from '../src/runner/pack.js';

const metrics = Object.fromEntries(METRIC_NAMES.map((m, k) => [m, k]));

describe('chunk layout', () => {
  it('a chunk packed by this build fits its layout and reads back; one of another layout does not fit', () => {
    const c = new ChunkCollector(0);
    c.add({ seed: 1, metrics });
    c.add({ seed: 2, error: 'boom' });
    const body = c.pack();
    expect(fitsLayout(body)).toBe(true);
    const h = chunkHeader(body);
    expect(h.metrics).toBe(METRIC_NAMES.length);
    expect(h.series).toBe(SERIES.length);
    const d = unpackChunk(body);
    // metric m of run i at m · count + i: run 0's last metric
    expect(d.metrics[(METRIC_NAMES.length - 1) * 2]).toBe(METRIC_NAMES.length - 1);
    // the same chunk with a header from a build with one metric fewer, or from before headers said so
    for (const header of [
      { ...d.header, metrics: METRIC_NAMES.length - 1 },
      { ...d.header, metrics: undefined, series: undefined },
    ])
      expect(fitsLayout(packChunk({ ...d, header }))).toBe(false);
    // another chunk format altogether
    const other = body.slice();
    other[7] = '1'.charCodeAt(0);
    expect(fitsLayout(other)).toBe(false);
  });

  it("extra values per run (a game batch's payoffs) travel after the metrics; without them the header is as before", () => {
    const c = new ChunkCollector(10, 2);
    c.add({ seed: 1, metrics, extra: [1.5, -2.25] });
    c.add({ seed: 2, error: 'boom' });
    c.add({ seed: 3, metrics, extra: [3, Number.NaN] });
    const d = unpackChunk(c.pack());
    expect(d.header.extra).toBe(2);
    // extra value x of run i at x · count + i; NaN for a failed run
    expect(Array.from(d.extra)).toEqual([1.5, Number.NaN, 3, -2.25, Number.NaN, Number.NaN]);
    expect(d.metrics[(METRIC_NAMES.length - 1) * 3 + 2]).toBe(METRIC_NAMES.length - 1);
    const plain = new ChunkCollector(0);
    plain.add({ seed: 1, metrics });
    const p = plain.pack();
    expect('extra' in chunkHeader(p)).toBe(false);
    expect(unpackChunk(p).extra).toHaveLength(0);
  });
});
