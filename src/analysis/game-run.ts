/**
 * The empirical game of an experiment: build every strategy profile (each role's population playing one
 * candidate strategy), simulate each on common random numbers (the same seeds in every profile), estimate
 * each strategy's payoff per agent (PnL − outside option), and find regrets, equilibria, the venue's
 * outcomes and the price of anarchy, per point of an optional mechanism sweep. Writes `game.arrow` and
 * `equilibria.json`.
 *
 * Two halves: simulating the profiles, and finding the equilibria from the runs ({@link gameEquilibria},
 * whatever ran them). `runGame` simulates through a {@link GameDriver} (in-process by default, or one of
 * the caller's); `backstop-sim game` runs the game as a batch on the runner (`runGameBatch`: durable parts,
 * resume, shards) and finds the equilibria from its `runs.arrow` ({@link writeGameOfBatch}). Both give the
 * same bytes.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SimConfigInput } from '../config/schema.js';
import type { GroupPayoff } from '../engine/simulation.js';
import {
  candidateLabels,
  type GamePlan,
  gameProfiles,
  gameRoles,
  payoffColumn,
  profileConfig,
  profilesOf,
  rolePayoff,
  type StrategyCandidate,
} from '../experiment/game.js';
import type { ResolvedExperiment } from '../experiment/resolve.js';
import { gridPoints } from '../experiment/sweep.js';
import type { RunMetrics } from '../metrics.js';
import { deriveRunSeed } from '../rng.js';
import { writeFileAtomic } from '../safe-fs.js';
import { simulate } from '../simulate.js';
import { resultFileMeta } from '../version.js';
import { type FieldValue, keyLabel, readManifest } from './analyze.js';
import { arrowFileBytes, readArrowFile, type WriteColumn } from './arrow-io.js';
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

export type { StrategyCandidate };
export { gameProfiles, profileConfig };

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

/**
 * One run of a profile as the game's analysis needs it: each game role's payoff per agent (PnL − outside
 * option), the venue's loss and the LPs' vault return; or the run's error. A {@link ProfileRun} gives it
 * ({@link gameRunOf}), and so does a row of a game batch's `runs.arrow` (`payoff_<role>`, `loss`,
 * `vault_return`).
 */
export type GameRun =
  | { payoffs: Record<string, number>; loss: number; vaultReturn: number }
  | { error: string };

/** The {@link GameRun} of a simulated run: its roles' payoffs per agent from its group payoffs. */
export function gameRunOf(r: ProfileRun, roles: string[]): GameRun {
  if ('error' in r) return { error: r.error };
  return {
    payoffs: Object.fromEntries(roles.map((role) => [role, rolePayoff(r.groups, role)])),
    loss: r.metrics.loss,
    vaultReturn: r.metrics.vault_return,
  };
}

/** What the game's analysis needs besides the runs. */
export interface GameSpec {
  /** Experiment name (written to equilibria.json), or null. */
  experiment: string | null;
  /** Candidate labels per role, in role order. */
  strategies: Record<string, string[]>;
  /** Runs per profile. */
  runs: number;
  /** Master seed. */
  seed: number;
  /** The mechanism's sweep points ([{}] without a sweep). */
  points: Record<string, FieldValue>[];
  /** Confidence level. */
  level: number;
  /** Whether the base config has LPs (the venue outcomes then include their vault return). */
  hasLps: boolean;
}

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

function errorsOf(runs: GameRun[]): string[] {
  const out = new Set<string>();
  for (const r of runs) if ('error' in r && out.size < 5) out.add(r.error);
  return [...out];
}

