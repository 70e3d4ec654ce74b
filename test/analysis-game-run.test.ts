import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EquilibriaFile,
  type GameExperiment,
  type ProfileJob,
  runGame,
  simulate,
} from '../src/index.js';

/** A small venue through a crash: the traders' population plays one of two strategies; a swept fee. */
const experiment: GameExperiment = {
  name: 'tiny-game',
  base: {
    ticks: 240,
    market: {
      index: { model: 'gbm', p0: 2000, sigma: 0.8 },
      shocks: [{ atTick: 120, change: -0.3, durationSeconds: 3600 }],
      liquidity: { depthUsd: 2_000_000 },
    },
    venue: { insuranceFund: 0 },
    agents: {
      traders: { count: 60, capital: { dist: 'fixed', value: 10_000 } },
      arbitrageurs: { count: 4, capital: { dist: 'fixed', value: 200_000 } },
    },
  },
  roles: {
    traders: [
      { strategy: 'hold', label: 'hold-10x', params: { side: 'long', leverage: 10 } },
      { strategy: 'hold', label: 'hold-2x', params: { side: 'long', leverage: 2 } },
    ],
    arbitrageurs: [{ strategy: 'basis-arb' }, { strategy: 'funding-carry' }],
  },
  runs: 6,
  seed: 11,
  sweep: { 'venue.liquidationFee': [0.005, 0.02] },
};

