import { describe, expect, it } from 'vitest';
import {
  ADL_POLICIES,
  allocateDeleveraging,
  auctionPrice,
  ConfigError,
  defineStrategy,
  NO_FEE,
  NO_FLOW,
  parseConfig,
  registerStrategy,
  Simulation,
  simulate,
  z,
} from '../src/index.js';
import { crashConfig, expectConserved, expectWhoPaid } from './helpers.js';
import { eventsOf, expectWhoPaidPerTick } from './waterfall-helpers.js';

/** Deterministic pseudo-random numbers in [0, 1) (xorshift32), independent of the simulator's RNG. */
function xorshift(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** The water level τ with Σ pnl·min(cap, τ·w) = budget, by bisection (w = riskWeight, or 1). */
function waterLevel(
  ws: { pnl: number; cap: number; riskWeight: number }[],
  budget: number,
  risk: boolean,
): number {
  const f = (t: number) => ws.reduce((a, x) => a + x.pnl * Math.min(x.cap, t * (risk ? x.riskWeight : 1)), 0);
  let lo = 0;
  let hi = 1;
  while (f(hi) < budget) hi *= 2;
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < budget) lo = mid;
    else hi = mid;
  }
  return hi;
}

describe('allocateDeleveraging', () => {
  const w = [8, 4, 0.5];
  it('queue vs pro-rata on w = (8, 4, 0.5), budget 7.5, queue order (2, 1, 3)', () => {
    // queue order (2, 1, 3): the second winner first, then the first, then the third
    const scores = [2, 3, 1];
    const q = allocateDeleveraging(
      'queue',
      w.map((pnl, i) => ({ pnl, score: scores[i] })),
      7.5,
    );
    expect(q.haircut[0]).toBeCloseTo(0.4375, 15);
    expect(q.haircut[1]).toBe(1);
    expect(q.haircut[2]).toBe(0);
    expect(q.seized[0] + q.seized[1]).toBeCloseTo(7.5, 14);
    expect(q.uncovered).toBe(0);
    expect(q.feasible).toBe(true);
    const p = allocateDeleveraging(
      'pro-rata',
      w.map((pnl) => ({ pnl })),
      7.5,
    );
    for (const h of p.haircut) expect(h).toBeCloseTo(0.6, 15);
    expect(p.uncovered).toBe(0);
  });

  it('queue ties go to the lower index; queue-capped stops each winner at its cap', () => {
    const q = allocateDeleveraging('queue', [{ pnl: 4 }, { pnl: 4 }], 5);
    expect(q.haircut).toEqual([1, 0.25]);
    const c = allocateDeleveraging(
      'queue-capped',
      [
        { pnl: 8, cap: 0.5, score: 1 },
        { pnl: 4, cap: 0.5, score: 2 },
      ],
      5,
    );
    // second first: 2 (its cap), then the first: 3 of its 4
    expect(c.haircut[1]).toBe(0.5);
    expect(c.haircut[0]).toBeCloseTo(3 / 8, 15);
  });

  it('capped pro-rata is water-filling: min(η, cap) with Σ pnl·min(η, cap) = budget', () => {
    // caps (0.1, 1, 1), budget 3: 12.5·η = 3 would need η = 0.24 > 0.1, so the first saturates at 0.8
    // and η = (3 − 0.8) / 4.5
    const r = allocateDeleveraging(
      'capped-pro-rata',
      w.map((pnl, i) => ({ pnl, cap: i === 0 ? 0.1 : 1 })),
      3,
    );
    const eta = (3 - 0.8) / 4.5;
    expect(r.haircut[0]).toBe(0.1);
    expect(r.haircut[1]).toBeCloseTo(eta, 14);
    expect(r.haircut[2]).toBeCloseTo(eta, 14);
    expect(r.feasible).toBe(true);
  });

  it('an infeasible budget takes every winner to its limit and reports the rest uncovered', () => {
    for (const policy of ADL_POLICIES) {
      const r = allocateDeleveraging(
        policy,
        w.map((pnl) => ({ pnl, cap: 0.5 })),
        100,
      );
      const limit = policy === 'queue' || policy === 'pro-rata' ? 1 : 0.5;
      expect(r.feasible).toBe(false);
      for (const h of r.haircut) expect(h).toBeCloseTo(limit, 15);
      expect(r.uncovered).toBeCloseTo(100 - 12.5 * limit, 12);
    }
  });

  it('matches an independent brute-force solver (bisection on η and τ) on random cases', () => {
    const rnd = xorshift(0x9e3779b9);
    for (let c = 0; c < 300; c++) {
      const n = 1 + Math.floor(rnd() * 12);
      const ws = Array.from({ length: n }, () => ({
        pnl: rnd() < 0.1 ? 0 : rnd() * 100,
        cap: rnd(),
        riskWeight: rnd() < 0.1 ? 0 : rnd() * 3,
        score: Math.floor(rnd() * 5),
      }));
      const total = ws.reduce((a, x) => a + x.pnl, 0);
      const budget = rnd() * total * 0.9;
      for (const policy of ['capped-pro-rata', 'risk-aware-pro-rata'] as const) {
        const risk = policy === 'risk-aware-pro-rata';
        const capacity = ws.reduce((a, x) => a + (risk && x.riskWeight === 0 ? 0 : x.pnl * x.cap), 0);
        const r = allocateDeleveraging(policy, ws, budget);
        expect(r.feasible).toBe(budget <= capacity);
        if (budget > capacity) continue;
        const hi = waterLevel(ws, budget, risk);
        ws.forEach((x, i) => {
          const want = x.pnl > 0 ? Math.min(x.cap, hi * (risk ? x.riskWeight : 1)) : 0;
          expect(Math.abs(r.haircut[i] - want)).toBeLessThanOrEqual(1e-9);
        });
        expect(r.seized.reduce((a, b) => a + b, 0)).toBeCloseTo(budget, 9);
      }
      // queue: brute force over the rank order
      const order = ws.map((_, i) => i).sort((a, b) => ws[b].score - ws[a].score || a - b);
      let rem = budget;
      const want = new Array(n).fill(0);
      for (const i of order) {
        if (rem <= 0 || ws[i].pnl <= 0) continue;
        const take = Math.min(ws[i].pnl, rem);
        want[i] = take / ws[i].pnl;
        rem -= take;
      }
      const q = allocateDeleveraging('queue', ws, budget);
      q.haircut.forEach((h, i) => {
        expect(Math.abs(h - want[i])).toBeLessThanOrEqual(1e-12);
      });
    }
  });

  it('water-fills many winners with the budget near capacity (many passes, then the sorted walk)', () => {
    // the level is found by passes that saturate whoever lies below a lower bound; a budget just under
    // capacity with spread-out caps needs more passes than the solver allows before it sorts the rest —
    // both paths must agree with bisection
    const rnd = xorshift(0x2545f491);
    for (const fill of [0.3, 0.9, 0.999, 0.999999]) {
      const ws = Array.from({ length: 2000 }, () => ({
        pnl: 1 + rnd() * 99,
        cap: rnd() ** 3,
        riskWeight: 0.1 + rnd() * 3,
      }));
      for (const policy of ['capped-pro-rata', 'risk-aware-pro-rata'] as const) {
        const risk = policy === 'risk-aware-pro-rata';
        const capacity = ws.reduce((a, x) => a + x.pnl * x.cap, 0);
        const budget = fill * capacity;
        const hi = waterLevel(ws, budget, risk);
        const r = allocateDeleveraging(policy, ws, budget);
        expect(r.feasible).toBe(true);
        ws.forEach((x, i) => {
          const want = Math.min(x.cap, hi * (risk ? x.riskWeight : 1));
          expect(Math.abs(r.haircut[i] - want)).toBeLessThanOrEqual(1e-9);
        });
        expect(Math.abs(r.seized.reduce((a, b) => a + b, 0) - budget)).toBeLessThanOrEqual(1e-9 * budget);
      }
    }
  });
});

