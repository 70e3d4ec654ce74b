/**
 * Finding, loading and resolving an experiment: the file (a path, or a name in `experiments/`), its
 * preset and command-line overrides, the config modules it names, every sweep point's config. Runs the
 * same way in the main thread and in each worker, so workers rebuild exactly the plan the main thread
 * checked.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fmtBytes, MAX_EXPERIMENT_FILE_BYTES } from '../config/bounds.js';
import { zodIssues } from '../config/format.js';
import { FORBIDDEN_KEY_MESSAGE, inputValueIssues } from '../config/input-check.js';
import { loadConfigModules } from '../config/modules.js';
import { parseConfig } from '../config/parse.js';
import { type SimConfig, simConfigSchema } from '../config/schema.js';
import { BackstopInputError, ConfigError, type InputIssue } from '../errors.js';
import { loadModule } from '../load.js';
import type { MetricDecl } from '../metrics.js';
import { getStrategy, listStrategies } from '../strategy.js';
import { packageRoot } from '../version.js';
import { batchColumns, getStage, listStages } from '../waterfall/stage.js';

/** Root of this package (see src/version.ts); here for the callers that resolve experiments by name. */
export { packageRoot };

import { type Experiment, experimentSchema, MAX_SWEEP_POINTS } from './define.js';
import { expandGame, type GamePlan } from './game.js';
import {
  checkSchemaPath,
  clone,
  hasForbiddenKey,
  joinPath,
  malformedPath,
  type PathSegment,
  parsePath,
  setPath,
  stageIndex,
  stagePositions,
} from './paths.js';
import {
  gridPoints,
  lhsPoints,
  type Range,
  SOBOL_MAX_DIMS,
  type SweepPoint,
  type SweepValue,
  sobolPoints,
  zipPoints,
} from './sweep.js';

/** Overrides of an experiment from the command line. */
export interface ExperimentOverrides {
  /** Name of a preset of the experiment. */
  preset?: string;
  /** Runs per sweep point. */
  runs?: number;
  /** Master seed. */
  seed?: number;
  /** `path=value` config overrides (value parsed as JSON when it parses, else a string). */
  set?: string[];
  /** Record series every K ticks. */
  series?: number;
  /** Record events. */
  events?: boolean;
  /**
   * Expand the experiment's game into a batch of every (sweep point × strategy profile), as `backstop-sim
   * game` runs it (see `expandGame`); an experiment without a game section is then bad input.
   */
  game?: boolean;
}

/** What identifies an experiment run: the absolute file and the overrides. Sent to workers as is. */
export interface ExperimentSpec {
  file: string;
  overrides: ExperimentOverrides;
}

/** Type of a swept column in `runs.arrow`. */
export type FieldType = 'f64' | 'utf8' | 'bool';

/** An experiment with its preset and overrides applied and every sweep point resolved. */
export interface ResolvedExperiment {
  name: string;
  description: string;
  file: string;
  /** Directory of the experiment file: relative paths in its config resolve against it. */
  baseDir: string;
  preset: string | null;
  /** The base config as written, after preset and overrides. */
  baseInput: Record<string, unknown>;
  /** The base config with every default filled in. */
  base: SimConfig;
  sweepKind: 'none' | 'grid' | 'zip' | 'lhs' | 'sobol';
  /** Swept fields (dotted paths), in column order. */
  fields: string[];
  fieldTypes: FieldType[];
  points: SweepPoint[];
  runs: number;
  seed: number;
  crn: boolean;
  record: { series: number; events: boolean; seriesRuns: number };
  /** The resolved config of each sweep point. */
  configs: SimConfig[];
  /** The game the experiment declares (validated: strategies exist for their roles, parameters parse). */
  game: ResolvedGame | null;
  /**
   * With the override `game`: the game batch's plan (the points are then sweep point × profile pairs, see
   * `expandGame`); else null.
   */
  gameBatch: GamePlan | null;
}

/** A validated game section: per role, its candidates with parameters as written. */
export interface ResolvedGame {
  roles: Record<string, { strategy: string; label?: string; params: Record<string, unknown> }[]>;
  level: number;
}

