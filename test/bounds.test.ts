/**
 * The limits of src/config/bounds.ts: configs just inside every bound simulate with finite results (every
 * invariant of test/invariants.ts kept: finite metrics, payoffs and series, conservation, who paid), and
 * just past it they are rejected at validation, naming the field and the allowed range.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CAPITAL_TAIL_Z,
  horizonOf,
  MAX_AGENTS,
  MAX_DRIFT_LOG,
  MAX_LEVERAGE,
  MAX_PRICE,
  MAX_SHOCK_FACTOR,
  MAX_TICKS,
  MAX_USD,
  MAX_VOL_LOG,
  MIN_PRICE,
  MIN_SHOCK_FACTOR,
} from '../src/config/bounds.js';
import { ConfigError, parseConfig, simulate } from '../src/index.js';
import { checkRun } from './invariants.js';

const TICKS = 60;
const DT = 60;
const T = horizonOf(TICKS, DT).years;
/** The largest |mu| and sigma allowed over TICKS × DT, a hair inside. */
const MU_MAX = (MAX_DRIFT_LOG / T) * (1 - 1e-9);
const SIGMA_MAX = (MAX_VOL_LOG / Math.sqrt(T)) * (1 - 1e-9);

/** A small venue at the extremes: traders at the largest leverage, liquidators, a fund, the default waterfall. */
function config(extra: { index?: Record<string, unknown>; [k: string]: unknown } = {}) {
  const { index, ...rest } = extra;
  return {
    ticks: TICKS,
    dtSeconds: DT,
    market: { index: index ?? { model: 'gbm' }, liquidity: { depthUsd: 5e6 } },
    venue: { insuranceFund: 10_000 },
    agents: {
      traders: {
        count: 40,
        capital: { dist: 'uniform', min: 1_000, max: 50_000 },
        mix: [
          { strategy: 'hold', fraction: 0.5, params: { leverage: MAX_LEVERAGE, side: 'random' } },
          {
            strategy: 'noise',
            fraction: 0.5,
            params: { leverageMin: 1, leverageMax: MAX_LEVERAGE, arrivalProbability: 0.2 },
          },
        ],
      },
      liquidators: {
        count: 2,
        capital: { dist: 'fixed', value: 1e6 },
        mix: [{ strategy: 'fixed-spread-taker', fraction: 1 }],
      },
    },
    waterfall: {
      stages: [{ stage: 'takeover' }, { stage: 'market' }, { stage: 'insurance-fund' }, { stage: 'adl' }],
    },
    ...rest,
  };
}

/** Every metric of a run is a finite number. */
function expectFinite(metrics: Record<string, number>): void {
  for (const [k, v] of Object.entries(metrics)) expect(Number.isFinite(v), `${k} = ${v}`).toBe(true);
}

