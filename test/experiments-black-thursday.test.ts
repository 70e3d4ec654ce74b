/**
 * Direction test of experiments/black-thursday.ts at its small preset (the full population, fewer runs): on
 * the replayed path with keepers failing as they did (the default keeper priced out by gas), English
 * auctions give a large share of zero-bid wins and a deficit, larger than with keepers that kept bidding;
 * Dutch auctions on the same path, seeds and keepers give no zero-bid wins and a far smaller deficit.
 * Compared run by run (common random numbers): the 95% t-interval of the paired difference (mean ∓
 * t·standard error) must lie above zero. The sizes against the record are in experiments/README.md.
 */
import { describe, expect, it } from 'vitest';
import { deficit, paired, runPreset } from './experiment-runs.js';

describe('black-thursday (small preset)', () => {
  it('English auctions with failing keepers: many zero bids and a deficit; Dutch: far less', async () => {
    const CEILING = 'agents.liquidators.mix[0].params.maxGasUsd';
    // the four arms at the base count of zero-bid bots (the last points vary it)
    const pts = await runPreset('black-thursday', {
      runs: 2,
      keep: (p) => p['agents.liquidators.mix[2].count'] === 3,
    });
    expect(pts).toHaveLength(4);
    const at = (english: boolean, failing: boolean) =>
      pts.find(
        (p) =>
          (p.point['waterfall.stages[0].hole'] === 0) === english && (p.point[CEILING] !== 0) === failing,
      )!;
    const english = at(true, true);
    const dutch = at(false, true);
    const working = at(true, false);
    for (const r of [...english.runs, ...dutch.runs]) expect(r.auctions).toBeGreaterThan(100);
    const share = (m: { zero_bid_auctions: number; auctions: number }) => m.zero_bid_auctions / m.auctions;
    // a large zero-bid share under English auctions (published: 36%), none under Dutch
    for (const r of english.runs) expect(share(r)).toBeGreaterThan(0.15);
    for (const r of dutch.runs) expect(r.zero_bid_auctions).toBe(0);
    // keepers priced out by gas: more zero bids and a larger deficit than keepers that kept bidding (paired)
    expect(paired(english, working, share).low).toBeGreaterThan(0);
    expect(paired(english, working, deficit).low).toBeGreaterThan(0);
    // deficit: English − Dutch, paired by run; its 95% t-interval lies above zero
    const d = paired(english, dutch, deficit);
    expect(d.low).toBeGreaterThan(0);
    // "far less": the Dutch deficit is under a tenth of the English one
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(dutch.runs.map(deficit))).toBeLessThan(0.1 * mean(english.runs.map(deficit)));
  });
});