/** Checks a game section against the registry and the base config; problems are pushed to `issues`. */
function checkGame(
  game: NonNullable<Experiment['game']>,
  baseInput: Record<string, unknown>,
  issues: InputIssue[],
): ResolvedGame {
  const roles: ResolvedGame['roles'] = {};
  for (const [role, cands] of Object.entries(game.roles)) {
    if (!cands) continue;
    roles[role] = cands;
    const agents = (baseInput.agents ?? {}) as Record<string, { count?: unknown } | undefined>;
    const count = agents[role]?.count;
    if (!(typeof count === 'number' && count > 0))
      issues.push({
        path: `game.roles.${role}`,
        message: `the base config has no ${role} (give base.agents.${role}.count > 0)`,
      });
    const seen = new Set<string>();
    cands.forEach((c, i) => {
      const at = `game.roles.${role}[${i}]`;
      const label = c.label ?? c.strategy;
      if (seen.has(label))
        issues.push({
          path: `${at}.label`,
          message: `${JSON.stringify(label)} is used twice in ${role}; give each candidate a distinct label`,
        });
      seen.add(label);
      const s = getStrategy(c.strategy);
      if (!s) {
        const known = listStrategies()
          .filter((x) => x.role === role)
          .map((x) => x.name);
        issues.push({
          path: `${at}.strategy`,
          message: `unknown strategy ${JSON.stringify(c.strategy)}; strategies of ${role}: ${known.join(', ') || 'none'}`,
        });
        return;
      }
      if (s.role !== role) {
        issues.push({
          path: `${at}.strategy`,
          message: `${c.strategy} is a strategy of ${s.role}, not ${role}`,
        });
        return;
      }
      const r = s.params.safeParse(c.params);
      if (!r.success) issues.push(...zodIssues(r.error, s.params, c.params, `${at}.params`));
    });
  }
  return { roles, level: game.level };
}

const EXTS = ['.ts', '.mts', '.js', '.mjs', '.json'];

/** Names of the experiments shipped in `experiments/` (and their built copies). */
export function listExperimentNames(root = packageRoot(), cwd?: string): string[] {
  const names = new Set<string>();
  const dirs = [join(root, 'experiments'), join(root, 'dist', 'experiments')];
  if (cwd) dirs.unshift(join(cwd, 'experiments'));
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirNames(d)) {
      const ext = extname(f);
      if (EXTS.includes(ext) && !f.endsWith('.d.ts')) names.add(f.slice(0, -ext.length));
    }
  }
  return [...names].sort();
}

