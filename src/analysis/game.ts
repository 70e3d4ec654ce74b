/**
 * Empirical game-theoretic analysis of an estimated normal-form game: regret of every profile, pure
 * equilibria that survive the sampling noise, a mixed equilibrium by replicator dynamics (one simplex per
 * role), and the venue's price of anarchy.
 *
 * A game has roles (players, or populations playing as one), each with a list of strategies; a profile
 * gives one strategy per role. The payoff table holds, for each profile, each role's estimated payoff with
 * its standard error, and optionally the per-run samples (aligned by run index across profiles, as under
 * common random numbers) so that deviation gains get paired standard errors.
 */
import { probit } from 'simple-statistics';
import { meanInterval } from './stats.js';

/** One role's estimated payoff in one profile. */
export interface PayoffEstimate {
  /** Mean payoff. */
  mean: number;
  /** Standard error of the mean (0 for exact payoffs). */
  se: number;
  /** Per-run payoffs, index = run (common random numbers), when available: deviation gains are then paired. */
  samples?: ArrayLike<number>;
}

/** One row of a payoff table. */
export interface ProfileEntry {
  /** The strategy each role plays. */
  profile: Record<string, string>;
  /** Each role's payoff in this profile. */
  payoffs: Record<string, PayoffEstimate>;
  /** A cost to the venue (smaller is better), used for the best profile and the price of anarchy. */
  venueCost?: number;
}

/** An estimated game: roles, their strategies, and the payoff of every profile. */
export interface PayoffTable {
  /** Roles, in profile order. */
  roles: string[];
  /** Candidate strategies per role. */
  strategies: Record<string, string[]>;
  /** The profiles estimated (ideally all of them: the product of the strategy lists). */
  profiles: ProfileEntry[];
}

/** Gain of one unilateral deviation. */
export interface Deviation {
  /** Role that deviates. */
  role: string;
  /** Strategy it switches to. */
  to: string;
  /** Estimated gain (payoff after − payoff before). */
  gain: number;
  /** Lower end of the gain's confidence interval. */
  low: number;
  /** Upper end of the gain's confidence interval. */
  high: number;
}

/** Regret analysis of one profile. */
export interface ProfileRegret {
  /** The profile. */
  profile: Record<string, string>;
  /** Its label, `role=strategy,role=strategy`. */
  label: string;
  /** max(0, the largest estimated gain of any unilateral deviation). */
  regret: number;
  /** Per role: max(0, that role's largest estimated gain). */
  roleRegret: Record<string, number>;
  /** The deviation achieving the regret, if any gain is positive. */
  best: Deviation | null;
  /** Every unilateral deviation whose profile is in the table. */
  deviations: Deviation[];
  /** True when no deviation gain is significantly above zero (its interval's lower end ≤ 0). */
  equilibrium: boolean;
  /** False when some deviation's profile is missing from the table (regret is then a lower bound). */
  complete: boolean;
}

/** A mixed strategy profile: per role, a probability per strategy (in the role's strategy order). */
export type MixedProfile = Record<string, number[]>;

/** Result of the replicator-dynamics search. */
export interface MixedEquilibrium {
  /** Probability of each strategy per role. */
  mix: MixedProfile;
  /** Sum over roles of the best-response gain against the mix (NashConv; 0 at an exact equilibrium). */
  regret: number;
  /** regret ≤ tolerance · payoff scale. */
  converged: boolean;
  /** Which point of the trajectory was kept: its end, or its time average (for cycling dynamics). */
  source: 'final' | 'time-average';
}

/** Label of a profile: `role=strategy` joined by commas in role order. */
export function profileLabel(roles: string[], profile: Record<string, string>): string {
  return roles.map((r) => `${r}=${profile[r]}`).join(',');
}

/** Options of {@link profileRegrets}. */
export interface RegretOptions {
  /** Confidence level of the deviation-gain intervals (0.95). */
  level?: number;
}

/** Index of the payoff table by profile label. */
function indexTable(t: PayoffTable): Map<string, ProfileEntry> {
  const m = new Map<string, ProfileEntry>();
  for (const e of t.profiles) m.set(profileLabel(t.roles, e.profile), e);
  return m;
}

