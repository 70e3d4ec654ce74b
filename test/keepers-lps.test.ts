import { describe, expect, it } from 'vitest';
import {
  keepers,
  LEDGER,
  parseConfig,
  SECONDS_PER_YEAR,
  type SimConfigInput,
  Simulation,
  simulate,
  VAULT_SERVICE,
} from '../src/index.js';
import { expectConserved, expectWhoPaid } from './helpers.js';

/** Flat at 2,000 with a one-tick gap of `gap` at tick 5 (sigma 0), then a steady drift of `drift` in total. */
function gapPath(gap: number, ticks: number, drift = 0) {
  return {
    index: { model: 'gbm', p0: 2000, sigma: 0, mu: drift / ((ticks * 60) / SECONDS_PER_YEAR) },
    shocks: [{ atTick: 5, change: gap, durationSeconds: 60 }],
    liquidity: { depthUsd: 1e12 },
    funding: { enabled: false },
  };
}

const oneLong = {
  count: 1,
  capital: { dist: 'fixed' as const, value: 10_000 },
  mix: [{ strategy: 'hold', count: 1, params: { leverage: 10 } }],
};

function start(cfg: SimConfigInput, seed = 1): Simulation {
  const s = new Simulation(parseConfig(cfg), { seed });
  s.start();
  return s;
}

describe('liquidator decision rules', () => {
  it('a Dutch-auction taker takes at the first price under its limit, and not before', () => {
    const margin = 0.05;
    const tau = 3600;
    const s = start({
      ticks: 120,
      market: gapPath(-0.12, 120),
      venue: { insuranceFund: 0 },
      waterfall: {
        stages: [
          { stage: 'dutch-auction', buf: 1.2, curve: { type: 'linear', tau }, tail: 7200, cusp: 0.05 },
          { stage: 'insurance-fund' },
          { stage: 'socialized' },
        ],
      },
      agents: {
        traders: oneLong,
        liquidators: {
          count: 1,
          capital: { dist: 'fixed', value: 1e7 },
          mix: [{ strategy: 'dutch-taker', count: 1, params: { margin, runsBot: false } }],
        },
      },
    });
    const k = keepers(s);
    const taker = 1;
    const buf = new Int32Array(s.accounts.n);
    let kick = -1;
    let top = 0;
    let took = -1;
    for (let t = 0; t < 120 && took < 0; t++) {
      s.step(t);
      if (kick < 0 && k.openAuctions(buf) > 0) {
        kick = t;
        top = k.auctionPrice(buf[0]); // elapsed 0: the top
      }
      if (s.accounts.qty[taker] !== 0) took = t;
    }
    expect(kick).toBe(6); // the gap lands on tick 6 and the 10x long is below maintenance
    expect(top).toBeCloseTo(s.oracle * 1.2, 6);
    // the linear curve: top·(tau − elapsed)/tau; the limit: the lot's value (the mark, deep book) × (1 − margin)
    const limit = s.mark * (1 - margin);
    const price = (t: number) => (top * (tau - (t - kick) * 60)) / tau;
    let first = kick + 1;
    while (price(first) > limit) first++;
    expect(took).toBe(first);
    expect(price(first - 1)).toBeGreaterThan(limit);
  });

  it('a fixed-spread taker takes over when the discount beats its margin and gas, and not otherwise', () => {
    const run = (margin: number) =>
      simulate(
        {
          ticks: 40,
          market: { ...gapPath(-0.085, 40), congestion: { gasUsd: 10 } },
          waterfall: {
            stages: [{ stage: 'takeover', bonus: 0.05 }, { stage: 'market' }, { stage: 'insurance-fund' }],
          },
          agents: {
            traders: oneLong,
            liquidators: {
              count: 1,
              capital: { dist: 'fixed', value: 1e6 },
              mix: [{ strategy: 'fixed-spread-taker', count: 1, params: { margin, unwindFraction: 0 } }],
            },
          },
        },
        { seed: 1, events: true },
      );
    const takeovers = (r: ReturnType<typeof run>) => Array.from(r.events!.kind).filter((k) => k === 6).length;
    const yes = run(0.02); // the 5% bonus beats a 2% margin
    const no = run(0.08); // ...but not an 8% one: the position goes to the market stage instead
    expect(takeovers(yes)).toBeGreaterThan(0);
    expect(takeovers(no)).toBe(0);
    expect(no.metrics.liquidations).toBe(1);
    for (const r of [yes, no]) {
      expectConserved(r);
      expectWhoPaid(r);
    }
  });

  it('an English bidder alone opens with a zero bid, and the zero bid wins', () => {
    const r = simulate(
      {
        ticks: 200,
        market: gapPath(-0.12, 200),
        venue: { insuranceFund: 0 },
        waterfall: {
          stages: [{ stage: 'english-auction' }, { stage: 'insurance-fund' }, { stage: 'socialized' }],
        },
        agents: {
          traders: oneLong,
          liquidators: {
            count: 1,
            capital: { dist: 'fixed', value: 1e6 },
            mix: [{ strategy: 'english-bidder', count: 1, params: { openingFraction: 0 } }],
          },
        },
      },
      { seed: 1 },
    );
    expect(r.metrics.auctions).toBe(1);
    expect(r.metrics.zero_bid_auctions).toBe(1);
    expectConserved(r);
    expectWhoPaid(r);
  });
});

