/**
 * How an experiment's generated docs are declared: one file per experiment in `scripts/docs/experiments/`
 * names the commands of its full and small-preset figures and turns their results into the Markdown of
 * its blocks (tables and the sentences with numbers). Hand-written prose stays in the Markdown files,
 * outside the markers.
 */
import type { MetricName, RunMetrics } from '../../src/index.js';
import type { DocCommand, DocData, GameData, PointData, RunData } from './collect.js';
import { table } from './format.js';

/** The docs of one experiment. */
export interface ExperimentDocs<D extends DocData = DocData> {
  /** The experiment (`experiments/<name>.ts`). */
  name: string;
  /** The command whose results the full figures are. */
  full: DocCommand;
  /** The event kinds the figures read from the full run's events.arrow (default: every kind). */
  eventKinds?: readonly string[];
  /** The command whose results the small-preset figures are (run in-process, checked by the test). */
  small: DocCommand;
  /** The summary table's `question` and `published` cells. */
  question: string;
  published: string;
  /** The summary table's `ours` cell, from the full results. */
  ours(full: D): string;
  /** Block `<name>:full` of experiments/README.md. */
  fullBlock(full: D): string;
  /** Block `<name>:small` of experiments/README.md. */
  smallBlock(small: D): string;
  /** Blocks of README.md (block id → text), from the full results. */
  readme?: Record<string, (full: D) => string>;
  /**
   * Rows of the table "measure | published | ours | set from the record or emerged" appended to the full
   * block, for an experiment whose block does not carry one of its own.
   */
  record?(full: D): [string, string, string, string][];
}

/** The record table of {@link ExperimentDocs.record}. */
export function recordTable(rows: [string, string, string, string][]): string {
  return [
    'Against the record:',
    '',
    table(['measure', 'published', 'ours', 'set from the record or emerged'], rows, [
      false,
      true,
      true,
      false,
    ]),
  ].join('\n');
}

/** Declares the docs of an experiment run with `backstop-sim run`. */
export function runDocs(d: ExperimentDocs<RunData>): ExperimentDocs {
  return asDocs(d, 'run');
}

/** Declares the docs of an experiment analysed with `backstop-sim game`. */
export function gameDocs(d: ExperimentDocs<GameData>): ExperimentDocs {
  return asDocs(d, 'game');
}

function asDocs<D extends DocData>(d: ExperimentDocs<D>, kind: D['kind']): ExperimentDocs {
  if (d.full.cmd !== kind || d.small.cmd !== kind)
    throw new Error(`docs: ${d.name}: both commands must be \`${kind}\``);
  const check = (x: DocData): D => {
    if (x.kind !== kind) throw new Error(`docs: ${d.name}: expected ${kind} results, got ${x.kind}`);
    return x as D;
  };
  return {
    ...d,
    ours: (x) => d.ours(check(x)),
    fullBlock: (x) => {
      const text = d.fullBlock(check(x));
      return d.record ? `${text}\n\n${recordTable(d.record(check(x)))}` : text;
    },
    smallBlock: (x) => d.smallBlock(check(x)),
    readme: d.readme
      ? Object.fromEntries(Object.entries(d.readme).map(([id, f]) => [id, (x: DocData) => f(check(x))]))
      : undefined,
  };
}

/** The sweep point whose swept values include every entry of `where`; throws when there is none or several. */
export function pointAt(data: RunData, where: Record<string, unknown>): PointData {
  const hits = data.points.filter((p) => Object.entries(where).every(([k, v]) => p.point[k] === v));
  if (hits.length !== 1)
    throw new Error(
      `docs: ${data.experiment.name}: ${hits.length} points match ${JSON.stringify(where)} (expected 1)`,
    );
  return hits[0];
}

/** A metric (or any function of a run's metrics) over a point's runs. */
export function values(pt: PointData, f: (m: RunMetrics) => number): number[] {
  return pt.runs.map((r) => f(r.metrics));
}

/** A metric by name. */
export const metric =
  (name: MetricName) =>
  (m: RunMetrics): number =>
    m[name];

/** One profile of a game at one sweep point, with its runs' metrics. */
export interface ProfileAt {
  label: string;
  /** Candidate label per role. */
  profile: Record<string, string>;
  payoffs: Record<string, { estimate: number; low: number; high: number }>;
  equilibrium: boolean;
  runs: RunMetrics[];
}

/** The points of a game: swept values, pure equilibria (candidate labels, one role: just the label) and profiles. */
export function gamePoints(data: GameData) {
  const single = data.eq.roles.length === 1;
  return data.eq.points.map((p, i) => ({
    point: p.point as Record<string, unknown>,
    pure: p.pure.map((l) => (single ? l.replace(/^[^=]+=/, '') : l)),
    profiles: p.profiles.map(
      (s, j): ProfileAt => ({
        label: single ? s.profile[data.eq.roles[0]] : s.label,
        profile: s.profile,
        payoffs: s.payoffs,
        equilibrium: s.equilibrium,
        runs: data.runs[i][j],
      }),
    ),
  }));
}

/** A game point's profile where the (single) role plays `label`. */
export function profileOf(p: ReturnType<typeof gamePoints>[number], label: string): ProfileAt {
  const x = p.profiles.find((s) => s.label === label);
  if (!x)
    throw new Error(`docs: no profile ${label} (profiles: ${p.profiles.map((s) => s.label).join(', ')})`);
  return x;
}
