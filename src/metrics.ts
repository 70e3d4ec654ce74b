/**
 * The summary metrics of one run, in the order of the `runs.arrow` columns. Money in USD.
 * Identities: shortfall = paid_by_insurance_fund + paid_by_vault + paid_by_adl + socialized_loss + unpaid;
 * loss = socialized_loss + unpaid + open_deficit.
 */
export const METRICS = [
  [
    'loss',
    "the venue's loss: what nobody in the waterfall paid plus what is still open at the end, socialized_loss + unpaid + open_deficit, plus the column of any plug-in payer declared to count in the loss (USD)",
  ],
  ['shortfall', 'total shortfall of bankrupt accounts and holders (USD)'],
  ['paid_by_insurance_fund', 'shortfall paid by the insurance fund (USD)'],
  ['paid_by_vault', 'shortfall absorbed by the backstop vault (USD)'],
  ['paid_by_adl', 'shortfall paid by auto-deleveraged winners (USD)'],
  ['socialized_loss', 'shortfall spread over accounts (USD)'],
  ['unpaid', 'shortfall nobody paid: bad debt (USD)'],
  [
    'open_deficit',
    'negative equity still open at the end: underwater positions not yet closed, unsold auction lots (USD)',
  ],
  ['insurance_fund_start', 'insurance fund at the start (USD)'],
  ['insurance_fund_end', 'insurance fund at the end (USD)'],
  ['insurance_fund_min', 'lowest insurance fund over the run (USD)'],
  ['vault_return', 'vault share price at the end over the start, minus 1'],
  ['vault_max_drawdown', 'largest peak-to-trough fall of the vault share price (fraction)'],
  ['liquidations', 'liquidation events (count)'],
  ['liquidated_notional', 'notional closed by liquidations (USD)'],
  ['auctions', 'liquidation auctions started (count)'],
  ['zero_bid_auctions', 'auctions won with a zero bid (count)'],
  ['zero_bid_value', 'market value of the collateral won with zero bids, at the index when won (USD)'],
  ['adl_events', 'winner reductions by auto-deleveraging (count)'],
  ['adl_notional', 'notional closed by auto-deleveraging (USD)'],
  ['adl_overshoot', 'USD taken from deleveraged winners beyond the shortfall (USD)'],
  ['pnl_traders', "traders' PnL (USD)"],
  ['pnl_liquidators', "liquidators' PnL (USD)"],
  ['pnl_lps', "backstop LPs' PnL (USD)"],
  ['pnl_arbitrageurs', "arbitrageurs' PnL (USD)"],
  [
    'pnl_market_makers',
    "market-maker agents' PnL: their depth's share of what the book collected, each loss within its capital (USD)",
  ],
  [
    'outside_market_pnl',
    "the rest of what the book collected (its PnL less what bankrupt accounts never paid or still owe it, which is the venue's loss): the share of its own depth and what its market-maker agents could not bear; the outside market as counterparty (USD). With every role's PnL, venue_fees and the fund's and gas's takings it sums to zero",
  ],
  [
    'orders_cut',
    'orders cut to what initial margin, the price band, the wallet or the spot held allowed (count)',
  ],
  ['orders_rejected', 'orders of which nothing could be filled for those reasons (count)'],
  ['venue_fees', 'fees kept by the venue (USD)'],
  ['max_basis', 'largest |mark − index| / index over the run (fraction)'],
  ['min_price', 'lowest mark price (USD)'],
  ['conservation_error', 'all money at the end minus all money at the start (USD)'],
] as const;

/** Name of a summary metric. */
export type MetricName = (typeof METRICS)[number][0];
/**
 * The summary metrics of one run; plus, for a run listing a payer stage with a who-paid column of its own
 * (`StageDef.pays`), that column (e.g. `paid_by_treasury`), and for a stage with metrics of its own
 * (`StageDef.metrics`), theirs.
 */
export type RunMetrics = Record<MetricName, number> & { [ownColumn: string]: number | undefined };

/** Metrics that are counts: whole numbers, written as Int32 (at most 2³¹ − 1). */
export const COUNT_METRICS: ReadonlySet<string> = new Set([
  'liquidations',
  'auctions',
  'zero_bid_auctions',
  'adl_events',
  'orders_cut',
  'orders_rejected',
]);

/** Names of the summary metrics, in column order. */
export const METRIC_NAMES: readonly MetricName[] = METRICS.map((m) => m[0]);

/**
 * The metrics a waterfall stage contributes (declared in `StageDef.metrics`, written in the run's metric
 * slots): what no stage listed declares stays 0.
 */
export const STAGE_METRICS = [
  'auctions',
  'zero_bid_auctions',
  'zero_bid_value',
  'adl_events',
  'adl_notional',
  'adl_overshoot',
  'vault_return',
  'vault_max_drawdown',
] as const satisfies readonly MetricName[];
/** A metric a stage may contribute. */
export type StageMetric = (typeof STAGE_METRICS)[number];