describe('backstop LP decision rules', () => {
  it('a panic LP withdraws at its drawdown threshold and not before; a passive LP stays', () => {
    const s = start({
      ticks: 50,
      market: gapPath(0, 50),
      waterfall: {
        stages: [{ stage: 'vault', lockupSeconds: 0, withdrawalDelaySeconds: 0 }, { stage: 'market' }],
      },
      agents: {
        lps: {
          count: 2,
          capital: { dist: 'fixed', value: 1e6 },
          mix: [
            { strategy: 'lp-panic', count: 1, params: { drawdown: 0.05 } },
            { strategy: 'lp-passive', count: 1 },
          ],
        },
      },
    });
    const k = keepers(s);
    const [panic, passive] = [0, 1];
    expect(k.vaultShares(panic)).toBeCloseTo(1e6, 6);
    const row = keepers(s).service(VAULT_SERVICE)!.cashRow;
    // a loss of x USD taken out of the vault (to outside: money stays conserved)
    const lose = (x: number) => {
      s.accounts.cash[row] -= x;
      s.ledger[LEDGER.outside] += x;
    };
    const out = () => k.vaultShares(panic) < 1e6 - 1e-6 || k.pendingWithdrawal(panic) > 0;
    for (let t = 0; t < 10; t++) s.step(t);
    lose(0.049 * 2e6); // 4.9% drawdown: not yet
    for (let t = 10; t < 20; t++) s.step(t);
    expect(out()).toBe(false);
    lose(0.002 * 2e6); // past 5%
    s.step(20);
    expect(out()).toBe(true);
    for (let t = 21; t < 50; t++) s.step(t);
    expect(k.vaultShares(passive)).toBeCloseTo(1e6, 6);
  });
});

/** A crash the vault backstops: 10x longs gap down 12% (below 2/3 of maintenance) and the price keeps falling. */
function vaultCrash(lps: unknown): SimConfigInput {
  return {
    ticks: 300,
    market: { ...gapPath(-0.12, 300, Math.log(0.8)), liquidity: { depthUsd: 5e6 } },
    waterfall: {
      stages: [
        { stage: 'vault', lockupSeconds: 3600, withdrawalDelaySeconds: 600, unwindFraction: 0.01 },
        { stage: 'market' },
        { stage: 'insurance-fund' },
        { stage: 'socialized' },
      ],
    },
    agents: {
      traders: {
        count: 200,
        capital: { dist: 'fixed', value: 10_000 },
        mix: [{ strategy: 'hold', fraction: 1, params: { leverage: 10 } }],
      },
      lps: lps as never,
    },
  };
}

describe('LPs in a crash', () => {
  it('panic LPs withdraw during a crash that hits the vault, passive LPs do not', () => {
    const s = start(
      vaultCrash({
        count: 10,
        capital: { dist: 'fixed', value: 200_000 },
        mix: [
          { strategy: 'lp-panic', count: 5, params: { drawdown: 0.02 } },
          { strategy: 'lp-passive', count: 5 },
        ],
      }),
    );
    for (let t = 0; t < 300; t++) s.step(t);
    const k = keepers(s);
    const m = s.finish();
    expect(m.vault_max_drawdown).toBeGreaterThan(0.02);
    const panic = s.groups.find((g) => g.strategy === 'lp-panic')!;
    const passive = s.groups.find((g) => g.strategy === 'lp-passive')!;
    // panic LPs redeemed everything and were paid; passive LPs asked nothing and got nothing back (their
    // shares, if the vault went bankrupt in the crash, were extinguished with it)
    for (let i = panic.first; i < panic.first + panic.count; i++) {
      expect(k.vaultShares(i)).toBeLessThan(1e-6);
      expect(s.accounts.cash[i]).toBeGreaterThan(0);
    }
    for (let i = passive.first; i < passive.first + passive.count; i++) {
      expect(s.accounts.cash[i]).toBe(0);
      expect(k.pendingWithdrawal(i)).toBe(0);
    }
    expect(Math.abs(m.conservation_error)).toBeLessThanOrEqual(1e-9 * s.moneyScale);
  });
});