function readdirNames(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

/**
 * Finds the experiment file for `arg`: a path to a .ts/.js/.json file, or a name: the user's own
 * `./experiments/<name>` first (a project's experiment shadows a shipped one of the same name), then this
 * package's `experiments/` (then its built copy in `dist/experiments/`).
 *
 * @throws BackstopInputError naming the experiment and what exists
 */
export function findExperiment(arg: string, cwd = process.cwd()): string {
  const looksLikePath = /[\\/]/.test(arg) || EXTS.includes(extname(arg));
  if (looksLikePath) {
    const abs = resolve(cwd, arg);
    if (!existsSync(abs) || !statSync(abs).isFile())
      throw new BackstopInputError(
        [{ path: arg, message: `no such experiment file (looked for ${abs})` }],
        'unknown experiment',
      );
    return abs;
  }
  const root = packageRoot();
  // the source first: its relative data paths (`../data/…`) hold from experiments/, not from dist/experiments/
  const candidates = [
    ...EXTS.map((e) => join(cwd, 'experiments', `${arg}${e}`)),
    ...EXTS.map((e) => join(root, 'experiments', `${arg}${e}`)),
    join(root, 'dist', 'experiments', `${arg}.js`),
  ];
  const hit = candidates.find((c) => existsSync(c));
  if (!hit)
    throw new BackstopInputError(
      [
        {
          path: arg,
          message: `no experiment of that name; known: ${listExperimentNames(root, cwd).join(', ') || 'none'}`,
        },
      ],
      'unknown experiment',
    );
  return hit;
}

/**
 * Loads an experiment file's raw definition (the default export, or the JSON), checked to be plain data
 * (see `inputValueIssues`): no prototype keys, nothing that cannot be copied to a worker, nesting at most
 * 100 levels deep. A JSON file is checked against {@link MAX_EXPERIMENT_FILE_BYTES} before it is read.
 *
 * @throws BackstopInputError naming the file, and the field at fault
 */
export async function loadExperimentFile(file: string): Promise<unknown> {
  const raw = await loadExperimentRaw(file);
  const issues = inputValueIssues(raw);
  if (issues.length > 0) throw new BackstopInputError(issues, `invalid experiment ${file}`);
  return raw;
}

async function loadExperimentRaw(file: string): Promise<unknown> {
  if (file.endsWith('.json')) {
    let text: string;
    try {
      const size = statSync(file).size;
      if (size > MAX_EXPERIMENT_FILE_BYTES)
        throw new BackstopInputError(
          [
            {
              path: file,
              message: `is ${fmtBytes(size)} (${size.toLocaleString('en-US')} bytes); allowed: at most ${fmtBytes(MAX_EXPERIMENT_FILE_BYTES)} for an experiment file (the largest sweep written out is about 10 MB)`,
            },
          ],
          'invalid experiment',
        );
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if (e instanceof BackstopInputError) throw e;
      throw new BackstopInputError(
        [{ path: file, message: `cannot read: ${(e as Error).message}` }],
        'unknown experiment',
      );
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new BackstopInputError(
        [{ path: file, message: `malformed JSON: ${(e as Error).message}` }],
        'invalid experiment',
      );
    }
  }
  const mod = await loadModule(file);
  // the loader's default interop hands a module without a default export its own namespace as `default`
  const named = Object.keys(mod).filter((k) => k !== 'default');
  const ns = mod.default as Record<string, unknown> | undefined;
  const isNamespace =
    ns !== null &&
    typeof ns === 'object' &&
    named.length > 0 &&
    named.every((k) => ns[k] === mod[k]) &&
    Object.keys(ns).every((k) => k === 'default' || named.includes(k));
  const def = (isNamespace ? undefined : mod.default) ?? mod.experiment;
  if (def === undefined || typeof def !== 'object' || def === null)
    throw new BackstopInputError(
      [{ path: file, message: 'the module has no default export made by defineExperiment({...})' }],
      'invalid experiment',
    );
  return def;
}

function parseSetValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function deepMerge(target: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    const t = target[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && t && typeof t === 'object' && !Array.isArray(t))
      deepMerge(t as Record<string, unknown>, v as Record<string, unknown>);
    else target[k] = clone(v);
  }
}

function normRange(
  r: [number, number] | { min: number; max: number; scale: 'linear' | 'log'; integer: boolean },
): Range {
  return Array.isArray(r) ? { min: r[0], max: r[1], scale: 'linear', integer: false } : r;
}

/**
 * The sweep step of {@link resolveExperiment}: an experiment's sweep as its points (one empty point when it
 * sweeps nothing), with what is wrong with it (`issues`, each naming its `sweep.<kind>.<field>`). Pure:
 * reads nothing but its arguments; `seed` seeds a Latin hypercube that names none.
 */
