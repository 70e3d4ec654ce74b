/**
 * The empirical game of an experiment: build every strategy profile (each role's population playing one
 * candidate strategy), simulate each on common random numbers (the same seeds in every profile), estimate
 * each strategy's payoff per agent (PnL − outside option), and find regrets, equilibria, the venue's
 * outcomes and the price of anarchy, per point of an optional mechanism sweep. Writes `game.arrow` and
 * `equilibria.json`.
 *
 * Simulation goes through a {@link GameDriver}, so a worker pool can run the profiles in parallel; the
 * default driver runs them in-process with `simulate`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimConfigInput } from '../config/schema.js';
import type { GroupPayoff } from '../engine/simulation.js';
import type { RunMetrics } from '../metrics.js';
import { deriveRunSeed } from '../rng.js';
import { simulate } from '../simulate.js';
import { resultFileMeta } from '../version.js';
import { type FieldValue, keyLabel, setPath } from './analyze.js';
import { arrowFileBytes, type WriteColumn } from './arrow-io.js';
import {
  type MixedEquilibrium,
  type PayoffTable,
  type ProfileEntry,
  priceOfAnarchy,
  profileLabel,
  profileRegrets,
  profileWeights,
  replicatorEquilibrium,
} from './game.js';
import { roleRegret } from './game-tables.js';
import { type Interval, type MeanInterval, meanInterval, wilsonInterval } from './stats.js';

/** One candidate strategy of a role. */
export interface StrategyCandidate {
  /** Registered strategy name. */
  strategy: string;
  /** Label in the game (defaults to the strategy name; needed when one strategy appears with two parameter sets). */
  label?: string;
  /** The strategy's parameters. */
  params?: Record<string, unknown>;
}

/** An experiment that declares a game. */
export interface GameExperiment {
  /** Name (written to equilibria.json). */
  name?: string;
  /** Base config. Every role in `roles` must have agents (`count` > 0) in it. */
  base: SimConfigInput;
  /** Candidate strategies per role (config role keys: traders, liquidators, lps, arbitrageurs, marketMakers). */
  roles: Record<string, StrategyCandidate[]>;
  /** Runs per profile. */
  runs: number;
  /** Master seed. */
  seed: number;
  /** Common random numbers across sweep points too (default true; profiles always share seeds). */
  crn?: boolean;
  /** Mechanism sweep: a grid over listed values of dotted config paths. */
  sweep?: Record<string, FieldValue[]>;
  /** Explicit sweep points (dotted config path → value), used instead of `sweep` (e.g. a zip or LHS design). */
  points?: Record<string, FieldValue>[];
}

/** One profile to simulate at one sweep point. */
export interface ProfileJob {
  /** Sweep point index. */
  pointId: number;
  /** Profile index (mixed radix over the roles' candidate lists, last role fastest). */
  profileId: number;
  /** The full config of the profile at that point. */
  config: SimConfigInput;
  /** One seed per run (the same for every profile of a point). */
  seeds: number[];
  /** Directory against which relative config paths resolve. */
  baseDir?: string;
}

/** The outcome of one run of a profile. */
export type ProfileRun = { metrics: RunMetrics; groups: GroupPayoff[] } | { error: string };

/** Runs profile jobs; a worker-pool implementation can run them in parallel. Results in job order. */
export interface GameDriver {
  /** Simulates every run of every job. */
  run(jobs: ProfileJob[]): Promise<ProfileRun[][]>;
}