/** Interval of the gain `to − from`: paired when both have aligned samples, otherwise √(se₁² + se₂²). */
function gainInterval(from: PayoffEstimate, to: PayoffEstimate, level: number): [number, number, number] {
  const gain = to.mean - from.mean;
  if (from.samples && to.samples && from.samples.length === to.samples.length && from.samples.length > 1) {
    const d = new Float64Array(from.samples.length);
    for (let i = 0; i < d.length; i++) d[i] = to.samples[i] - from.samples[i];
    const mi = meanInterval(d, level);
    if (Number.isFinite(mi.low)) return [gain, gain - (mi.estimate - mi.low), gain + (mi.high - mi.estimate)];
  }
  const se = Math.sqrt(from.se * from.se + to.se * to.se);
  const z = se > 0 ? probit(0.5 + level / 2) : 0;
  return [gain, gain - z * se, gain + z * se];
}

/**
 * Regret of every profile in the table: for each role and each other strategy of that role, the gain of
 * switching unilaterally (the rest fixed). A profile is a pure equilibrium when no gain is significantly
 * above zero, i.e. every gain's confidence interval reaches down to zero or below (with exact payoffs,
 * se = 0: every gain ≤ 0, up to 1e-12 of the payoff scale).
 */
export function profileRegrets(t: PayoffTable, opts: RegretOptions = {}): ProfileRegret[] {
  const level = opts.level ?? 0.95;
  const idx = indexTable(t);
  const tol = 1e-12 * payoffScale(t);
  return t.profiles.map((e) => {
    const label = profileLabel(t.roles, e.profile);
    const deviations: Deviation[] = [];
    let complete = true;
    const roleRegret: Record<string, number> = {};
    for (const r of t.roles) {
      roleRegret[r] = 0;
      for (const s of t.strategies[r]) {
        if (s === e.profile[r]) continue;
        const other = idx.get(profileLabel(t.roles, { ...e.profile, [r]: s }));
        if (!other) {
          complete = false;
          continue;
        }
        const [gain, low, high] = gainInterval(e.payoffs[r], other.payoffs[r], level);
        deviations.push({ role: r, to: s, gain, low, high });
        if (gain > roleRegret[r]) roleRegret[r] = gain;
      }
    }
    let best: Deviation | null = null;
    for (const d of deviations) if (d.gain > 0 && (!best || d.gain > best.gain)) best = d;
    const equilibrium = deviations.every((d) => d.low <= tol);
    return {
      profile: e.profile,
      label,
      regret: best ? best.gain : 0,
      roleRegret,
      best,
      deviations,
      equilibrium,
      complete,
    };
  });
}

/** The profiles that are pure equilibria (see {@link profileRegrets}). */
export function pureEquilibria(t: PayoffTable, opts: RegretOptions = {}): ProfileRegret[] {
  return profileRegrets(t, opts).filter((p) => p.equilibrium);
}

/** Largest |payoff| in the table (1 when all are zero). */
function payoffScale(t: PayoffTable): number {
  let s = 0;
  for (const e of t.profiles) for (const r of t.roles) s = Math.max(s, Math.abs(e.payoffs[r]?.mean ?? 0));
  return s > 0 ? s : 1;
}

/** Dense payoff tensors: one Float64Array per role over the mixed-radix profile index. */
interface Dense {
  roles: string[];
  sizes: number[];
  strides: number[];
  total: number;
  u: Float64Array[];
  /** Spread of payoffs (max − min over everything), used to scale time. */
  spread: number;
}

