/**
 * The metadata every written result column carries (Arrow field metadata, and from there the Parquet and
 * CSV exports): the {@link fieldMeta} table for result columns, and for swept config fields (dotted paths
 * such as `market.index.sigma`) the `.describe()` text of the field in the zod schema of the config, or of
 * the plugged-in part (price model, waterfall stage, strategy) whose parameter it is ({@link describePath},
 * the same text the report's axis titles use), with the unit read
 * from the description's trailing parentheses (the registries are those of the package's entry point,
 * which registers the built-in parts). Static text only: the same columns give the same bytes.
 */
import { describePath } from './analysis/field-titles.js';
import { gameColumnRole } from './experiment/game-columns.js';
import { type FieldMeta, fieldMeta } from './metrics.js';

/** Keys of the Arrow field metadata (all values are strings). */
export const META_KEYS = ['label', 'unit', 'description', 'min', 'max'] as const;

/** A column's metadata as Arrow field metadata: label, unit, description, and min/max when bounded. */
export function metaEntries(m: FieldMeta): Map<string, string> {
  const out = new Map<string, string>();
  out.set('label', m.label);
  if (m.unit) out.set('unit', m.unit);
  out.set('description', m.description);
  if (m.min !== undefined) out.set('min', String(m.min));
  if (m.max !== undefined) out.set('max', String(m.max));
  return out;
}

/**
 * The unit of a `.describe()` text: the head (before a comma or semicolon) of its last top-level
 * parentheses, when it reads as a unit (`seconds`, `USD`, `fraction`, `1/sqrt(year)`); '' otherwise.
 */
export function unitOfDescription(d: string): string {
  let depth = 0;
  let start = -1;
  let last = '';
  for (let i = 0; i < d.length; i++) {
    if (d[i] === '(' && depth++ === 0) start = i + 1;
    else if (d[i] === ')' && depth > 0 && --depth === 0) last = d.slice(start, i);
  }
  const head = last.split(/[,;]/)[0].trim();
  return /^(?:[A-Za-z$%][A-Za-z$%/ ·]{0,30}|1\/[\w()]+)$/.test(head) &&
    head.split(' ').length <= 4 &&
    !/^(?:at|e\.g\.|from|to|see|x)\b/.test(head)
    ? head
    : '';
}

/**
 * Metadata of a swept config field from its schema's description; undefined when the path is not found
 * or has no description (`unit` is '' when the description names none).
 */
export function configFieldMeta(path: string, config?: unknown): FieldMeta | undefined {
  const d = path ? describePath(path, config) : undefined;
  return d ? { label: path, unit: unitOfDescription(d), description: d } : undefined;
}

/** Metadata of the columns a game batch adds to runs.arrow: `game.<role>` and `payoff_<role>`. */
function gameColumnMeta(name: string): FieldMeta | undefined {
  const g = gameColumnRole(name);
  if (!g) return undefined;
  return g.kind === 'strategy'
    ? { label: `${g.role}' strategy`, unit: '1', description: describePath(name) ?? '' }
    : {
        label: `${g.role}' payoff per agent`,
        unit: 'USD',
        description: `the ${g.role}' PnL less their outside option, per agent (USD), in the run (a game batch)`,
      };
}

/**
 * Metadata of any result column: a result column of `table`, a game batch's role and payoff columns, else a
 * swept config field (described as in `config`, the experiment's base config, where a union's branch
 * depends on it).
 */
export function columnMeta(
  name: string,
  table: 'runs' | 'series' | 'events' = 'runs',
  config?: unknown,
): FieldMeta | undefined {
  return (
    fieldMeta(name, table) ??
    (table === 'runs' ? gameColumnMeta(name) : undefined) ??
    (name.includes('.') ? configFieldMeta(name, config) : undefined)
  );
}

/**
 * Columns of analysis.arrow (`analyze --format arrow`) and game.arrow that are not result columns. Those
 * whose unit is the unit of the row's metric have none ('').
 */
const DERIVED_META: Record<string, FieldMeta> = {
  group: {
    label: 'group',
    unit: '1',
    description: 'the group of runs: a sweep point or a value of the --by fields',
  },
  section: {
    label: 'section',
    unit: '1',
    description: 'what the row is: a metric, a quantile, a probability, a paired difference, …',
  },
  name: {
    label: 'name',
    unit: '1',
    description: "the metric the row is about (its unit is that metric's unit)",
  },
  reference: {
    label: 'reference',
    unit: '1',
    description: 'the group a paired difference is taken against (null otherwise)',
  },
  n: { label: 'n', unit: 'count', min: 0, description: 'runs (or pairs of runs) behind the row' },
  clusters: {
    label: 'seeds',
    unit: 'count',
    min: 0,
    description:
      "independent units behind the row's interval: distinct seeds among its runs (runs that share a seed share random numbers and count once)",
  },
  estimate: {
    label: 'estimate',
    unit: '',
    description: 'the estimate, in the unit of the metric in `name` (a probability for P(insolvency))',
  },
  ci_low: {
    label: 'CI low',
    unit: '',
    description:
      'lower end of the interval (95% by default) of the estimate (analysis.arrow, in the unit of `name`) or of the payoff (game.arrow, USD per agent)',
  },
  ci_high: {
    label: 'CI high',
    unit: '',
    description:
      'upper end of the interval (95% by default) of the estimate (analysis.arrow, in the unit of `name`) or of the payoff (game.arrow, USD per agent)',
  },
  sd: { label: 'sd', unit: '', description: 'standard deviation over runs, in the unit of the estimate' },
  p50: { label: 'median', unit: '', description: 'median over runs, in the unit of the estimate' },
  p95: {
    label: '95th percentile',
    unit: '',
    description: '95th percentile over runs, in the unit of the estimate',
  },
  p99: {
    label: '99th percentile',
    unit: '',
    description: '99th percentile over runs, in the unit of the estimate',
  },
  profile: { label: 'profile', unit: '1', description: "the strategy profile: each role's strategy" },
  role: { label: 'role', unit: '1', description: 'the role whose payoff the row holds' },
  strategy: { label: 'strategy', unit: '1', description: "the role's strategy in the profile" },
  payoff: {
    label: 'payoff per agent',
    unit: 'USD',
    description: "the role's PnL less its outside option, per agent (USD)",
  },
  regret: {
    label: 'regret',
    unit: 'USD',
    min: 0,
    description: "what the role would gain by its best other strategy, the others' fixed (USD per agent)",
  },
  profile_regret: {
    label: 'profile regret',
    unit: 'USD',
    min: 0,
    description: "the largest regret over the profile's roles (USD per agent)",
  },
  equilibrium: {
    label: 'equilibrium',
    unit: '1',
    min: 0,
    max: 1,
    description: '1 when the profile is a pure equilibrium, else 0',
  },
};

/** Metadata of a column of a derived file (analysis.arrow, game.arrow): its own, a result column's or a swept field's. */
export function derivedColumnMeta(name: string): FieldMeta | undefined {
  return DERIVED_META[name] ?? columnMeta(name, 'runs');
}
