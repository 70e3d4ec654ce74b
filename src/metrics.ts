/**
 * The summary metrics of one run, in the order of the `runs.arrow` columns. Money in USD.
 * Identities: shortfall = paid_by_insurance_fund + paid_by_vault + paid_by_adl + socialized_loss + unpaid;
 * loss = socialized_loss + unpaid + open_deficit.
 */
export const METRICS = [
  [
    'loss',
    "the venue's loss: what nobody in the waterfall paid plus what is still open at the end, socialized_loss + unpaid + open_deficit (USD)",
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
/** The summary metrics of one run. */
export type RunMetrics = Record<MetricName, number>;

/** Names of the summary metrics, in column order. */
export const METRIC_NAMES: readonly MetricName[] = METRICS.map((m) => m[0]);

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