/**
 * A summary metric of a plug-in stage's own (`StageDef.metrics`): a column added to `runs.arrow`, after the
 * fixed metrics and the payers' own columns, of every batch that lists the stage; summarised by `analyze`
 * like the fixed metrics, and shown by `list`.
 */
export interface MetricColumn {
  /** Its column in `runs.arrow`: snake_case, e.g. `treasury_calls`. */
  readonly column: string;
  /** What it holds, with its unit in parentheses, e.g. "calls on the treasury (count)". */
  readonly description: string;
  /** The lowest value it can take (0 for a count or an amount paid): its intervals then stay above it. */
  readonly min?: number;
  /** The highest value it can take (1 for a fraction). */
  readonly max?: number;
}
/** A stage's declaration of a metric: a built-in one it writes, or a column of its own. */
export type MetricDecl = StageMetric | MetricColumn;
/** The key of the field metadata that marks a stage's own metric column in runs.arrow (value: `1`). */
export const STAGE_METRIC_META_KEY = 'stage_metric';

/** The slot of metric `name` in a run's metric slots (`VenueContext.metrics`): its column index. */
export function metricSlot(name: MetricName): number {
  return METRIC_NAMES.indexOf(name);
}

/** Per-tick series that `simulate` can record, in column order. */
export const SERIES = [
  ['index', 'index price (USD)'],
  ['oracle', 'oracle price (USD)'],
  ['mark', 'mark price (USD)'],
  ['open_interest', 'open interest, long side (USD at mark)'],
  ['insurance_fund', 'insurance fund (USD)'],
  ['vault_equity', 'vault equity (USD)'],
  ['liquidations', 'liquidations this tick (count)'],
  ['shortfall', 'shortfall this tick (USD)'],
  ['depth', 'effective book depth (USD per 1%)'],
  ['funding_index', 'cumulative funding index (USD per unit)'],
] as const;

/** Name of a per-tick series. */
export type SeriesName = (typeof SERIES)[number][0];

/**
 * What a column of a result file means, for every reader: a short label for axes and tables, the unit, the
 * description, and the range its values can take (used to keep intervals inside it). The one metadata
 * table: the Arrow and Parquet field metadata, the report's axis titles and `analyze`'s intervals all read
 * it.
 */
export interface FieldMeta {
  /** Short label for axes, legends and table headers (no unit). */
  label: string;
  /** Unit: `USD`, `count`, `fraction`, `tick`, `USD per 1%`, `USD per unit`, `units`, or `1` (a pure number or a code). */
  unit: string;
  /** One sentence on what the column holds. */
  description: string;
  /** Smallest value the column can take, when bounded below (e.g. 0 for losses and counts, −1 for a return). */
  min?: number;
  /** Largest value the column can take, when bounded above (e.g. 1 for a drawdown). */
  max?: number;
}

type MetaOf<K extends string> = Record<K, Omit<FieldMeta, 'description'>>;

const USD0 = { unit: 'USD', min: 0 } as const;
const COUNT = { unit: 'count', min: 0 } as const;

/** Label, unit and range of every summary metric (the description is the one in {@link METRICS}). */
const METRIC_INFO: MetaOf<MetricName> = {
  loss: { label: 'venue loss', ...USD0 },
  shortfall: { label: 'shortfall', ...USD0 },
  paid_by_insurance_fund: { label: 'paid by the insurance fund', ...USD0 },
  paid_by_vault: { label: 'paid by the vault', ...USD0 },
  paid_by_adl: { label: 'paid by ADL', ...USD0 },
  socialized_loss: { label: 'socialized loss', ...USD0 },
  unpaid: { label: 'unpaid (bad debt)', ...USD0 },
  open_deficit: { label: 'open deficit at the end', ...USD0 },
  insurance_fund_start: { label: 'insurance fund at the start', ...USD0 },
  insurance_fund_end: { label: 'insurance fund at the end', ...USD0 },
  insurance_fund_min: { label: 'lowest insurance fund', ...USD0 },
  vault_return: { label: 'vault return', unit: 'fraction', min: -1 },
  vault_max_drawdown: { label: 'vault max drawdown', unit: 'fraction', min: 0, max: 1 },
  liquidations: { label: 'liquidations', ...COUNT },
  liquidated_notional: { label: 'liquidated notional', ...USD0 },
  auctions: { label: 'auctions', ...COUNT },
  zero_bid_auctions: { label: 'zero-bid auctions', ...COUNT },
  zero_bid_value: { label: 'value won with zero bids', ...USD0 },
  adl_events: { label: 'ADL reductions', ...COUNT },
  adl_notional: { label: 'ADL notional', ...USD0 },
  adl_overshoot: { label: 'ADL overshoot', ...USD0 },
  pnl_traders: { label: "traders' PnL", unit: 'USD' },
  pnl_liquidators: { label: "liquidators' PnL", unit: 'USD' },
  pnl_lps: { label: "LPs' PnL", unit: 'USD' },
  pnl_arbitrageurs: { label: "arbitrageurs' PnL", unit: 'USD' },
  pnl_market_makers: { label: "market makers' PnL", unit: 'USD' },
  outside_market_pnl: { label: "outside market's PnL", unit: 'USD' },
  orders_cut: { label: 'orders cut', ...COUNT },
  orders_rejected: { label: 'orders rejected', ...COUNT },
  venue_fees: { label: 'venue fees', unit: 'USD' },
  max_basis: { label: 'largest basis', unit: 'fraction', min: 0 },
  min_price: { label: 'lowest mark price', ...USD0 },
  conservation_error: { label: 'conservation error', unit: 'USD' },
};

