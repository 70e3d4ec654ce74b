import { expect } from 'vitest';
import type { SimulateResult } from '../src/index.js';

/**
 * Every test run must conserve money: |money at the end − money at the start| ≤ 1e-9 of the gross money
 * in the system (the acceptance bound of the engine issue).
 */
export function expectConserved(r: SimulateResult): void {
  expect(Number.isFinite(r.metrics.conservation_error)).toBe(true);
  expect(Math.abs(r.metrics.conservation_error)).toBeLessThanOrEqual(1e-9 * r.moneyScale);
}

/** The who-paid identity, exactly up to the rounding of five additions. */
export function expectWhoPaid(r: SimulateResult): void {
  const m = r.metrics;
  const sum = m.paid_by_insurance_fund + m.paid_by_vault + m.paid_by_adl + m.socialized_loss + m.unpaid;
  expect(Math.abs(m.shortfall - sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, m.shortfall));
}

/**
 * The crash venue of the plug-in tests that run a stage written as one file (payer, metric, loss): 300
 * traders, a fifth of them holding at 20×, through a crash of `change` at tick 60 of 120.
 */
export function pluginCrashBase(change = -0.35) {
  return {
    ticks: 120,
    market: {
      index: { model: 'gbm', p0: 2000, sigma: 0.8 },
      shocks: [{ atTick: 60, change, durationSeconds: 3600 }],
      liquidity: { depthUsd: 6000000 },
    },
    agents: {
      traders: {
        count: 300,
        capital: { dist: 'uniform', min: 1000, max: 100000 },
        mix: [
          { strategy: 'noise', fraction: 0.8 },
          { strategy: 'hold', fraction: 0.2, params: { side: 'random', leverage: 20 } },
        ],
      },
    },
  };
}

/** A small bench-like venue: noise traders, a crash in the middle. */
export function crashConfig(n = 500, ticks = 600) {
  return {
    ticks,
    dtSeconds: 60,
    market: {
      index: { model: 'gbm', p0: 2000, sigma: 0.8 },
      shocks: [{ atTick: Math.floor(ticks / 2), change: -0.35, durationSeconds: 7200 }],
      liquidity: { depthUsd: (2e6 * n) / 100, resilience: 0.9 },
    },
    venue: { insuranceFund: 0, insuranceFundShareOfCollateral: 0.005 },
    agents: {
      traders: {
        count: n,
        capital: { dist: 'uniform' as const, min: 1000, max: 100000 },
        mix: [{ strategy: 'noise', fraction: 1 }],
      },
    },
  };
}