let dir: string;
let file: EquilibriaFile;
const seen: ProfileJob[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bs-game-'));
  file = await runGame(experiment, {
    out: dir,
    driver: {
      async run(jobs) {
        seen.push(...jobs);
        const { inProcessDriver } = await import('../src/index.js');
        return inProcessDriver.run(jobs);
      },
    },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runGame', () => {
  it('simulates every profile at every sweep point on common random numbers', () => {
    expect(seen).toHaveLength(2 * 4);
    for (const j of seen) expect(j.seeds).toEqual(seen[0].seeds);
    const cfg = seen[1].config as {
      agents: { traders: { mix: unknown[] }; arbitrageurs: { mix: unknown[] } };
    };
    expect(cfg.agents.traders.mix).toEqual([
      { strategy: 'hold', fraction: 1, params: { side: 'long', leverage: 10 } },
    ]);
    expect(cfg.agents.arbitrageurs.mix).toEqual([{ strategy: 'funding-carry', fraction: 1, params: {} }]);
    expect((seen[4].config as { venue: { liquidationFee: number } }).venue.liquidationFee).toBe(0.02);
  });

  it('estimates payoffs per agent as PnL − outside option, matching a direct simulation', () => {
    const p = file.points[0].profiles[0];
    expect(p.label).toBe('traders=hold-10x,arbitrageurs=basis-arb');
    const direct = seen[0].seeds.map((seed) => {
      const r = simulate(seen[0].config, { seed });
      const g = r.groups.filter((x) => x.role === 'traders');
      return g.reduce((s, x) => s + x.pnl - x.outsideOption, 0) / g.reduce((s, x) => s + x.count, 0);
    });
    expect(p.payoffs.traders.estimate).toBeCloseTo(direct.reduce((a, b) => a + b, 0) / direct.length, 6);
    expect(p.payoffs.traders.n).toBe(6);
  });

  it('reports regrets, pure equilibria consistent with them, a mixed equilibrium, and the venue view', () => {
    for (const pt of file.points) {
      expect(pt.profiles).toHaveLength(4);
      for (const s of pt.profiles) expect(s.regret).toBeGreaterThanOrEqual(0);
      expect(pt.pure).toEqual(pt.profiles.filter((s) => s.equilibrium).map((s) => s.label));
      expect(pt.mixed).not.toBeNull();
      for (const x of Object.values(pt.mixed!.mix)) expect(x.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      const losses = pt.profiles.map((s) => s.venue.loss.estimate);
      expect(pt.best).toBe(pt.profiles[losses.indexOf(Math.min(...losses))].label);
      for (const s of pt.profiles) {
        expect(s.venue.insolvency.estimate).toBeGreaterThanOrEqual(0);
        expect(s.venue.lpReturn).toBeNull();
      }
    }
    // 10x longs through a 30% crash lose more than 2x longs: holding 2x is the traders' best reply everywhere
    for (const pt of file.points) {
      for (const arb of ['basis-arb', 'funding-carry']) {
        const hi = pt.profiles.find((s) => s.label === `traders=hold-10x,arbitrageurs=${arb}`)!;
        const lo = pt.profiles.find((s) => s.label === `traders=hold-2x,arbitrageurs=${arb}`)!;
        expect(lo.payoffs.traders.estimate).toBeGreaterThan(hi.payoffs.traders.estimate);
      }
    }
  });

  it('writes game.arrow and equilibria.json', () => {
    const t = tableFromIPC(readFileSync(join(dir, 'game.arrow')));
    expect(t.schema.fields.map((f) => f.name)).toEqual([
      'point_id',
      'venue.liquidationFee',
      'profile',
      'role',
      'strategy',
      'payoff',
      'ci_low',
      'ci_high',
      'regret',
      'profile_regret',
      'equilibrium',
    ]);
    expect(t.numRows).toBe(2 * 4 * 2);
    const rows = t.toArray();
    for (const r of rows) {
      expect(r.ci_low).toBeLessThanOrEqual(r.payoff);
      expect(r.ci_high).toBeGreaterThanOrEqual(r.payoff);
      expect(r.regret).toBeGreaterThanOrEqual(0);
      expect(r.profile_regret).toBeGreaterThanOrEqual(r.regret - 1e-9);
    }
    const json = JSON.parse(readFileSync(join(dir, 'equilibria.json'), 'utf8')) as EquilibriaFile;
    expect(json.points).toHaveLength(2);
    expect(json.fields).toEqual(['venue.liquidationFee']);
    expect(json.points[1].point).toEqual({ 'venue.liquidationFee': 0.02 });
    expect(JSON.stringify(json)).not.toContain('samples');
  });

  it('refuses a game role without agents in the base config', async () => {
    await expect(
      runGame({ ...experiment, roles: { lps: [{ strategy: 'hold' }] }, sweep: undefined }),
    ).rejects.toThrow(/agents\.lps\.count > 0/);
  });
});

describe('liquidator participation game', () => {
  it('with a large enough takeover bonus "liquidate" beats "stay idle" for liquidators; below some bonus it does not', async () => {
    const f = await runGame({
      name: 'liquidator-participation',
      base: {
        ticks: 400,
        market: {
          index: { model: 'gbm', p0: 2000, sigma: 0.5 },
          shocks: [{ atTick: 200, change: -0.3, durationSeconds: 3600 }],
          liquidity: { depthUsd: 5_000_000 },
        },
        venue: { insuranceFund: 0 },
        waterfall: {
          stages: [
            // no socialized loss: it would claw back the liquidators' bonus gains (they are the tick's
            // winners), which mixes a second mechanism into the participation question
            { stage: 'takeover', bonus: 0.05 },
            { stage: 'market' },
            { stage: 'insurance-fund' },
          ],
        },
        agents: {
          traders: {
            count: 300,
            capital: { dist: 'fixed', value: 10_000 },
            mix: [{ strategy: 'hold', fraction: 1, params: { side: 'long', leverage: 10 } }],
          },
          liquidators: { count: 5, capital: { dist: 'fixed', value: 1_000_000 } },
        },
      },
      roles: {
        liquidators: [
          { strategy: 'fixed-spread-taker', label: 'liquidate', params: { margin: 0 } },
          // never finds a takeover worth a 1e9 margin and runs no keeper bot: stays idle
          { strategy: 'fixed-spread-taker', label: 'idle', params: { margin: 1e9, runsBot: false } },
        ],
      },
      runs: 4,
      seed: 5,
      sweep: { 'waterfall.stages.0.bonus': [0.01, 0.15, 0.25] },
    });
    const payoff = (p: number, s: string) =>
      f.points[p].profiles.find((x) => x.label === `liquidators=${s}`)!.payoffs.liquidators;
    // small bonus: liquidating loses (gas, unwinding through a crashing book) — idle is the equilibrium
    expect(payoff(0, 'liquidate').high).toBeLessThan(payoff(0, 'idle').low);
    expect(f.points[0].pure).toEqual(['liquidators=idle']);
    // large bonus: liquidating pays, significantly
    for (const p of [1, 2]) {
      expect(payoff(p, 'liquidate').low).toBeGreaterThan(payoff(p, 'idle').high);
      expect(f.points[p].pure).toEqual(['liquidators=liquidate']);
      expect(f.points[p].mixed!.mix.liquidators[0]).toBeGreaterThan(0.99);
    }
    for (const pt of f.points) for (const s of pt.profiles) expect(s.failed).toBe(0);
  });

  it('a game whose every run fails is an error with the message', async () => {
    await expect(
      runGame({
        base: {
          waterfall: { stages: [{ stage: 'takeover', nope: 1 }] },
          agents: { liquidators: { count: 1 } },
        },
        roles: { liquidators: [{ strategy: 'fixed-spread-taker' }] },
        runs: 1,
        seed: 1,
      }),
    ).rejects.toThrow(/every run of the game failed: .*nope/s);
  });
});