/** The issues a config is rejected with. */
function issuesOf(input: unknown, baseDir?: string): { path: string; message: string }[] {
  try {
    parseConfig(input, { baseDir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('the config was accepted');
}

describe('configs just inside the bounds simulate with finite results and every invariant', () => {
  const cases: [string, Record<string, unknown>][] = [
    [
      'GBM at the largest drift and volatility, from the highest start price',
      {
        index: { model: 'gbm', p0: MAX_PRICE, mu: MU_MAX, sigma: SIGMA_MAX },
      },
    ],
    [
      'GBM at the most negative drift and the largest volatility, from the lowest start price',
      {
        index: { model: 'gbm', p0: MIN_PRICE, mu: -MU_MAX, sigma: SIGMA_MAX },
      },
    ],
    [
      'GARCH at the largest drift and long-run volatility',
      {
        index: { model: 'garch', p0: 2000, mu: MU_MAX, sigma: SIGMA_MAX, alpha: 0.5, beta: 0.49 },
      },
    ],
    [
      'Merton with the largest jumps at the largest intensity the horizon allows',
      {
        // variance λT·(10² + 5²) ≤ 100 and drag λT·(e^(−10 + 12.5) − 1 + 10) ≈ 21.2·λT ≤ 50: the variance
        // binds, λT ≤ 0.8
        index: {
          model: 'merton',
          mu: 0,
          sigma: 0,
          jumpMean: -10,
          jumpStd: 5,
          lambda: ((MAX_VOL_LOG * MAX_VOL_LOG) / (T * 125)) * (1 - 1e-9),
        },
      },
    ],
    [
      'the largest spike and the deepest crash a shock may be (Σ|ln(1 + change)| ≈ 41 ≤ 50)',
      {
        market: {
          index: { model: 'gbm', p0: 2000, sigma: 0.8 },
          liquidity: { depthUsd: 5e6 },
          shocks: [
            { atTick: 10, change: MAX_SHOCK_FACTOR - 1, durationSeconds: 60 },
            { atTick: 30, change: MIN_SHOCK_FACTOR - 1, durationSeconds: 600 },
          ],
        },
      },
    ],
  ];
  for (const [what, extra] of cases) {
    it(what, () => {
      for (const seed of [1, 2]) expectFinite(checkRun(config(extra), seed).metrics as never);
    });
  }

  it('the largest capital at the largest leverage and the highest price, and the widest lognormal capital', () => {
    const r = checkRun(
      config({
        index: { model: 'gbm', p0: MAX_PRICE, mu: MU_MAX, sigma: SIGMA_MAX },
        agents: {
          traders: {
            count: 6,
            capital: { dist: 'fixed', value: MAX_USD },
            mix: [{ strategy: 'hold', fraction: 1, params: { leverage: MAX_LEVERAGE, side: 'random' } }],
          },
          lps: {
            count: 20,
            // the 6-standard-deviation agent gets exactly MAX_USD
            capital: { dist: 'lognormal', median: MAX_USD / Math.exp(CAPITAL_TAIL_Z * 5), sigma: 5 },
            mix: [{ strategy: 'lp-passive', fraction: 1 }],
          },
        },
        venue: { insuranceFund: MAX_USD },
        waterfall: { stages: [{ stage: 'market' }, { stage: 'vault' }, { stage: 'insurance-fund' }] },
      }),
      3,
    );
    expectFinite(r.metrics as never);
  });

  it('a replayed CSV swinging between the lowest and the highest price allowed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'backstop-bounds-'));
    const rows = Array.from(
      { length: 8 },
      (_, i) => `${1583971200 + 600 * i},${i % 2 ? MAX_PRICE : MIN_PRICE}`,
    );
    writeFileSync(join(dir, 'swing.csv'), `timestamp,price\n${rows.join('\n')}\n`);
    const cfg = {
      ...config(),
      market: { index: { model: 'replay', file: 'swing.csv' }, liquidity: { depthUsd: 5e6 } },
    };
    const r = simulate(cfg, { seed: 1, baseDir: dir });
    expectFinite(r.metrics as never);
  });
});

describe('just past each bound the config is rejected, naming the field and the allowed range', () => {
  const over = 1 + 1e-6;
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'drift',
      { index: { model: 'gbm', mu: (MAX_DRIFT_LOG / T) * over } },
      'market.index.mu',
      /allowed: \|mu\| ≤ 438,000 per year here/,
    ],
    [
      'negative drift',
      { index: { model: 'gbm', mu: (-MAX_DRIFT_LOG / T) * over } },
      'market.index.mu',
      /\|mu\| ≤ 438,000/,
    ],
    [
      'volatility',
      { index: { model: 'gbm', sigma: (MAX_VOL_LOG / Math.sqrt(T)) * over } },
      'market.index.sigma',
      /allowed: sigma ≤ 935\.9 per √year here/,
    ],
    [
      'GARCH volatility',
      { index: { model: 'garch', sigma: (MAX_VOL_LOG / Math.sqrt(T)) * over } },
      'market.index.sigma',
      /sigma ≤ 935\.9/,
    ],
    [
      'Merton volatility',
      { index: { model: 'merton', sigma: (MAX_VOL_LOG / Math.sqrt(T)) * over } },
      'market.index.sigma',
      /sigma ≤ 935\.9/,
    ],
    [
      'Merton jump variance',
      { index: { model: 'merton', sigma: 0, jumpMean: -1, jumpStd: 0, lambda: (100 / T) * over } },
      'market.index.lambda',
      /lambda ≤ 876,000 per year here/,
    ],
    ['start price', { index: { model: 'gbm', p0: MAX_PRICE * over } }, 'market.index.p0', /at most 1e12 USD/],
    [
      'lowest start price',
      { index: { model: 'gbm', p0: MIN_PRICE / over } },
      'market.index.p0',
      /at least 1e-12 USD/,
    ],
    ['ticks', { ticks: MAX_TICKS + 1 }, 'ticks', /at most 10,000,000 ticks/],
    [
      'a shock after the run',
      { market: { shocks: [{ atTick: TICKS - 1, change: -0.1, durationSeconds: 60 }] } },
      'market.shocks[0].atTick',
      /would move no price; allowed: 0 to 58 \(ticks − 2\)/,
    ],
    [
      'a settlement after the run',
      {
        waterfall: {
          stages: [{ stage: 'market' }, { stage: 'settlement', atTick: TICKS, price: 'oracle' }],
        },
      },
      'waterfall.stages[1].atTick',
      /never happen; allowed: 0 to 59/,
    ],
  ];
  for (const [what, extra, path, message] of cases) {
    it(what, () => {
      const issues = issuesOf(config(extra));
      const hit = issues.find((i) => i.path === path);
      expect(hit, JSON.stringify(issues)).toBeDefined();
      expect(hit!.message).toMatch(message);
    });
  }

  it('agents over every role together', () => {
    const cfg = config();
    const issues = issuesOf({
      ...cfg,
      agents: {
        ...cfg.agents,
        traders: { count: MAX_AGENTS, mix: [{ strategy: 'noise', fraction: 1 }] },
      },
    });
    expect(issues.find((i) => i.path === 'agents')?.message).toMatch(
      /10,000,002 agents in all .*allowed: at most 10,000,000 over every role/,
    );
  });

  it('the bound a message states is accepted', () => {
    const msg = issuesOf(config({ index: { model: 'gbm', mu: 1e308 } })).find(
      (i) => i.path === 'market.index.mu',
    )!;
    const bound = Number(/\|mu\| ≤ ([\d,.e]+) per year/.exec(msg.message)![1].replaceAll(',', ''));
    expect(() => parseConfig(config({ index: { model: 'gbm', mu: bound } }))).not.toThrow();
  });

  it('the checks tied to the horizon follow ticks and dtSeconds', () => {
    // 0.8 a year is fine for a day, not for 200 years
    const long = { ...config({ index: { model: 'gbm', sigma: 0.8 } }), ticks: 200 * 365, dtSeconds: 86_400 };
    expect(issuesOf(long).map((i) => i.path)).toContain('market.index.sigma');
    expect(() => parseConfig(config({ index: { model: 'gbm', sigma: 0.8 } }))).not.toThrow();
  });
});
