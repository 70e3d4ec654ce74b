import { describe, expect, it } from 'vitest';
import { Arena } from '../src/engine/arena.js';
import { findExperiment, resolveExperiment } from '../src/experiment/resolve.js';
import { simulate } from '../src/index.js';
import { crashConfig } from './helpers.js';

describe('run arena (typed arrays recycled from run to run)', () => {
  it('hands back the released arrays, zeroed, and keeps only the last release', () => {
    const a = new Arena();
    const f = a.f64(10).fill(7);
    const i = a.i32(10).fill(-1);
    const u = a.u8(3).fill(1);
    a.release();
    const b = new Arena();
    const f2 = b.f64(10);
    const i2 = b.i32(10);
    const u2 = b.u8(3);
    expect(f2).toBe(f);
    expect(i2).toBe(i);
    expect(u2).toBe(u);
    expect([...f2, ...i2, ...u2].every((x) => x === 0)).toBe(true);
    // a length not in the pool is a new array; a second taker of the same length gets a new one
    expect(b.f64(11)).not.toBe(f);
    expect(b.f64(10)).not.toBe(f);
    b.release();
    // a release replaces the pool: arrays of an earlier release are not handed out again
    const c = new Arena();
    c.release();
    expect(new Arena().f64(10)).not.toBe(f);
  });

  it('under the suite, a released array is poisoned until it is handed out again', () => {
    // vitest.config.ts sets BACKSTOP_ARENA_POISON=1 for every test file and worker thread
    expect(process.env.BACKSTOP_ARENA_POISON).toBe('1');
    const a = new Arena();
    const f = a.f64(5).fill(1);
    const i = a.i32(5).fill(1);
    const u = a.u8(5).fill(1);
    a.release();
    expect([...f].every(Number.isNaN)).toBe(true);
    expect([...i].every((x) => x === -0x80000000)).toBe(true);
    expect([...u].every((x) => x === 255)).toBe(true);
    const b = new Arena();
    expect(b.f64(5)).toBe(f);
    expect([...f].every((x) => x === 0)).toBe(true);
    b.release();
  });

  it('a result of simulate() holds no released array: its series and events read the same after more runs', () => {
    const cfg = crashConfig();
    const r = simulate(cfg, { seed: 3, series: 1, events: true });
    const copy = JSON.stringify([r.metrics, r.series, r.events]);
    simulate(cfg, { seed: 4, series: 1, events: true });
    expect(JSON.stringify([r.metrics, r.series, r.events])).toBe(copy);
  });

  it('a run gives the same results on fresh and on recycled arrays, whatever ran before it', async () => {
    // the default experiment's small preset has every stage and role: every stage's per-run state comes from
    // the arena; in between, runs of other sizes leave their arrays in the pool
    const exp = await resolveExperiment({ file: findExperiment('baseline'), overrides: { preset: 'small' } });
    const cfg = exp.configs[0];
    const run = (seed: number) => simulate(cfg, { seed, series: 10, baseDir: exp.baseDir });
    const first = run(11);
    const other = run(12);
    simulate(crashConfig(300, 200), { seed: 5 });
    const again = run(11);
    const third = run(11);
    for (const r of [again, third]) {
      expect(r.metrics).toEqual(first.metrics);
      expect(r.groups).toEqual(first.groups);
      expect(r.series).toEqual(first.series);
    }
    expect(other.metrics).not.toEqual(first.metrics);
    expect(first.metrics.liquidations).toBeGreaterThan(0);
  });
});