export function sweepStep(
  sweep: Experiment['sweep'],
  seed: number,
): { kind: ResolvedExperiment['sweepKind']; points: SweepPoint[]; issues: InputIssue[] } {
  const sw = sweep ?? {};
  const issues: InputIssue[] = [];
  let kind0: ResolvedExperiment['sweepKind'] = 'none';
  let points: SweepPoint[] = [{}];
  const checkFields = (kind: string, fields: string[]) => {
    for (const f of fields) {
      const segs = parsePath(f);
      const bad = hasForbiddenKey(f)
        ? FORBIDDEN_KEY_MESSAGE
        : segs
          ? checkSchemaPath(simConfigSchema, segs)
          : malformedPath(f);
      if (bad) issues.push({ path: `sweep.${kind}.${f}`, message: bad });
    }
  };
  if (sw.grid) {
    kind0 = 'grid';
    checkFields('grid', Object.keys(sw.grid));
    const combos = Object.values(sw.grid).reduce((n, v) => n * v.length, 1);
    if (combos > MAX_SWEEP_POINTS)
      throw new ConfigError([
        {
          path: 'sweep.grid',
          message: `${Object.values(sw.grid)
            .map((v) => v.length)
            .join(
              ' × ',
            )} = ${combos.toLocaleString('en-US')} combinations; allowed: at most ${MAX_SWEEP_POINTS.toLocaleString('en-US')} sweep points (as for lhs and sobol)`,
        },
      ]);
    points = gridPoints(sw.grid);
  } else if (sw.zip) {
    kind0 = 'zip';
    checkFields('zip', Object.keys(sw.zip));
    const lens = Object.values(sw.zip).map((v) => v.length);
    if (new Set(lens).size > 1)
      issues.push({ path: 'sweep.zip', message: `lists must have equal lengths (got ${lens.join(', ')})` });
    const longest = Math.max(...lens);
    if (longest > MAX_SWEEP_POINTS)
      issues.push({
        path: 'sweep.zip',
        message: `lists of ${longest.toLocaleString('en-US')} values; allowed: at most ${MAX_SWEEP_POINTS.toLocaleString('en-US')} sweep points (as for grid, lhs and sobol)`,
      });
    if (issues.length === 0) points = zipPoints(sw.zip);
  } else if (sw.lhs || sw.sobol) {
    const kind = sw.lhs ? 'lhs' : 'sobol';
    const d = (sw.lhs ?? sw.sobol)!;
    kind0 = kind;
    checkFields(kind, Object.keys(d.ranges));
    const ranges: Record<string, Range> = {};
    for (const [p, rr] of Object.entries(d.ranges)) {
      const rg = normRange(rr as never);
      if (!(rg.max > rg.min))
        issues.push({
          path: `sweep.${kind}.ranges.${p}`,
          message: `max must be above min (got ${rg.min}..${rg.max})`,
        });
      if (rg.scale === 'log' && !(rg.min > 0))
        issues.push({ path: `sweep.${kind}.ranges.${p}`, message: 'a log range needs min > 0' });
      ranges[p] = rg;
    }
    if (kind === 'sobol' && Object.keys(ranges).length > SOBOL_MAX_DIMS)
      issues.push({ path: 'sweep.sobol.ranges', message: `at most ${SOBOL_MAX_DIMS} dimensions` });
    if (issues.length === 0)
      points = kind === 'lhs' ? lhsPoints(d.points, ranges, d.seed ?? seed) : sobolPoints(d.points, ranges);
  }
  return { kind: kind0, points, issues };
}

/**
 * The point step of {@link resolveExperiment}: each sweep point's config, the resolved base config with the
 * point's values set at their paths and parsed again (a waterfall stage addressed by name is found in that
 * config). Reads nothing but its arguments (and `baseDir`'s replay files, as parsing does).
 *
 * @throws ConfigError naming the sweep point whose config does not hold
 */
export function pointConfigs(
  base: SimConfig,
  fields: readonly string[],
  points: readonly SweepPoint[],
  sweepKind: ResolvedExperiment['sweepKind'],
  baseDir: string,
): SimConfig[] {
  const configs: SimConfig[] = [];
  for (const [i, pt] of points.entries()) {
    if (fields.length === 0) {
      configs.push(base);
      continue;
    }
    const input = clone(base) as unknown as Record<string, unknown>;
    // a stage swept to another kind first, so that the point's fields of that entry apply to the new stage
    const order = Object.entries(pt).sort(([p], [q]) => Number(isStageKind(q)) - Number(isStageKind(p)));
    const at = () =>
      Object.entries(pt)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(', ');
    for (const [p, v] of order) {
      const segs = parsePath(p)!;
      if (isStageKind(p)) shedDefaults(input, segs, v);
      const bad = setPath(input, segs, v);
      if (bad)
        throw new ConfigError([
          { path: `sweep.${sweepKind}.${p}`, message: `${bad} [sweep point ${i}: ${at()}]` },
        ]);
    }
    try {
      configs.push(parseConfig(input, { prefix: 'base', baseDir }));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      throw new ConfigError(
        e.issues.map((x) => ({ path: x.path, message: `${x.message} [sweep point ${i}: ${at()}]` })),
      );
    }
  }
  return configs;
}

/** Whether setting path `a` sets `b` too (the same field, or one inside it): paths with stages by position. */
function covers(a: string, b: string): boolean {
  return a === b || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);
}

/**
 * What reaches one field twice, which would silently keep only one of the values: two swept fields that are
 * the same field (one naming a stage, one its position) or one inside the other; an override (a preset's
 * `set`, `--set`) of a field the sweep varies, or of one inside it; a later override of the same source that replaces a field an
 * earlier one set inside it (the result would depend on their order). Stages by name are compared at their
 * position in `base` (the swept fields) or in the config as each override applied (`setAt`). Pure.
 */