describe('liquidators in a crash', () => {
  /** Dutch auctions as the only closer (Maker's design), noise traders through a 30% crash. */
  const cfg = (liquidators: number, failureRate: number): SimConfigInput => ({
    ticks: 600,
    market: {
      index: { model: 'gbm', sigma: 0.8 },
      shocks: [{ atTick: 200, change: -0.3, durationSeconds: 3600 }],
      liquidity: { depthUsd: 2e6 },
      congestion: { sensitivity: 2, failureRate, gasUsd: 5 },
    },
    venue: { insuranceFund: 0 },
    waterfall: {
      stages: [
        {
          stage: 'dutch-auction',
          buf: 1.1,
          curve: { type: 'exponential', cut: 0.9995 },
          tail: 3600,
          cusp: 0.5,
        },
        { stage: 'insurance-fund' },
        { stage: 'socialized' },
      ],
    },
    agents: {
      traders: {
        count: 500,
        capital: { dist: 'lognormal', median: 10_000, sigma: 1 },
        mix: [{ strategy: 'noise', fraction: 1, params: { leverageMax: 20 } }],
      },
      liquidators: {
        count: liquidators,
        capital: { dist: 'fixed', value: 2e6 },
        mix: liquidators ? [{ strategy: 'dutch-taker', fraction: 1 }] : [],
      },
    },
  });
  // the loss the venue is left with: realized shortfall plus losses still open at the end (unsold lots)
  const loss = (c: SimConfigInput, seed: number) => {
    const r = simulate(c, { seed });
    expectConserved(r);
    expectWhoPaid(r);
    return r.metrics.shortfall + r.metrics.open_deficit;
  };

  it('removing them, or crippling them with congestion, leaves a larger loss (paired over seeds, mean difference > 3 SE)', () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    for (const worse of [cfg(0, 0), cfg(5, 20)]) {
      const d = seeds.map((s) => loss(worse, s) - loss(cfg(5, 0), s));
      const mean = d.reduce((a, b) => a + b, 0) / d.length;
      const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
      expect(mean).toBeGreaterThan(3 * (sd / Math.sqrt(d.length)));
    }
  });
});

