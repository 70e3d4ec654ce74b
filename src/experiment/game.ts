/**
 * A game as an ordinary batch. `resolveExperiment` with the override `game: true` expands an experiment's
 * `game` section into a batch whose sweep points are the pairs (mechanism sweep point × strategy profile):
 * point `k = m · P + p` (P profiles, the last role varying fastest) runs profile `p` at mechanism point `m`.
 * Its swept fields are the mechanism's fields followed by one text field per game role, `game.<role>`,
 * holding the candidate's label, so `runs.arrow` says what each run played. Every profile at a mechanism
 * point runs on the same seeds (common random numbers): a run's seed comes from its mechanism point
 * ({@link seedPoint}), not from its batch point. Each run also records its game roles' payoffs per agent
 * (PnL − outside option), the `payoff_<role>` columns of `runs.arrow`, from which the equilibria are found.
 */
import { type FieldValue, setPath } from '../analysis/analyze.js';
import { parseConfig } from '../config/parse.js';
import type { SimConfig, SimConfigInput } from '../config/schema.js';
import type { GroupPayoff } from '../engine/simulation.js';
import { ConfigError } from '../errors.js';
import { roleField } from './game-columns.js';
import type { FieldType, ResolvedExperiment } from './resolve.js';
import type { SweepPoint } from './sweep.js';

export { gameColumnRole, payoffColumn, roleField } from './game-columns.js';

/** One candidate strategy of a role. */
export interface StrategyCandidate {
  /** Registered strategy name. */
  strategy: string;
  /** Label in the game (defaults to the strategy name; needed when one strategy appears with two parameter sets). */
  label?: string;
  /** The strategy's parameters. */
  params?: Record<string, unknown>;
}

/** What a game batch adds to its plan: enough to find the equilibria from `runs.arrow` alone. */
export interface GamePlan {
  /** Candidates per role, in role order (the order of the profiles' radix and of the payoff columns). */
  roles: Record<string, StrategyCandidate[]>;
  /** Profiles per mechanism point (the product of the roles' candidate counts). */
  profiles: number;
  /** The mechanism's swept fields (the batch's swept fields without the `game.<role>` ones). */
  fields: string[];
  /** Confidence level of the game's intervals and equilibria. */
  level: number;
  /** Whether the base config has LPs (the venue outcomes then include their `vault_return`). */
  hasLps: boolean;
}

/**
 * The mechanism point whose seeds a batch point's runs use: under a game, every profile of a mechanism
 * point shares its seeds; otherwise the point itself.
 */
export function seedPoint(game: Pick<GamePlan, 'profiles'> | null | undefined, point: number): number {
  return game ? Math.floor(point / game.profiles) : point;
}

/**
 * A role's payoff per agent in one run: the sum over its groups of PnL − outside option, over its agents
 * (NaN when the run has none of the role).
 */
export function rolePayoff(groups: GroupPayoff[], role: string): number {
  let sum = 0;
  let count = 0;
  for (const g of groups)
    if (g.role === role) {
      sum += g.pnl - g.outsideOption;
      count += g.count;
    }
  return count > 0 ? sum / count : Number.NaN;
}

/**
 * The game roles of a game batch's plan, in role order (the order of its profiles' radix and of its
 * `payoff_<role>` columns); none for a plan that is no game.
 */
export const gameRoles = (game: Pick<GamePlan, 'roles'> | null | undefined): string[] =>
  Object.keys(game?.roles ?? {});

/** Candidate labels per role (a candidate's label, else its strategy name). */
export function candidateLabels(roles: Record<string, StrategyCandidate[]>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(roles).map(([r, cs]) => [r, cs.map((c) => c.label ?? c.strategy)]),
  );
}

/** Every profile of labels per role, last role varying fastest. */
export function profilesOf(labels: Record<string, string[]>): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const [role, ls] of Object.entries(labels))
    out = out.flatMap((p) => ls.map((l) => ({ ...p, [role]: l })));
  return out;
}

/** Every profile of the game, last role varying fastest. */
export function gameProfiles(roles: Record<string, StrategyCandidate[]>): Record<string, string>[] {
  return profilesOf(candidateLabels(roles));
}

/** The config of one profile at one sweep point: base, swept values, and each game role's mix set to its strategy. */
export function profileConfig(
  exp: { base: SimConfigInput | SimConfig; roles: Record<string, StrategyCandidate[]> },
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

/**
 * The game batch of a resolved experiment that declares a game (see the module comment): one batch point
 * per (mechanism point, profile), each with its profile's config (built by {@link profileConfig}, as the
 * in-process `runGame` builds it, and validated here, so that a profile whose config is invalid is bad
 * input before anything runs). The base config becomes the first profile's (each game role playing its
 * first candidate), so that the manifest's config has the mix every run's role has the capital of.
 *
 * @throws ConfigError naming the profile and the mechanism point of a config that does not validate
 */
export function expandGame(e: ResolvedExperiment): ResolvedExperiment {
  if (!e.game) throw new Error(`${e.name} declares no game`);
  const roles = e.game.roles;
  const names = Object.keys(roles);
  const profiles = gameProfiles(roles);
  const mechanism: SweepPoint[] = e.fields.length ? e.points : [{}];
  const parse = (input: SimConfigInput, where: string): SimConfig => {
    try {
      return parseConfig(input, { prefix: 'base', baseDir: e.baseDir });
    } catch (x) {
      if (!(x instanceof ConfigError)) throw x;
      throw new ConfigError(x.issues.map((i) => ({ path: i.path, message: `${i.message} [${where}]` })));
    }
  };
  const label = (p: Record<string, string>) => names.map((r) => `${r}=${p[r]}`).join(',');
  const points: SweepPoint[] = [];
  const configs: SimConfig[] = [];
  mechanism.forEach((pt, m) => {
    for (const profile of profiles) {
      const at = `game profile ${label(profile)}${e.fields.length ? ` at sweep point ${m}` : ''}`;
      configs.push(parse(profileConfig({ base: e.base, roles }, pt, profile), at));
      points.push({ ...pt, ...Object.fromEntries(names.map((r) => [roleField(r), profile[r]])) });
    }
  });
  const agents = e.base.agents as Record<string, { count?: number } | undefined>;
  return {
    ...e,
    base: parse(
      profileConfig({ base: e.base, roles }, {}, profiles[0]),
      `game profile ${label(profiles[0])}`,
    ),
    // the profiles are crossed with the mechanism's points: a design without a sweep becomes a grid
    sweepKind: e.sweepKind === 'none' ? 'grid' : e.sweepKind,
    fields: [...e.fields, ...names.map(roleField)],
    fieldTypes: [...e.fieldTypes, ...names.map((): FieldType => 'utf8')],
    points,
    configs,
    gameBatch: {
      roles,
      profiles: profiles.length,
      fields: e.fields,
      level: e.game.level,
      hasLps: (agents.lps?.count ?? 0) > 0,
    },
  };
}