export function overlapIssues(
  fields: readonly string[],
  sweepKind: string,
  base: SimConfig,
  setAt: readonly (readonly [where: string, at: string])[],
): InputIssue[] {
  const issues: InputIssue[] = [];
  const swept = fields.map((f) => {
    const segs = parsePath(f.replace(/^base\./, ''));
    return stagePositions(segs ? joinPath(segs) : f, base);
  });
  for (let j = 0; j < fields.length; j++)
    for (let i = 0; i < j; i++)
      if (covers(swept[i], swept[j]) || covers(swept[j], swept[i]))
        issues.push({
          path: `sweep.${sweepKind}.${fields[j]}`,
          message: `${swept[i] === swept[j] ? 'is the same field as' : 'overlaps'} the swept ${fields[i]} (${swept[i] === swept[j] ? `both are ${swept[i]}` : `${swept[i]} and ${swept[j]}`}): one point would set it twice; sweep it once`,
        });
  const source = (where: string) => (where.startsWith('--set') ? '--set' : 'preset');
  for (const [k, [where, at]] of setAt.entries()) {
    // an override inside a swept field is lost at every point (a wider one keeps the rest of what it sets)
    const f = swept.findIndex((s) => covers(s, at));
    if (f >= 0)
      issues.push({
        path: where,
        message: `this field is swept (sweep.${sweepKind}.${fields[f]}${swept[f] !== fields[f] ? `, ${swept[f]}` : ''}); change the sweep instead`,
      });
    for (let e = 0; e < k; e++) {
      const [w0, at0] = setAt[e];
      if (source(w0) === source(where) && at !== at0 && covers(at, at0))
        issues.push({
          path: where,
          message: `replaces what ${w0} set (${at0} is inside ${at}), so that value would be lost: set ${at} first, or once`,
        });
    }
  }
  return issues;
}

/** Whether a swept path sets which stage an entry of the waterfall is (`waterfall.stages[0].stage`). */
function isStageKind(path: string): boolean {
  return /^(?:base\.)?waterfall\.stages\[[^\]]+\]\.stage$/.test(path);
}

/**
 * Before a point turns a stage entry into another stage (`segs` ends in `.stage`): drops the parameters that
 * the config's parsing filled in with the old stage's defaults, which are no parameters of the new stage and
 * were never written (a value written that differs from its default stays, and the new stage's schema
 * judges it). An entry that is already `name` is left as it is.
 */
function shedDefaults(input: Record<string, unknown>, segs: PathSegment[], name: unknown): void {
  const stages = (input.waterfall as { stages?: unknown } | undefined)?.stages;
  const at = segs[2];
  const i = typeof at === 'object' ? stageIndex(stages, at.stage, 'waterfall.stages') : at;
  if (!Array.isArray(stages) || typeof i !== 'number') return;
  const entry = stages[i] as Record<string, unknown> | undefined;
  if (!entry || typeof entry !== 'object' || entry.stage === name || typeof entry.stage !== 'string') return;
  const defaults = getStage(entry.stage)?.params.safeParse({});
  if (!defaults?.success) return;
  const d = defaults.data as Record<string, unknown>;
  for (const k of Object.keys(entry))
    if (k !== 'stage' && k in d && JSON.stringify(entry[k]) === JSON.stringify(d[k])) delete entry[k];
}

/**
 * The preset and override step of {@link resolveExperiment}: the base config as written with the preset's
 * `ticks` and `agents` merged in, the runs, and the checked `set` paths of the preset and of `--set` (to be
 * applied to the config once its defaults are filled in), with what is wrong with them (`issues`). Pure.
 *
 * @throws BackstopInputError when the preset does not exist
 */