describe('auctionPrice', () => {
  it('follows the three abaci curves', () => {
    expect(auctionPrice({ type: 'linear', tau: 900 }, 100, 450)).toBe(50);
    expect(auctionPrice({ type: 'linear', tau: 900 }, 100, 900)).toBe(0);
    expect(auctionPrice({ type: 'linear', tau: 900 }, 100, 5000)).toBe(0);
    expect(auctionPrice({ type: 'stairstep', cut: 0.99, step: 90 }, 100, 89)).toBe(100);
    expect(auctionPrice({ type: 'stairstep', cut: 0.99, step: 90 }, 100, 90)).toBeCloseTo(99, 12);
    expect(auctionPrice({ type: 'stairstep', cut: 0.99, step: 90 }, 100, 185)).toBeCloseTo(98.01, 12);
    expect(auctionPrice({ type: 'exponential', cut: 0.999 }, 100, 10)).toBeCloseTo(100 * 0.999 ** 10, 12);
  });
});

// ------------------------------------------------------------ BitMEX's worked example

/** Three accounts set up at the start: a short of 20 at entry 600 with 1,000 USD (bankruptcy 650), and two longs. */
registerStrategy(
  defineStrategy({
    name: 'test-bitmex-setup',
    role: 'traders',
    description: 'test only: the accounts of BitMEX ADL worked example',
    params: z.strictObject({}),
    init(g, sim) {
      const set = (i: number, q: number, entry: number, cash: number) => {
        sim.transferIn(i, cash);
        sim.fill(i, q, entry, NO_FEE | NO_FLOW);
      };
      set(g.first, -20, 600, 1000); // bankrupt short: p_bk = 600 + 1000/20 = 650
      set(g.first + 1, 10, 600, 100); // long 10: uPnL 1,000 at 700, equity 1,100: score 1000·700/(600·1100) = 1.06
      set(g.first + 2, 20, 600, 10_000); // long 20: uPnL 2,000, equity 12,000: score 2000·700/(600·12000) = 0.19
    },
    act() {},
  }),
);

