import { describe, expect, it } from 'vitest';
import {
  type PayoffTable,
  priceOfAnarchy,
  profileRegrets,
  pureEquilibria,
  replicatorEquilibrium,
} from '../src/index.js';

/** A two-player game from a bimatrix: payoffs[i][j] = [row's, column's]. */
function bimatrix(rows: string[], cols: string[], payoffs: [number, number][][], se = 0): PayoffTable {
  const profiles = [];
  for (let i = 0; i < rows.length; i++)
    for (let j = 0; j < cols.length; j++)
      profiles.push({
        profile: { row: rows[i], col: cols[j] },
        payoffs: { row: { mean: payoffs[i][j][0], se }, col: { mean: payoffs[i][j][1], se } },
      });
  return { roles: ['row', 'col'], strategies: { row: rows, col: cols }, profiles };
}

describe("prisoner's dilemma", () => {
  const pd = bimatrix(
    ['cooperate', 'defect'],
    ['cooperate', 'defect'],
    [
      [
        [3, 3],
        [0, 5],
      ],
      [
        [5, 0],
        [1, 1],
      ],
    ],
  );
  it('has the unique pure equilibrium defect/defect', () => {
    const eq = pureEquilibria(pd);
    expect(eq.map((e) => e.label)).toEqual(['row=defect,col=defect']);
    const regrets = Object.fromEntries(profileRegrets(pd).map((r) => [r.label, r.regret]));
    expect(regrets['row=cooperate,col=cooperate']).toBe(2);
    expect(regrets['row=cooperate,col=defect']).toBe(1);
    expect(regrets['row=defect,col=defect']).toBe(0);
  });
  it('replicator dynamics go to defect/defect', () => {
    const m = replicatorEquilibrium(pd);
    expect(m.converged).toBe(true);
    expect(m.mix.row[1]).toBeGreaterThan(0.999);
    expect(m.mix.col[1]).toBeGreaterThan(0.999);
  });
  it('price of anarchy: 2 when the venue cost is minus the total payoff shifted to be positive', () => {
    for (const e of pd.profiles) e.venueCost = 10 - (e.payoffs.row.mean + e.payoffs.col.mean);
    const poa = priceOfAnarchy(pd, pureEquilibria(pd), null);
    expect(poa.best?.profile).toEqual({ row: 'cooperate', col: 'cooperate' });
    expect(poa.ratio).toBe(2); // (10 − 2) / (10 − 6)
    expect(poa.gap).toBe(4);
  });
  it('with noisy payoffs a small gain is not significant, a large one is', () => {
    const noisy = bimatrix(
      ['a', 'b'],
      ['a', 'b'],
      [
        [
          [1, 1],
          [1, 1],
        ],
        [
          [1.1, 1],
          [1, 1],
        ],
      ],
      0.5,
    );
    expect(pureEquilibria(noisy).map((e) => e.label)).toContain('row=a,col=a');
    const precise = bimatrix(
      ['a', 'b'],
      ['a', 'b'],
      [
        [
          [1, 1],
          [1, 1],
        ],
        [
          [1.1, 1],
          [1, 1],
        ],
      ],
      0.01,
    );
    expect(pureEquilibria(precise).map((e) => e.label)).not.toContain('row=a,col=a');
  });
});

describe('coordination game', () => {
  const co = bimatrix(
    ['left', 'right'],
    ['left', 'right'],
    [
      [
        [2, 2],
        [0, 0],
      ],
      [
        [0, 0],
        [1, 1],
      ],
    ],
  );
  it('has the two pure equilibria', () => {
    expect(pureEquilibria(co).map((e) => e.label)).toEqual(['row=left,col=left', 'row=right,col=right']);
  });
  it('replicator dynamics from the uniform mix reach an equilibrium (the risk-dominant left/left)', () => {
    const m = replicatorEquilibrium(co);
    expect(m.converged).toBe(true);
    expect(m.mix.row[0]).toBeGreaterThan(0.999);
  });
});

describe('matching pennies', () => {
  const mp = bimatrix(
    ['heads', 'tails'],
    ['heads', 'tails'],
    [
      [
        [1, -1],
        [-1, 1],
      ],
      [
        [-1, 1],
        [1, -1],
      ],
    ],
  );
  it('has no pure equilibrium', () => {
    expect(pureEquilibria(mp)).toEqual([]);
    for (const r of profileRegrets(mp)) expect(r.regret).toBe(2);
  });
  it('has the mixed equilibrium (½, ½) for both, found from an off-centre start by time-averaging the cycle', () => {
    const m = replicatorEquilibrium(mp, { start: { row: [0.8, 0.2], col: [0.3, 0.7] } });
    expect(m.source).toBe('time-average');
    expect(m.mix.row[0]).toBeCloseTo(0.5, 1);
    expect(m.mix.col[0]).toBeCloseTo(0.5, 1);
    expect(Math.abs(m.mix.row[0] - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(m.mix.col[0] - 0.5)).toBeLessThan(0.02);
    expect(m.regret).toBeLessThan(0.05);
  });
});