describe('more decision rules', () => {
  it('a yield-chasing LP deposits when the trailing return beats its hurdle and withdraws when it falls below', () => {
    const s = start({
      ticks: 400,
      market: gapPath(0, 400),
      waterfall: {
        stages: [
          { stage: 'vault', initialUsd: 1e6, lockupSeconds: 0, withdrawalDelaySeconds: 0 },
          { stage: 'market' },
        ],
      },
      agents: {
        lps: {
          count: 1,
          capital: { dist: 'fixed', value: 1e5 },
          mix: [
            {
              strategy: 'lp-yield-chaser',
              count: 1,
              params: { hurdle: 0.5, lookbackTicks: 20, reviewEveryTicks: 50, startIn: false },
            },
          ],
        },
      },
    });
    const k = keepers(s);
    const row = keepers(s).service(VAULT_SERVICE)!.cashRow;
    // the vault earns (or loses) a steady x per tick, from (to) outside
    const drift = (x: number) => {
      s.accounts.cash[row] += x;
      s.ledger[LEDGER.outside] -= x;
    };
    // +0.01% a tick ≈ 52% a year: not above a 50% hurdle... use +0.02% (≈ 105%/yr) to be clearly above
    for (let t = 0; t < 100; t++) {
      drift(200);
      s.step(t);
    }
    expect(k.vaultShares(0)).toBeGreaterThan(0); // deposited at the review of tick 50
    for (let t = 100; t < 300; t++) {
      drift(-400);
      s.step(t);
    }
    expect(k.vaultShares(0)).toBeLessThan(1e-9); // withdrew once the return turned negative
  });

  it('a front-running LP withdraws on the tick after a large takeover and not before', () => {
    const cfg = vaultCrash({
      count: 2,
      capital: { dist: 'fixed', value: 1e6 },
      mix: [{ strategy: 'lp-front-runner', count: 2, params: { takeoverShare: 0.2 } }],
    });
    // no lock-up, so that the request is visible at once
    (cfg.waterfall!.stages![0] as { lockupSeconds: number }).lockupSeconds = 0;
    const s = start(cfg);
    const k = keepers(s);
    const lp = s.groups.find((g) => g.strategy === 'lp-front-runner')!.first;
    let grew = -1;
    let prev = 0;
    for (let t = 0; t < 40; t++) {
      s.step(t);
      const q = Math.abs(k.vaultPosition());
      if (grew < 0 && (q - prev) * s.mark > 0.2 * k.vaultEquity()) grew = t;
      prev = q;
      const asked = k.pendingWithdrawal(lp) > 0 || k.vaultShares(lp) < 1e6 - 1e-6;
      // it sees the takeover (phase 6 of tick `grew`) when it acts in phase 3 of the next tick
      if (grew < 0 || t <= grew) expect(asked).toBe(false);
      else expect(asked).toBe(true);
    }
    expect(grew).toBe(6); // the gap lands on tick 6 and the vault takes the 10x longs over
  });

  it('a basis arbitrageur sells a rich perp (hedged on spot) and unwinds once the basis has closed', () => {
    const s = start({
      ticks: 200,
      market: { ...gapPath(0, 200), liquidity: { depthUsd: 1e9, resilience: 1 } },
      agents: {
        arbitrageurs: {
          count: 1,
          capital: { dist: 'fixed', value: 1e6 },
          // no base position: it starts flat, half its capital in its wallet for spot
          mix: [{ strategy: 'basis-arb', count: 1, params: { baseShare: 0 } }],
        },
      },
    });
    expect(s.accounts.qty[0]).toBe(0);
    expect(s.accounts.wallet[0]).toBeCloseTo(5e5, 6);
    s.market.impact = 0.005; // mark 0.5% over the index: above the 0.15% entry threshold
    s.step(0);
    expect(s.accounts.qty[0]).toBeLessThan(0);
    // the spot leg is bought with its own wallet: as many units as the perp sold
    expect(s.accounts.spot[0]).toBeCloseTo(-s.accounts.qty[0], 9);
    expect(s.accounts.wallet[0]).toBeGreaterThanOrEqual(0);
    s.market.impact = 0.0001; // under the 0.03% exit threshold
    for (let t = 1; t < 200; t++) s.step(t);
    expect(s.accounts.qty[0]).toBe(0);
    expect(s.accounts.spot[0]).toBe(0);
    const m = s.finish();
    expect(Math.abs(m.conservation_error)).toBeLessThanOrEqual(1e-9 * s.moneyScale);
  });

  it('an attacker opens both legs, pushes the index with spot buys, the vault takes the bait, and the long exits', () => {
    const s = start({
      ticks: 150,
      market: {
        index: { model: 'gbm', p0: 2000, sigma: 0 },
        spot: { depthUsd: 1e6, resilience: 1 },
        liquidity: { depthUsd: 1e8 },
        funding: { enabled: false },
      },
      waterfall: {
        stages: [
          { stage: 'vault', initialUsd: 2e7, unwind: 'hold', takeoverBelow: 1 },
          { stage: 'market' },
          { stage: 'insurance-fund' },
          { stage: 'socialized' },
        ],
      },
      agents: {
        traders: {
          count: 2,
          // the push (40 × 500k of spot) is paid from the long's wallet: each leg has the capital for it
          capital: { dist: 'fixed', value: 21e6 },
          mix: [
            {
              strategy: 'attacker',
              count: 2,
              params: {
                notionalUsd: 5e6,
                baitLeverage: 20,
                startTick: 5,
                pushStartTick: 10,
                pushTicks: 40,
                pushUsdPerTick: 5e5,
                exitTick: 100,
              },
            },
          ],
        },
      },
    });
    const [bait, leg] = [0, 1];
    const k = keepers(s);
    for (let t = 0; t <= 5; t++) s.step(t);
    expect(s.accounts.qty[bait]).toBeCloseTo(-s.accounts.qty[leg], 9);
    expect(s.accounts.qty[leg] * s.mark).toBeCloseTo(5e6, -3);
    const p0 = s.indexPrice;
    for (let t = 6; t < 50; t++) s.step(t);
    expect(s.indexPrice).toBeGreaterThan(p0 * 1.2); // 40 × 500k of spot against 1M per 1%: pushed up
    expect(s.accounts.qty[bait]).toBe(0); // the bait is gone...
    expect(k.vaultPosition()).toBeLessThan(0); // ...into the vault, which now holds the short
    for (let t = 50; t < 150; t++) s.step(t);
    expect(s.accounts.qty[leg]).toBe(0); // the profiting leg closed at its exit tick
    const m = s.finish();
    expect(m.vault_max_drawdown).toBeGreaterThan(0);
    expect(Math.abs(m.conservation_error)).toBeLessThanOrEqual(1e-9 * s.moneyScale);
  });
});