function densify(t: PayoffTable): Dense {
  const roles = t.roles;
  const sizes = roles.map((r) => t.strategies[r].length);
  const strides: number[] = new Array(roles.length);
  let total = 1;
  for (let k = roles.length - 1; k >= 0; k--) {
    strides[k] = total;
    total *= sizes[k];
  }
  const u = roles.map(() => new Float64Array(total).fill(Number.NaN));
  for (const e of t.profiles) {
    let p = 0;
    let ok = true;
    roles.forEach((r, k) => {
      const j = t.strategies[r].indexOf(e.profile[r]);
      if (j < 0) ok = false;
      p += j * strides[k];
    });
    if (!ok) continue;
    roles.forEach((r, k) => {
      u[k][p] = e.payoffs[r].mean;
    });
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const a of u)
    for (const v of a) {
      if (Number.isNaN(v))
        throw new Error('mixed equilibrium needs every profile of the game in the payoff table');
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  return { roles, sizes, strides, total, u, spread: hi > lo ? hi - lo : 1 };
}

/** Expected payoff of each pure strategy of each role against the others' mixes. */
function strategyValues(d: Dense, x: Float64Array[]): Float64Array[] {
  const out = d.sizes.map((n) => new Float64Array(n));
  const R = d.roles.length;
  const digits = new Int32Array(R);
  for (let p = 0; p < d.total; p++) {
    let rem = p;
    for (let k = 0; k < R; k++) {
      digits[k] = Math.floor(rem / d.strides[k]);
      rem -= digits[k] * d.strides[k];
    }
    for (let k = 0; k < R; k++) {
      let w = 1;
      for (let j = 0; j < R; j++) if (j !== k) w *= x[j][digits[j]];
      if (w !== 0) out[k][digits[k]] += w * d.u[k][p];
    }
  }
  return out;
}

/** NashConv of a mixed profile: Σ_roles (best pure response value − value of the role's mix). */
function nashConv(d: Dense, x: Float64Array[]): number {
  const f = strategyValues(d, x);
  let s = 0;
  for (let k = 0; k < d.roles.length; k++) {
    let best = Number.NEGATIVE_INFINITY;
    let avg = 0;
    for (let i = 0; i < d.sizes[k]; i++) {
      best = Math.max(best, f[k][i]);
      avg += x[k][i] * f[k][i];
    }
    s += best - avg;
  }
  return Math.max(0, s);
}

/** Options of {@link replicatorEquilibrium}. */
export interface ReplicatorOptions {
  /** Starting mix (uniform over each role's strategies by default). */
  start?: MixedProfile;
  /** Integration steps (20,000). */
  steps?: number;
  /** Step in units of 1 / payoff spread (0.05). */
  dt?: number;
  /** Convergence tolerance on NashConv, relative to the payoff spread (1e-3). */
  tolerance?: number;
}

/**
 * A mixed equilibrium by multi-population replicator dynamics, ẋ_ri = x_ri (f_ri(x₋r) − f̄_r(x)), one
 * simplex per role, integrated with RK4 in log-odds coordinates (which keeps the mix inside the simplex)
 * with time scaled by the payoff spread. Where the dynamics converge (e.g. dominance-solvable games) the
 * end point is kept; where they cycle around an interior equilibrium (matching pennies: closed orbits),
 * the time average of the trajectory converges to it instead. Of the two, the one with the smaller
 * NashConv is returned, with that NashConv as its regret. Interior starts cannot reach equilibria the
 * dynamics leave unstable; pure ones are found by {@link pureEquilibria}.
 */
export function replicatorEquilibrium(t: PayoffTable, opts: ReplicatorOptions = {}): MixedEquilibrium {
  const d = densify(t);
  const R = d.roles.length;
  const steps = opts.steps ?? 20_000;
  const h = (opts.dt ?? 0.05) / d.spread;
  const y = d.roles.map((r, k) => {
    const s = opts.start?.[r];
    return Float64Array.from({ length: d.sizes[k] }, (_, i) => Math.log(Math.max(1e-300, s ? s[i] : 1)));
  });
  const toMix = (ly: Float64Array[]): Float64Array[] =>
    ly.map((v) => {
      let m = Number.NEGATIVE_INFINITY;
      for (const a of v) m = Math.max(m, a);
      const e = v.map((a) => Math.exp(a - m));
      let z = 0;
      for (const a of e) z += a;
      return e.map((a) => a / z);
    });
  // in log coordinates ẏ_ri = f_ri − f̄_r
  const deriv = (ly: Float64Array[]): Float64Array[] => {
    const x = toMix(ly);
    const f = strategyValues(d, x);
    return f.map((fr, k) => {
      let avg = 0;
      for (let i = 0; i < fr.length; i++) avg += x[k][i] * fr[i];
      return fr.map((v) => v - avg);
    });
  };
  const axpy = (a: Float64Array[], b: Float64Array[], s: number) =>
    a.map((v, k) => v.map((w, i) => w + s * b[k][i]));
  const avg = d.sizes.map((n) => new Float64Array(n));
  let cur = y;
  for (let step = 0; step < steps; step++) {
    const k1 = deriv(cur);
    const k2 = deriv(axpy(cur, k1, h / 2));
    const k3 = deriv(axpy(cur, k2, h / 2));
    const k4 = deriv(axpy(cur, k3, h));
    cur = cur.map((v, k) =>
      v.map((w, i) => w + (h / 6) * (k1[k][i] + 2 * k2[k][i] + 2 * k3[k][i] + k4[k][i])),
    );
    // keep log-mixes bounded: shift so each role's max is 0
    for (const v of cur) {
      let m = Number.NEGATIVE_INFINITY;
      for (const a of v) m = Math.max(m, a);
      for (let i = 0; i < v.length; i++) v[i] = Math.max(v[i] - m, -700);
    }
    const x = toMix(cur);
    for (let k = 0; k < R; k++) for (let i = 0; i < d.sizes[k]; i++) avg[k][i] += x[k][i] / steps;
  }
  const final = toMix(cur);
  const rf = nashConv(d, final);
  const ra = nashConv(d, avg);
  const useFinal = rf <= ra;
  const x = useFinal ? final : avg;
  const regret = useFinal ? rf : ra;
  const mix: MixedProfile = {};
  d.roles.forEach((r, k) => {
    mix[r] = Array.from(x[k]);
  });
  return {
    mix,
    regret,
    converged: regret <= (opts.tolerance ?? 1e-3) * d.spread,
    source: useFinal ? 'final' : 'time-average',
  };
}

/** Probability of each profile of the table under a mixed profile (product of the roles' probabilities). */
export function profileWeights(t: PayoffTable, mix: MixedProfile): number[] {
  return t.profiles.map((e) =>
    t.roles.reduce((w, r) => w * (mix[r]?.[t.strategies[r].indexOf(e.profile[r])] ?? 0), 1),
  );
}

/** Price of anarchy for the venue, from venue costs (smaller is better). */
export interface PriceOfAnarchy {
  /** The profile with the smallest venue cost. */
  best: ProfileEntry | null;
  /** The largest venue cost over the pure equilibria (or the mixed one's expected cost when none is pure). */
  worstEquilibriumCost: number | null;
  /** worst equilibrium cost / best cost; null when undefined: best = 0 (0/0 when worst is 0 too; `gap` is then 0), or no data. */
  ratio: number | null;
  /** worst equilibrium cost − best cost. */
  gap: number | null;
}

/**
 * Price of anarchy against the best profile for the venue: the venue cost of the worst equilibrium over
 * the smallest venue cost of any profile. Uses the pure equilibria given, or the mixed equilibrium's
 * expected cost when there is no pure one.
 */
export function priceOfAnarchy(
  t: PayoffTable,
  pure: ProfileRegret[],
  mixed: MixedEquilibrium | null,
): PriceOfAnarchy {
  const withCost = t.profiles.filter((e) => typeof e.venueCost === 'number' && Number.isFinite(e.venueCost));
  if (withCost.length === 0) return { best: null, worstEquilibriumCost: null, ratio: null, gap: null };
  let best = withCost[0];
  for (const e of withCost) if ((e.venueCost as number) < (best.venueCost as number)) best = e;
  const idx = indexTable(t);
  let worst: number | null = null;
  for (const p of pure) {
    const c = idx.get(p.label)?.venueCost;
    if (typeof c === 'number' && (worst === null || c > worst)) worst = c;
  }
  if (worst === null && mixed) {
    const w = profileWeights(t, mixed.mix);
    worst = t.profiles.reduce((s, e, i) => s + w[i] * (e.venueCost ?? 0), 0);
  }
  if (worst === null) return { best, worstEquilibriumCost: null, ratio: null, gap: null };
  const b = best.venueCost as number;
  const ratio = b === 0 ? null : worst / b;
  return { best, worstEquilibriumCost: worst, ratio, gap: worst - b };
}