export function overridesStep(
  exp: Experiment,
  o: ExperimentSpec['overrides'],
): {
  baseInput: Record<string, unknown>;
  runs: number;
  sets: [string, PathSegment[], unknown][];
  issues: InputIssue[];
} {
  const issues: InputIssue[] = [];
  const baseInput = clone(exp.base) as Record<string, unknown>;
  let runs = exp.runs;
  // overrides are checked now and applied to the config with its defaults filled in (so that e.g.
  // market.index.sigma can be set when the base config names no index model)
  const sets: [string, PathSegment[], unknown][] = [];

  const applySet = (where: string, path: string, value: unknown) => {
    const p = path.startsWith('base.') ? path.slice(5) : path;
    if (hasForbiddenKey(p)) return issues.push({ path: `${where}${path}`, message: FORBIDDEN_KEY_MESSAGE });
    const segs = parsePath(p);
    if (!segs)
      return issues.push({
        path: `${where}${path}`,
        message: malformedPath(p),
      });
    const bad =
      segs[0] === 'strategies'
        ? "plug-in modules are loaded from the experiment's base.strategies before any override applies; list the module there"
        : checkSchemaPath(simConfigSchema, segs);
    const notData = inputValueIssues(value, `${where}${path}`);
    if (bad) issues.push({ path: `${where}${path}`, message: bad });
    else if (notData.length > 0) issues.push(...notData);
    else sets.push([`${where}${path}`, segs, value]);
    return 0;
  };

  // preset
  if (o.preset !== undefined) {
    const pr = Object.hasOwn(exp.presets, o.preset) ? exp.presets[o.preset] : undefined;
    if (!pr) {
      const names = Object.keys(exp.presets);
      throw new BackstopInputError(
        [
          {
            path: '--preset',
            message: `no preset ${JSON.stringify(o.preset)} in ${exp.name}; known: ${names.join(', ') || 'none'}`,
          },
        ],
        'invalid option',
      );
    }
    if (pr.runs !== undefined) runs = pr.runs;
    if (pr.ticks !== undefined) baseInput.ticks = pr.ticks;
    if (pr.agents) {
      baseInput.agents ??= {};
      deepMerge(baseInput.agents as Record<string, unknown>, pr.agents);
    }
    for (const [p, v] of Object.entries(pr.set ?? {})) applySet(`presets.${o.preset}.set.`, p, v);
  }

  // command-line overrides
  for (const s of o.set ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) {
      issues.push({ path: `--set ${s}`, message: 'expected path=value' });
      continue;
    }
    applySet('--set ', s.slice(0, eq), parseSetValue(s.slice(eq + 1)));
  }
  if (o.runs !== undefined) runs = o.runs;
  return { baseInput, runs, sets, issues };
}

/**
 * Validates an experiment definition and resolves it: preset, overrides, config modules, sweep points and
 * the config of every point. Every problem is reported with its dotted path (`base.` for the base config,
 * `sweep.grid.<path>` for the sweep, `--set <path>` for an override).
 *
 * @throws BackstopInputError (a ConfigError for config problems)
 */