function bitmexConfig(ranking: string) {
  return {
    ticks: 2,
    market: {
      index: { model: 'gbm', p0: 700, sigma: 0 },
      liquidity: { depthUsd: 1e300 }, // closes at the mark exactly
      funding: { enabled: false },
    },
    venue: { liquidationFee: 0, insuranceFund: 0, takerFee: 0 },
    agents: {
      traders: {
        count: 3,
        capital: { dist: 'fixed', value: 0 },
        mix: [{ strategy: 'test-bitmex-setup', count: 3 }],
      },
    },
    waterfall: { stages: [{ stage: 'market' }, { stage: 'insurance-fund' }, { stage: 'adl', ranking }] },
  };
}

describe('ADL', () => {
  it("BitMEX's worked example: a short of 20 bankrupt at 650; the top long of 10 closed, the next of 20 reduced by 10", () => {
    const cfg = parseConfig(bitmexConfig('bitmex'));
    const sim = new Simulation(cfg, { seed: 1, events: true });
    const m = sim.run();
    const a = sim.accounts;
    // the short is closed at the mark 700: shortfall 20·(700 − 650) = 1,000
    expect(m.shortfall).toBeCloseTo(1000, 9);
    expect(m.paid_by_adl).toBeCloseTo(1000, 9);
    expect(m.unpaid).toBe(0);
    expect(a.qty[1]).toBe(0);
    expect(a.qty[2]).toBeCloseTo(10, 12);
    // at 650 the long of 10 gives up 10·50 = 500 of its 1,100; the long of 20 gives up 10·50 = 500
    expect(a.cash[1]).toBeCloseTo(1100 - 500, 9);
    expect(a.cash[2]).toBeCloseTo(10_000 + 10 * 100 - 500, 9);
    expect(a.cash[0]).toBeCloseTo(0, 9);
    expect(m.adl_events).toBe(2);
    // notional at the fill price 650
    expect(m.adl_notional).toBeCloseTo(20 * 650, 9);
    const r = { seed: 1, metrics: m, moneyScale: sim.moneyScale, events: sim.events.columns() };
    const d = eventsOf(r, 'deleverage');
    expect(d.map((e) => e.account)).toEqual([1, 2]);
    expect(d.map((e) => e.price)).toEqual([650, 650]);
    expect(expectWhoPaidPerTick(r)).toBe(1);
    expectConserved(r);
  });

  it('ranked by unrealized PnL instead, the long of 20 goes first and is closed whole', () => {
    const cfg = parseConfig(bitmexConfig('upnl'));
    const sim = new Simulation(cfg, { seed: 1 });
    const m = sim.run();
    expect(sim.accounts.qty[2]).toBe(0);
    expect(sim.accounts.qty[1]).toBe(10);
    expect(m.paid_by_adl).toBeCloseTo(1000, 9);
  });
});

