/**
 * Who ADL hit, from the events (issue 15, item 3): every `deleverage` event carries the account's position,
 * leverage and PnL just before the fill, and `analyze` (through `adlOutcomes`) turns an events.arrow into
 * the median leverage of those hit, the concentration of the burden and the delay after the first forced
 * close — the same numbers `adlOutcomesOf` gives from in-process columns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventCode } from '../src/engine/events.js';
import { adlOutcomesOf, analyze, simulate } from '../src/index.js';
import { adlVenue } from './adl-venue.js';
import { cli } from './cli-helpers.js';
import { runPreset } from './experiment-runs.js';

/** One 20x long of 10,000 against ten 2x shorts of 10,000; the index falls 10%; the book holds nothing. */
const venue = adlVenue({ price: 'bankruptcy' });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('per-account ADL outcomes', () => {
  it("a deleverage event records the winner's position, leverage and PnL before the fill", () => {
    const r = simulate(venue, { seed: 1, events: true });
    const e = r.events!;
    const del = eventCode('deleverage');
    const rows = [...e.kind].flatMap((k, j) => (k === del ? [j] : []));
    expect(rows).toHaveLength(10);
    for (const j of rows) {
      // each short held 200 units from 100 with 10,000 of capital: its PnL fixes the mark it was valued at
      expect(e.position[j]).toBeCloseTo(-200, 9);
      const mark = 100 - e.pnl[j] / 200;
      expect(mark).toBeGreaterThan(85);
      expect(mark).toBeLessThan(95);
      expect(e.leverage[j]).toBeCloseTo((200 * mark) / (10_000 + e.pnl[j]), 9);
      // and the fill closed all of it (the long's 2,000 units over ten shorts)
      expect(e.size[j]).toBeCloseTo(200, 6);
    }
    // events that do not record the state leave it NaN
    const unpaid = [...e.kind].findIndex((k) => k !== del && k !== eventCode('liquidation'));
    if (unpaid >= 0) expect(e.leverage[unpaid]).toBeNaN();
    const o = adlOutcomesOf([e], venue.dtSeconds!)!;
    expect(o.runs).toBe(1);
    expect(o.accountsHit).toBe(10);
    expect(o.profitableShare).toBe(1);
    expect(o.top10Share).toBeCloseTo(1, 12); // ten accounts: the ten most hit bear it all
    expect(o.top1PctShare).toBeCloseTo(0.1, 12); // the top 1% of ten is one account, a tenth
    expect(o.medianLeverage).toBeCloseTo(e.leverage[rows[0]], 9);
    // the book closed nothing: the ADL close is the first forced close, a delay of 0 (never below)
    expect(o.firstDelaySeconds.n).toBe(1);
    expect(o.firstDelaySeconds.estimate).toBe(0);
  });

  it('analyze reads the same outcomes from events.arrow as adlOutcomesOf from the runs in-process', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bs-adl-'));
    dirs.push(out);
    const name = 'hyperliquid-2025-10-10';
    const res = cli(['run', name, '--preset', 'small', '--runs', '2', '--out', out, '--quiet']);
    expect(res.code, res.stderr).toBe(0);
    const a = analyze(out);
    const pts = await runPreset(name, { runs: 2 });
    expect(a.groups).toHaveLength(pts.length);
    pts.forEach((p, g) => {
      const want = adlOutcomesOf(p.events, p.config.dtSeconds);
      const got = a.groups[g].adl;
      if (want === null) expect(got).toBeNull();
      else {
        expect(got).not.toBeNull();
        for (const k of [
          'runs',
          'fills',
          'accountsHit',
          'medianLeverage',
          'medianPnl',
          'top10Share',
        ] as const)
          expect(got![k], k).toBe(want[k]);
        expect(got!.firstDelaySeconds.estimate).toBe(want.firstDelaySeconds.estimate);
      }
    });
    // at least one rule deleveraged someone, or this test checks nothing
    expect(a.groups.some((g) => g.adl !== null)).toBe(true);
  });

  it("the book's counterparty (account −1) is reported as its share of the notional, not as an account hit", () => {
    // one 1x short of 100 units against the long's 2,000: the short takes 100, the book the other 1,900
    const e = simulate(adlVenue({ price: 'bankruptcy', book: true }, 1, 1), { seed: 1, events: true })
      .events!;
    const o = adlOutcomesOf([e], 60)!;
    expect(o.accountsHit).toBe(1);
    expect(o.bookShare).toBeCloseTo(1900 / 2000, 9);
    expect(o.top10Share).toBeCloseTo(1, 12); // the one account hit bears all of the accounts' part
  });
});