export async function resolveExperiment(spec: ExperimentSpec): Promise<ResolvedExperiment> {
  const raw = await loadExperimentFile(spec.file);
  const r = experimentSchema.safeParse(raw);
  if (!r.success) {
    const issues = zodIssues(r.error, experimentSchema, raw);
    throw new BackstopInputError(issues, `invalid experiment ${spec.file}`);
  }
  const exp: Experiment = r.data;
  const o = spec.overrides;
  const step = overridesStep(exp, o);
  const { baseInput, sets, issues } = step;
  const runs = step.runs;
  const seed = o.seed ?? exp.seed;
  const record = {
    series: o.series ?? exp.record.series,
    events: o.events === true || exp.record.events,
    // `--series K` on the command line asks for every run's series
    seriesRuns: o.series !== undefined ? 0 : exp.record.seriesRuns,
  };
  if (issues.length > 0) throw new ConfigError(issues);

  // the sweep
  const sweep = sweepStep(exp.sweep, seed);
  issues.push(...sweep.issues);
  const sweepKind = sweep.kind;
  const points = sweep.points;
  const fields = Object.keys(points[0] ?? {});
  for (const s of o.set ?? []) {
    const p = s.slice(0, Math.max(0, s.indexOf('='))).replace(/^base\./, '');
    if (fields.includes(p))
      issues.push({ path: `--set ${p}`, message: 'this field is swept; change the sweep instead' });
  }
  if (runs * points.length > 2 ** 31 - 1)
    issues.push({
      path: 'runs',
      message: `${runs} runs × ${points.length} points is more than 2^31 − 1 runs`,
    });
  if (issues.length > 0) throw new ConfigError(issues);

  // config modules, then every point's config
  const baseDir = dirname(spec.file);
  await loadConfigModules(baseInput, baseDir, 'base.');
  const game = exp.game ? checkGame(exp.game, baseInput, issues) : null;
  if (issues.length > 0) throw new ConfigError(issues);
  // a game role without a mix in the base config plays its first candidate there (what `run` simulates)
  for (const [role, cands] of Object.entries(exp.game?.roles ?? {})) {
    const agents = (baseInput.agents ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const r = agents[role];
    if (cands?.length && r && typeof r === 'object' && r.mix === undefined) {
      const c = cands[0];
      r.mix = [{ strategy: c.strategy, fraction: 1, params: clone(c.params) }];
    }
  }

  // with overrides to come, the base as written may not fit its run yet (a preset's shorter `ticks` with
  // its shocks moved by its `set`): the checks tied to the horizon wait for the config with the overrides
  let base = parseConfig(baseInput, { prefix: 'base', baseDir, skipHorizonChecks: sets.length > 0 });
  // each override's field with its stages by position, as it applied (a stage named against the stages then)
  const setAt: [string, string][] = [];
  if (sets.length > 0) {
    const target = clone(base) as unknown as Record<string, unknown>;
    for (const [where, segs, v] of sets) {
      setAt.push([where, stagePositions(joinPath(segs), target)]);
      const bad = setPath(target, segs, v);
      if (bad) issues.push({ path: where, message: bad });
    }
    if (issues.length > 0) throw new ConfigError(issues);
    base = parseConfig(target, { prefix: 'base', baseDir });
  }
  issues.push(...overlapIssues(fields, sweepKind, base, setAt));
  if (issues.length > 0) throw new ConfigError(issues);
  const configs = pointConfigs(base, fields, points, sweepKind, baseDir);
  // a stage's own column (who paid, or a metric) is a column of runs.arrow beside the swept fields: never
  // one of their names
  const own = batchColumns(configs);
  for (const [c, what] of [
    ...own.payers.map((p) => [p.column, 'who-paid column (pays.column)'] as const),
    ...own.metrics.map((m) => [m.column, 'metric column (metrics[].column)'] as const),
  ]) {
    if (!fields.includes(c)) continue;
    const stage = listStages().find(
      (d) =>
        (d.pays !== undefined && typeof d.pays !== 'string' && d.pays.column === c) ||
        (d.metrics ?? []).some((m: MetricDecl) => typeof m !== 'string' && m.column === c),
    )?.name;
    issues.push({
      path: `sweep.${sweepKind}.${c}`,
      message: `'${c}' is also the ${what} of stage '${stage}': both would be columns of runs.arrow; rename the stage's column`,
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const fieldTypes: FieldType[] = fields.map((f) => {
    const vals = points.map((p) => p[f]);
    if (vals.every((v) => typeof v === 'number')) return 'f64';
    if (vals.every((v) => typeof v === 'boolean')) return 'bool';
    return 'utf8';
  });
  if (o.game) {
    if (!game)
      throw new BackstopInputError(
        [
          {
            path: spec.file,
            message: 'declares no game; add a `game: { roles: { <role>: [candidates] } }` section',
          },
        ],
        'invalid experiment',
      );
    // the product of the candidate counts, before any profile is listed
    const profiles = Object.values(game.roles).reduce((n, c) => n * c.length, 1);
    const batchPoints = points.length * profiles;
    if (batchPoints > MAX_SWEEP_POINTS || runs * batchPoints > 2 ** 31 - 1)
      throw new ConfigError([
        {
          path: 'game.roles',
          message: `${profiles} profiles × ${points.length} sweep points (× ${runs} runs) is more than ${MAX_SWEEP_POINTS.toLocaleString('en-US')} points or 2^31 − 1 runs`,
        },
      ]);
  }
  const resolved: ResolvedExperiment = {
    name: exp.name,
    description: exp.description,
    file: spec.file,
    baseDir,
    preset: o.preset ?? null,
    baseInput,
    base,
    sweepKind,
    fields,
    fieldTypes,
    points: points.map(
      (p) =>
        Object.fromEntries(
          fields.map((f, k) => [f, fieldTypes[k] === 'utf8' ? String(p[f]) : p[f]]),
        ) as Record<string, SweepValue>,
    ),
    runs,
    seed,
    crn: exp.crn,
    record,
    configs,
    game,
    gameBatch: null,
  };
  return o.game ? expandGame(resolved) : resolved;
}
