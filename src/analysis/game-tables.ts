/**
 * The tables of an empirical game (equilibria.json), built once for the CLI's text output and the HTML
 * report: the equilibria per sweep point, and each role's payoff per profile with its own regret.
 */

import type { EquilibriaFile, PointEquilibria, ProfileSummary } from './game-run.js';
import { fmtNumber } from './render.js';

/** A table: header and rows of cells, already formatted. */
export interface CellTable {
  head: string[];
  rows: string[][];
}

/**
 * A role's own regret in a profile: the best payoff the role gets by switching its strategy, the other
 * roles' strategies fixed, minus its payoff here (≥ 0). The profile's regret is the largest of these.
 */
export function roleRegret(roles: string[], p: PointEquilibria, s: ProfileSummary, role: string): number {
  let best = s.payoffs[role].estimate;
  for (const o of p.profiles)
    if (roles.every((r) => r === role || o.profile[r] === s.profile[r]))
      best = Math.max(best, o.payoffs[role].estimate);
  return best - s.payoffs[role].estimate;
}

/** The best profile's mean loss at a point (USD), when known. */
export function bestLoss(p: PointEquilibria): number | null {
  const b = p.profiles.find((s) => s.label === p.best);
  return b ? b.venue.loss.estimate : null;
}

/**
 * The price of anarchy as printed: the ratio, or `n/a (no loss)` when the best profile and the worst
 * equilibrium both have zero loss (0/0, `priceOfAnarchy` is null in equilibria.json), or `–` when it is
 * undefined otherwise (the best profile has zero loss and an equilibrium does not, or there is no data).
 */
export function formatPriceOfAnarchy(p: PointEquilibria): string {
  if (p.priceOfAnarchy !== null && Number.isFinite(p.priceOfAnarchy)) return p.priceOfAnarchy.toPrecision(3);
  if (p.anarchyGap === 0 && bestLoss(p) === 0) return 'n/a (no loss)';
  return '–';
}

/** USD amounts as the analysis table prints them: 4 significant digits, k/M/B from 10,000 up, '–' for none. */
const num = fmtNumber;

/** The equilibria per sweep point (pure, mixed by replicator dynamics, best for the venue, price of anarchy). */
export function equilibriaTable(f: EquilibriaFile): CellTable {
  return {
    head: [
      'sweep point',
      'pure equilibria',
      'mixed (replicator)',
      'best for the venue',
      'price of anarchy',
      'loss gap (USD)',
    ],
    rows: f.points.map((p) => [
      p.label,
      p.pure.join('; ') || '(none)',
      p.mixed
        ? Object.entries(p.mixed.mix)
            .map(([r, x]) => x.map((v, i) => `${f.strategies[r][i]} ${v.toFixed(2)}`).join(', '))
            .join('; ')
        : '–',
      p.best ?? '–',
      formatPriceOfAnarchy(p),
      p.anarchyGap === null ? '–' : num(p.anarchyGap),
    ]),
  };
}

/** Each role's payoff per agent in each profile with its interval, the role's own regret, the venue's outcomes. */
export function payoffTable(f: EquilibriaFile): CellTable {
  const rows: string[][] = [];
  for (const p of f.points)
    for (const s of p.profiles)
      for (const r of f.roles) {
        const m = s.payoffs[r];
        rows.push([
          p.label,
          s.label,
          r,
          `${num(m.estimate)} [${num(m.low)}, ${num(m.high)}]`,
          num(roleRegret(f.roles, p, s, r)),
          num(s.regret),
          `${(s.venue.insolvency.estimate * 100).toFixed(1)}%`,
          num(s.venue.loss.estimate),
          s.equilibrium ? 'yes' : '',
        ]);
      }
  return {
    head: [
      'sweep point',
      'profile',
      'role',
      'payoff per agent [95% CI] (USD)',
      "role's regret (USD)",
      'profile regret (USD)',
      'P(insolvency)',
      'mean venue loss (USD)',
      'equilibrium',
    ],
    rows,
  };
}