function venueOutcome(runs: GameRun[], hasLps: boolean, level: number): VenueOutcome {
  const ok = runs.filter((r): r is Extract<GameRun, { loss: number }> => 'loss' in r);
  const loss = ok.map((r) => r.loss);
  return {
    insolvency: wilsonInterval(loss.filter((l) => l > 0).length, loss.length, level),
    loss: meanInterval(loss, level, { min: 0 }),
    lpReturn: hasLps
      ? meanInterval(
          ok.map((r) => r.vaultReturn),
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
  const points = exp.points?.length ? exp.points : gridPoints(exp.sweep ?? {});
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
  const file = gameEquilibria(
    {
      experiment: exp.name ?? null,
      strategies: candidateLabels(exp.roles),
      runs: exp.runs,
      seed: exp.seed,
      points,
      level,
      hasLps: ((exp.base.agents as Record<string, { count?: number }> | undefined)?.lps?.count ?? 0) > 0,
    },
    results.map((runs) => runs.map((r) => gameRunOf(r, roles))),
  );
  if (opts.out) writeGameFiles(opts.out, file);
  return file;
}

/**
 * The game an experiment declares, as `runGame` plays it: the base config, the candidates, runs, seed and
 * the sweep points of a resolved experiment (resolved without the `game` override). With the in-process
 * driver, `runGame` of it writes the same bytes as `backstop-sim game` (`runGameBatch`).
 */
export function gameExperimentOf(e: ResolvedExperiment): GameExperiment {
  if (!e.game) throw new Error(`${e.name} declares no game`);
  if (e.gameBatch)
    throw new Error(`${e.name} is resolved as a game batch; resolve it without the game override`);
  return {
    name: e.name,
    base: e.base as SimConfigInput,
    roles: e.game.roles,
    runs: e.runs,
    seed: e.seed,
    crn: e.crn,
    points: e.fields.length ? e.points : undefined,
  };
}

/**
 * The game's analysis: from every profile's runs at every sweep point (`results[point · P + profile]`, P
 * profiles, the last role varying fastest; whatever simulated them), each strategy's payoff with its
 * interval, the regrets, the pure and mixed equilibria, the venue's outcomes and the price of anarchy.
 *
 * @throws Error when every run failed
 */
export function gameEquilibria(spec: GameSpec, results: GameRun[][]): EquilibriaFile {
  const { level, hasLps, points, strategies } = spec;
  const roles = Object.keys(strategies);
  const profiles = profilesOf(strategies);
  if (results.length !== points.length * profiles.length)
    throw new Error(
      `the game has ${points.length} point(s) × ${profiles.length} profile(s), but runs of ${results.length} were given`,
    );
  const all = results.flat();
  const firstError = all.find((r): r is { error: string } => 'error' in r);
  if (firstError && all.every((r) => 'error' in r))
    throw new Error(`every run of the game failed: ${firstError.error}`);

  const out: PointEquilibria[] = points.map((point, pointId) => {
    const entries: ProfileEntry[] = [];
    const venues: VenueOutcome[] = [];
    const failed: number[] = [];
    profiles.forEach((profile, profileId) => {
      const runs = results[pointId * profiles.length + profileId];
      const payoffs: ProfileEntry['payoffs'] = {};
      for (const role of roles) {
        const samples = Float64Array.from(runs, (r) => ('payoffs' in r ? r.payoffs[role] : Number.NaN));
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

  return {
    experiment: spec.experiment,
    roles,
    strategies,
    runs: spec.runs,
    seed: spec.seed,
    fields: Object.keys(points[0] ?? {}),
    level,
    points: out,
  };
}

/** What a game batch's manifest.json says of it (the plan's fields `game` and `sweep`, and the runs). */
interface GameManifest {
  experiment?: string;
  game?: GamePlan;
  sweep?: { points?: Record<string, FieldValue>[] };
  runsPerPoint?: number;
  masterSeed?: number;
}

/**
 * The equilibria of a finished game batch (`backstop-sim game`, or the merge of its shards), from its
 * `manifest.json` and `runs.arrow` alone: each run's `payoff_<role>` columns, `loss` and `vault_return`
 * (the failed runs' `error`), in the batch's (mechanism point × profile) points.
 *
 * @throws Error when the directory is not a whole game batch (no game in its manifest, runs missing) or
 * every run failed
 */
export function gameOfBatch(dir: string): EquilibriaFile {
  const b = readGameBatch(dir);
  return gameEquilibria(b.spec, b.results);
}

function readGameBatch(dir: string): { spec: GameSpec; results: GameRun[][] } {
  const m = readManifest(dir) as GameManifest | null;
  const g = m?.game;
  const batchPoints = m?.sweep?.points;
  const runs = m?.runsPerPoint;
  if (!g || !batchPoints || typeof runs !== 'number' || typeof m.masterSeed !== 'number')
    throw new Error(`${dir}: manifest.json is not that of a game batch (backstop-sim game)`);
  const t = readArrowFile(join(dir, 'runs.arrow'));
  const C = t.columns;
  const roles = gameRoles(g);
  const P = g.profiles;
  const results: (GameRun | undefined)[][] = batchPoints.map(() => new Array(runs));
  const pointId = C.point_id as Float64Array;
  const run = C.run as Float64Array;
  const status = C.status as (string | null)[];
  const error = C.error as (string | null)[];
  const payoff = roles.map((r) => C[payoffColumn(r)] as Float64Array);
  const loss = C.loss as Float64Array;
  const vaultReturn = C.vault_return as Float64Array;
  for (let i = 0; i < t.rows; i++) {
    results[pointId[i]][run[i]] =
      status[i] === 'ok'
        ? {
            payoffs: Object.fromEntries(roles.map((r, k) => [r, payoff[k][i]])),
            loss: loss[i],
            vaultReturn: vaultReturn[i],
          }
        : { error: error[i] ?? 'failed' };
  }
  const missing = results.reduce((s, rs) => s + rs.filter((r) => r === undefined).length, 0);
  if (missing > 0)
    throw new Error(
      `${dir}: runs.arrow lacks ${missing} of the game's ${batchPoints.length * runs} runs (a shard?)`,
    );
  const points = Array.from({ length: batchPoints.length / P }, (_, k) =>
    Object.fromEntries(g.fields.map((f) => [f, batchPoints[k * P][f]])),
  );
  return {
    spec: {
      experiment: m.experiment ?? null,
      strategies: candidateLabels(g.roles),
      runs,
      seed: m.masterSeed,
      points,
      level: g.level,
      hasLps: g.hasLps,
    },
    results: results as GameRun[][],
  };
}

/**
 * Writes game.arrow and equilibria.json of a finished game batch in `dir` ({@link gameOfBatch}). When every
 * run failed there are no equilibria: the files of an earlier game there are removed and null returned.
 */
export function writeGameOfBatch(dir: string): EquilibriaFile | null {
  const b = readGameBatch(dir);
  if (b.results.every((rs) => rs.every((r) => 'error' in r))) {
    for (const f of ['game.arrow', 'equilibria.json']) rmSync(join(dir, f), { force: true });
    return null;
  }
  const file = gameEquilibria(b.spec, b.results);
  writeGameFiles(dir, file);
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
  const put = (name: string, data: string | Uint8Array) => writeFileAtomic(join(dir, name), data);
  put('game.arrow', gameArrowBytes(file));
  put(
    'equilibria.json',
    `${JSON.stringify(file, (k, v) => (k === 'samples' ? undefined : typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
  );
}