// ------------------------------------------------------------ config

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('the config was accepted');
}

describe('waterfall config', () => {
  it('defaults to market → insurance fund → ADL → socialized loss, with every parameter filled in', () => {
    const cfg = parseConfig({});
    const st = cfg.waterfall.stages as Record<string, unknown>[];
    expect(st.map((s) => s.stage)).toEqual(['market', 'insurance-fund', 'adl', 'socialized']);
    expect(st[2]).toEqual({
      stage: 'adl',
      ranking: 'bitmex',
      policy: 'queue',
      form: 'payer',
      closeWhen: 'bankrupt',
      price: 'bankruptcy',
      maxHaircut: 1,
      book: true,
      close: 'needed',
    });
    expect(parseConfig(structuredClone(cfg))).toEqual(cfg);
  });

  const cases: [string, unknown[], string, RegExp][] = [
    [
      'an unknown stage',
      [{ stage: 'market' }, { stage: 'bailout' }],
      'waterfall.stages[1].stage',
      /unknown stage.*allowed: market/,
    ],
    [
      'a bad parameter value',
      [{ stage: 'market' }, { stage: 'adl', policy: 'lottery' }],
      'waterfall.stages[1].policy',
      /queue/,
    ],
    [
      'an unknown parameter',
      [{ stage: 'market', fractoin: 0.2 }],
      'waterfall.stages[0].fractoin',
      /unknown key; allowed keys here: fraction/,
    ],
    [
      'a stage listed twice',
      [{ stage: 'market' }, { stage: 'adl' }, { stage: 'adl' }],
      'waterfall.stages[2].stage',
      /listed twice/,
    ],
    [
      'no stage that closes positions',
      [{ stage: 'insurance-fund' }],
      'waterfall.stages[0].stage',
      /before any stage that closes/,
    ],
    [
      'a payer before every closer',
      [{ stage: 'adl' }, { stage: 'market' }],
      'waterfall.stages[0].stage',
      /before any stage that closes/,
    ],
    [
      'a closer after one that always takes charge',
      [{ stage: 'market' }, { stage: 'dutch-auction' }],
      'waterfall.stages[1].stage',
      /can never run: 'market'/,
    ],
    ['no stage at all', [], 'waterfall.stages', /at least one stage/],
  ];
  for (const [what, stages, path, message] of cases) {
    it(`rejects ${what} with the path ${path}`, () => {
      const issues = issuesOf({ waterfall: { stages } });
      const hit = issues.find((i) => i.path === path);
      expect(hit, JSON.stringify(issues)).toBeDefined();
      expect(hit!.message).toMatch(message);
    });
  }
});

describe('who paid, through the default waterfall', () => {
  it('holds per tick and per run, with conservation, in crashes on several seeds', () => {
    let shortfalls = 0;
    let adl = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const base = crashConfig(300, 500);
      const r = simulate(
        { ...base, venue: { ...base.venue, insuranceFundShareOfCollateral: 0.0005 } },
        { seed, events: true },
      );
      expectConserved(r);
      expectWhoPaid(r);
      shortfalls += expectWhoPaidPerTick(r);
      adl += r.metrics.paid_by_adl;
    }
    expect(shortfalls).toBeGreaterThan(10);
    expect(adl).toBeGreaterThan(0);
  });
});