/** Label, unit and range of every per-tick series. */
const SERIES_INFO: MetaOf<SeriesName> = {
  index: { label: 'index price', ...USD0 },
  oracle: { label: 'oracle price', ...USD0 },
  mark: { label: 'mark price', ...USD0 },
  open_interest: { label: 'open interest', ...USD0 },
  insurance_fund: { label: 'insurance fund', ...USD0 },
  vault_equity: { label: 'vault equity', unit: 'USD' },
  liquidations: { label: 'liquidations per tick', ...COUNT },
  shortfall: { label: 'shortfall per tick', ...USD0 },
  depth: { label: 'book depth', unit: 'USD per 1%', min: 0 },
  funding_index: { label: 'funding index', unit: 'USD per unit' },
};

/** Columns of the result files other than metrics and series. */
const OTHER_META: Record<string, FieldMeta> = {
  run_id: {
    label: 'run id',
    unit: '1',
    min: 0,
    description: 'row of the run in the plan: point_id × runs + run',
  },
  point_id: {
    label: 'sweep point',
    unit: '1',
    min: 0,
    description: 'index of the sweep point (0 without a sweep)',
  },
  run: {
    label: 'run index',
    unit: '1',
    min: 0,
    description:
      'index of the run within its point; runs with the same index share common random numbers across points',
  },
  seed: {
    label: 'seed',
    unit: '1',
    description: "the run's seed, derived from the master seed, point and run",
  },
  status: { label: 'status', unit: '1', description: '`ok`, or `failed` with the message in `error`' },
  error: { label: 'error', unit: '1', description: "a failed run's error message (null when ok)" },
  tick: {
    label: 'tick',
    unit: 'tick',
    min: 0,
    description: 'tick of the run (tick × dtSeconds = seconds since the start)',
  },
  kind: {
    label: 'event kind',
    unit: '1',
    description: 'what happened: liquidation, deleverage, bid, take, …',
  },
  account: {
    label: 'account',
    unit: '1',
    description: 'account row the event is about (−1: the book, the venue or no account)',
  },
  size: {
    label: 'size',
    unit: 'units',
    description: 'units of the asset the event moved (signed where a side matters)',
  },
  price: { label: 'price', ...USD0, description: 'price of the event (USD per unit)' },
  amount: { label: 'amount', unit: 'USD', description: 'money the event moved (USD)' },
  position: {
    label: 'position',
    unit: 'units',
    description: "the account's position just before the event (NaN where the event does not record it)",
  },
  leverage: {
    label: 'leverage',
    unit: '1',
    min: 0,
    description:
      "the account's |position| · mark / equity just before the event (+Infinity at zero or negative equity)",
  },
  pnl: {
    label: 'unrealized PnL',
    unit: 'USD',
    description:
      "the position's unrealized PnL at the mark just before the event, unsettled funding included",
  },
};

const METRIC_DESCRIPTION = new Map<string, string>(METRICS.map(([n, d]) => [n, d]));
const SERIES_DESCRIPTION = new Map<string, string>(SERIES.map(([n, d]) => [n, d]));

/**
 * The metadata of a result column: a metric (`runs.arrow`), a series (`series.arrow`, where `liquidations`
 * and `shortfall` are per tick: pass `table: 'series'`), an event column or a structural column; undefined
 * for a swept field or an unknown name.
 */
export function fieldMeta(name: string, table: 'runs' | 'series' | 'events' = 'runs'): FieldMeta | undefined {
  if (table === 'series' && name in SERIES_INFO)
    return { ...SERIES_INFO[name as SeriesName], description: SERIES_DESCRIPTION.get(name)! };
  if (table !== 'series' && table !== 'events' && name in METRIC_INFO)
    return { ...METRIC_INFO[name as MetricName], description: METRIC_DESCRIPTION.get(name)! };
  if (table === 'series' && name in METRIC_INFO) return undefined;
  return OTHER_META[name];
}

/** `label (unit)`, or the label alone for a pure number; the name itself when nothing is known of it. */
export function axisTitle(name: string, table: 'runs' | 'series' | 'events' = 'runs'): string {
  const m = fieldMeta(name, table);
  if (!m) return name;
  return m.unit === '1' ? m.label : `${m.label} (${m.unit})`;
}