/** The in-process driver: `simulate` for every run, one after the other. A run that throws is recorded. */
export const inProcessDriver: GameDriver = {
  async run(jobs) {
    return jobs.map((j) =>
      j.seeds.map((seed): ProfileRun => {
        try {
          const r = simulate(j.config, { seed, baseDir: j.baseDir });
          return { metrics: r.metrics, groups: r.groups };
        } catch (e) {
          return { error: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
  },
};

/** The venue's outcomes in one profile. */
export interface VenueOutcome {
  /** Probability of insolvency (loss = socialized_loss + unpaid + open_deficit > 0), Wilson interval. */
  insolvency: Interval;
  /** Mean loss (socialized_loss + unpaid + open_deficit, USD) with its t-interval. */
  loss: MeanInterval;
  /** Mean vault_return of backstop LPs with its t-interval, when the config has LPs; else null. */
  lpReturn: MeanInterval | null;
}

/** Expected venue outcomes under a mixed profile (probability-weighted over profiles). */
export interface MixedVenueOutcome {
  /** Probability of insolvency. */
  insolvency: number;
  /** Mean loss (USD). */
  loss: number;
  /** LP return, when the config has LPs. */
  lpReturn: number | null;
}

/** One profile's results at one sweep point, as written to equilibria.json. */
export interface ProfileSummary {
  /** `role=strategy,…`. */
  label: string;
  /** Strategy per role. */
  profile: Record<string, string>;
  /** Per role: payoff per agent (PnL − outside option, USD) with its interval. */
  payoffs: Record<string, MeanInterval>;
  /** The most any role gains by switching (≥ 0). */
  regret: number;
  /** No deviation gain significantly above zero. */
  equilibrium: boolean;
  /** The venue's outcomes. */
  venue: VenueOutcome;
  /** Runs that failed. */
  failed: number;
  /** Distinct error messages of the failed runs (at most 5). */
  errors: string[];
}

/** Everything found at one sweep point. */
export interface PointEquilibria {
  /** Sweep point index. */
  pointId: number;
  /** Swept values. */
  point: Record<string, FieldValue>;
  /** Label of the point. */
  label: string;
  /** Every profile. */
  profiles: ProfileSummary[];
  /** Labels of the pure equilibria. */
  pure: string[];
  /** The mixed equilibrium by replicator dynamics, with expected venue outcomes. */
  mixed: (MixedEquilibrium & { venue: MixedVenueOutcome }) | null;
  /** The profile with the smallest mean loss for the venue. */
  best: string | null;
  /**
   * Worst equilibrium's mean loss over the best profile's; null when undefined: the best profile has zero
   * loss (0/0 when the worst equilibrium has none either, where `anarchyGap` is 0), or no data.
   */
  priceOfAnarchy: number | null;
  /** Worst equilibrium's mean loss − the best profile's (USD). */
  anarchyGap: number | null;
}

/** Contents of equilibria.json. */
export interface EquilibriaFile {
  /** Experiment name. */
  experiment: string | null;
  /** Roles of the game. */
  roles: string[];
  /** Candidate strategy labels per role. */
  strategies: Record<string, string[]>;
  /** Runs per profile. */
  runs: number;
  /** Master seed. */
  seed: number;
  /** Swept fields. */
  fields: string[];
  /** Confidence level. */
  level: number;
  /** One entry per sweep point. */
  points: PointEquilibria[];
}

/** Options of {@link runGame}. */
export interface RunGameOptions {
  /** Write game.arrow and equilibria.json here (created); nothing is written when absent. */
  out?: string;
  /** The simulation driver (in-process by default). */
  driver?: GameDriver;
  /** Confidence level (0.95). */
  level?: number;
  /** Directory against which relative config paths resolve. */
  baseDir?: string;
}

function gridPoints(sweep: Record<string, FieldValue[]> | undefined): Record<string, FieldValue>[] {
  let pts: Record<string, FieldValue>[] = [{}];
  for (const [f, vals] of Object.entries(sweep ?? {}))
    pts = pts.flatMap((p) => vals.map((v) => ({ ...p, [f]: v })));
  return pts;
}

/** Every profile of the game, last role varying fastest. */
export function gameProfiles(roles: Record<string, StrategyCandidate[]>): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const [role, cands] of Object.entries(roles))
    out = out.flatMap((p) => cands.map((c) => ({ ...p, [role]: c.label ?? c.strategy })));
  return out;
}

/** The config of one profile at one sweep point: base, swept values, and each game role's mix set to its strategy. */
export function profileConfig(
  exp: GameExperiment,
  point: Record<string, FieldValue>,
  profile: Record<string, string>,
): SimConfigInput {
  const cfg = JSON.parse(JSON.stringify(exp.base)) as Record<string, unknown>;
  for (const [f, v] of Object.entries(point)) setPath(cfg, f, v);
  const agents = (cfg.agents ??= {}) as Record<string, Record<string, unknown>>;
  for (const [role, cands] of Object.entries(exp.roles)) {
    const c = cands.find((x) => (x.label ?? x.strategy) === profile[role])!;
    const r = (agents[role] ??= {});
    if (!(typeof r.count === 'number' && r.count > 0))
      throw new Error(`game role ${role}: the base config needs agents.${role}.count > 0`);
    r.mix = [{ strategy: c.strategy, fraction: 1, params: c.params ?? {} }];
  }
  return cfg as SimConfigInput;
}

function errorsOf(runs: ProfileRun[]): string[] {
  const out = new Set<string>();
  for (const r of runs) if ('error' in r && out.size < 5) out.add(r.error);
  return [...out];
}

function venueOutcome(runs: ProfileRun[], hasLps: boolean, level: number): VenueOutcome {
  const ok = runs.filter((r): r is Extract<ProfileRun, { metrics: RunMetrics }> => 'metrics' in r);
  const loss = ok.map((r) => r.metrics.loss);
  return {
    insolvency: wilsonInterval(loss.filter((l) => l > 0).length, loss.length, level),
    loss: meanInterval(loss, level, { min: 0 }),
    lpReturn: hasLps
      ? meanInterval(
          ok.map((r) => r.metrics.vault_return),
          level,
          { min: -1 },
        )
      : null,
  };
}

/**
 * Runs the empirical game of an experiment (see the module comment) and, with `out`, writes
 * `out/game.arrow` (point_id, swept fields, profile, role, strategy, payoff, ci_low, ci_high, regret,
 * profile_regret, equilibrium) and `out/equilibria.json` ({@link EquilibriaFile}).
 *
 * Payoff of a strategy in a profile: per agent of the role, PnL − outside option, averaged over runs.
 * Deviation gains are paired by run (common random numbers). The venue's cost for the best profile and
 * the price of anarchy is the mean loss (socialized + unpaid).
 */
export async function runGame(exp: GameExperiment, opts: RunGameOptions = {}): Promise<EquilibriaFile> {
  const level = opts.level ?? 0.95;
  const driver = opts.driver ?? inProcessDriver;
  const roles = Object.keys(exp.roles);
  if (roles.length === 0) throw new Error('a game needs at least one role with candidate strategies');
  for (const r of roles)
    if (!exp.roles[r]?.length) throw new Error(`game role ${r}: no candidate strategies`);
  if (!(Number.isInteger(exp.runs) && exp.runs > 0)) throw new Error('runs must be a positive integer');
  const strategies = Object.fromEntries(
    roles.map((r) => [r, exp.roles[r].map((c) => c.label ?? c.strategy)]),
  );
  const points = exp.points?.length ? exp.points : gridPoints(exp.sweep);
  const profiles = gameProfiles(exp.roles);
  const jobs: ProfileJob[] = [];
  points.forEach((point, pointId) => {
    const seeds = Array.from({ length: exp.runs }, (_, i) =>
      deriveRunSeed(exp.seed, pointId, i, exp.crn ?? true),
    );
    profiles.forEach((profile, profileId) => {
      jobs.push({
        pointId,
        profileId,
        config: profileConfig(exp, point, profile),
        seeds,
        baseDir: opts.baseDir,
      });
    });
  });
  const results = await driver.run(jobs);
  const all = results.flat();
  const firstError = all.find((r): r is { error: string } => 'error' in r);
  if (firstError && all.every((r) => 'error' in r))
    throw new Error(`every run of the game failed: ${firstError.error}`);
  const hasLps = ((exp.base.agents as Record<string, { count?: number }> | undefined)?.lps?.count ?? 0) > 0;

  const out: PointEquilibria[] = points.map((point, pointId) => {
    const entries: ProfileEntry[] = [];
    const venues: VenueOutcome[] = [];
    const failed: number[] = [];
    profiles.forEach((profile, profileId) => {
      const runs = results[pointId * profiles.length + profileId];
      const payoffs: ProfileEntry['payoffs'] = {};
      for (const role of roles) {
        const samples = new Float64Array(runs.length);
        runs.forEach((r, i) => {
          if (!('groups' in r)) {
            samples[i] = Number.NaN;
            return;
          }
          let sum = 0;
          let count = 0;
          for (const g of r.groups)
            if (g.role === role) {
              sum += g.pnl - g.outsideOption;
              count += g.count;
            }
          samples[i] = count > 0 ? sum / count : Number.NaN;
        });
        const mi = meanInterval(samples, level);
        payoffs[role] = { mean: mi.estimate, se: Number.isFinite(mi.se) ? mi.se : 0, samples };
      }
      const venue = venueOutcome(runs, hasLps, level);
      venues.push(venue);
      failed.push(runs.filter((r) => 'error' in r).length);
      entries.push({ profile, payoffs, venueCost: venue.loss.estimate });
    });
    const table: PayoffTable = { roles, strategies, profiles: entries };
    const regrets = profileRegrets(table, { level });
    const pure = regrets.filter((r) => r.equilibrium);
    let mixed: PointEquilibria['mixed'] = null;
    try {
      const m = replicatorEquilibrium(table);
      const w = profileWeights(table, m.mix);
      const ex = (f: (v: VenueOutcome) => number) => venues.reduce((s, v, i) => s + w[i] * f(v), 0);
      mixed = {
        ...m,
        venue: {
          insolvency: ex((v) => v.insolvency.estimate),
          loss: ex((v) => v.loss.estimate),
          lpReturn: hasLps ? ex((v) => v.lpReturn?.estimate ?? Number.NaN) : null,
        },
      };
    } catch {
      mixed = null; // some profile has no finite payoff (every run failed)
    }
    const poa = priceOfAnarchy(table, pure, mixed);
    return {
      pointId,
      point,
      label: keyLabel(point),
      profiles: entries.map((e, i) => ({
        label: profileLabel(roles, e.profile),
        profile: e.profile,
        payoffs: Object.fromEntries(roles.map((r) => [r, meanInterval(e.payoffs[r].samples!, level)])),
        regret: regrets[i].regret,
        equilibrium: regrets[i].equilibrium,
        venue: venues[i],
        failed: failed[i],
        errors: errorsOf(results[pointId * profiles.length + i]),
      })),
      pure: pure.map((p) => p.label),
      mixed,
      best: poa.best ? profileLabel(roles, poa.best.profile) : null,
      priceOfAnarchy: poa.ratio,
      anarchyGap: poa.gap,
    };
  });

  const file: EquilibriaFile = {
    experiment: exp.name ?? null,
    roles,
    strategies,
    runs: exp.runs,
    seed: exp.seed,
    fields: Object.keys(points[0] ?? {}),
    level,
    points: out,
  };
  if (opts.out) writeGameFiles(opts.out, file);
  return file;
}

/** The rows of game.arrow: one per (sweep point, profile, role). */
export function gameArrowBytes(file: EquilibriaFile): Uint8Array {
  const rows: { p: PointEquilibria; s: ProfileSummary; role: string }[] = [];
  for (const p of file.points)
    for (const s of p.profiles) for (const role of file.roles) rows.push({ p, s, role });
  const cols: WriteColumn[] = [{ name: 'point_id', type: 'i32', values: rows.map((r) => r.p.pointId) }];
  for (const f of file.fields) {
    const numeric = rows.every((r) => typeof r.p.point[f] === 'number');
    cols.push(
      numeric
        ? { name: f, type: 'f64', values: rows.map((r) => r.p.point[f] as number) }
        : { name: f, type: 'utf8', values: rows.map((r) => String(r.p.point[f])) },
    );
  }
  cols.push(
    { name: 'profile', type: 'utf8', values: rows.map((r) => r.s.label) },
    { name: 'role', type: 'utf8', values: rows.map((r) => r.role) },
    { name: 'strategy', type: 'utf8', values: rows.map((r) => r.s.profile[r.role]) },
    { name: 'payoff', type: 'f64', values: rows.map((r) => r.s.payoffs[r.role].estimate) },
    { name: 'ci_low', type: 'f64', values: rows.map((r) => r.s.payoffs[r.role].low) },
    { name: 'ci_high', type: 'f64', values: rows.map((r) => r.s.payoffs[r.role].high) },
    { name: 'regret', type: 'f64', values: rows.map((r) => roleRegret(file.roles, r.p, r.s, r.role)) },
    { name: 'profile_regret', type: 'f64', values: rows.map((r) => r.s.regret) },
    { name: 'equilibrium', type: 'i32', values: rows.map((r) => (r.s.equilibrium ? 1 : 0)) },
  );
  return arrowFileBytes(cols, resultFileMeta(file.experiment ?? null, 'game'));
}

/** Writes game.arrow and equilibria.json into `dir` (each via a temporary name, then renamed). */
export function writeGameFiles(dir: string, file: EquilibriaFile): void {
  mkdirSync(dir, { recursive: true });
  const put = (name: string, data: string | Uint8Array) => {
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(dir, name));
  };
  put('game.arrow', gameArrowBytes(file));
  put(
    'equilibria.json',
    `${JSON.stringify(file, (k, v) => (k === 'samples' ? undefined : typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
  );
}
