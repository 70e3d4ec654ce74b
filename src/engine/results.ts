/**
 * The end of a run: every agent's payoff by role and group (with limited liability), the summary metrics,
 * and the invariants a result must keep (money conserved, every value finite). Called once per run by
 * `Simulation.finish`, after funding is settled and the stages have finished; it reads the run and changes
 * only its payoff tallies.
 */

import type { RunMetrics } from '../metrics.js';
import { COUNT_METRICS, fieldMeta, METRIC_NAMES, metricSlot, SERIES, STAGE_METRICS } from '../metrics.js';
import { LEDGER, PAYER, PAYER_SLOTS } from '../venue/ledger.js';
import { agentsUpnl, openDeficit } from '../venue/venue.js';
import { ROLE_CODE } from './flags.js';
import type { Simulation } from './simulation.js';

const AUCTIONS = metricSlot('auctions');
const ZERO_BID_AUCTIONS = metricSlot('zero_bid_auctions');
const ZERO_BID_VALUE = metricSlot('zero_bid_value');
const ADL_EVENTS = metricSlot('adl_events');
const ADL_NOTIONAL = metricSlot('adl_notional');
const ADL_OVERSHOOT = metricSlot('adl_overshoot');
const VAULT_RETURN = metricSlot('vault_return');
const VAULT_MAX_DRAWDOWN = metricSlot('vault_max_drawdown');

/** A run broke one of the invariants every run must keep; it has no result. */
export class InvariantError extends Error {
  constructor(
    /** Which invariant: 'conservation' or 'finite'. */
    readonly invariant: 'conservation' | 'finite',
    detail: string,
    /** The run's money scale (USD), against which conservation is judged. */
    readonly scale: number,
  ) {
    super(`invariant broken (${invariant}): ${detail}`);
    this.name = 'InvariantError';
  }
}

function sumBookShares(sim: Simulation): number {
  const n = sim.accounts.n;
  let s = 0;
  for (let i = 0; i < n; i++) s += sim.bookShare[i];
  return s;
}

/**
 * The run's summary metrics, with `sim.groupPayoffs` filled in.
 *
 * @throws InvariantError when money was created or destroyed beyond rounding (|conservation_error| >
 *   1e-9 × moneyScale) or a metric, payoff or series value is not finite: such a run has no result
 */
export function runResult(sim: Simulation): RunMetrics {
  const pnl = new Float64Array(5);
  const mark = sim.market.mark;
  const cfg = sim.cfg;
  const years = (cfg.ticks * cfg.dtSeconds) / 31_536_000;
  sim.groupPayoffs = sim.groups.map((g) => ({
    group: g.index,
    strategy: g.strategy,
    role: g.role,
    count: g.count,
    pnl: 0,
    costs: 0,
    capital: 0,
    outsideOption: 0,
  }));
  // the book's counterparty: cash from every fill and funding, plus its position −Σq at the mark
  const bookPnl = sim.ledger[LEDGER.market] - agentsUpnl(sim.accounts, mark);
  const deficit = openDeficit(sim, mark);
  // market-maker agents own the book in proportion to the depth they supply, next to the book's own depth
  // (the outside market's), and share only what it collected: not what bankrupt accounts still owe it
  const agentShares = sumBookShares(sim);
  const shares = agentShares > 0 ? agentShares + cfg.market.liquidity.depthUsd : 0;
  const collected = bookPnl - sim.paid[PAYER.unpaid] - deficit;
  const out = new Float64Array(2);
  addPayoffs(sim, pnl, mark, collected, shares, out);
  pnl[ROLE_CODE.lps] -= out[0];
  for (const gp of sim.groupPayoffs) gp.outsideOption = gp.capital * cfg.agents.riskFreeRate * years;
  const t = sim.metrics;
  checkStageMetrics(sim);
  sim.grossMoney = Math.max(sim.grossMoney, sim.grossBalance());
  const paid = sim.paid;
  // a payer of its own whose payments are a levy on the venue's users counts in its loss
  let ownLoss = 0;
  const own = sim.payerColumns;
  for (let k = 0; k < own.length; k++) if (own[k].loss) ownLoss += paid[PAYER_SLOTS + k];
  const metrics: RunMetrics = {
    loss: paid[PAYER.socialized] + paid[PAYER.unpaid] + ownLoss + deficit,
    shortfall: sim.shortfall,
    paid_by_insurance_fund: paid[PAYER.insuranceFund],
    paid_by_vault: paid[PAYER.vault],
    paid_by_adl: paid[PAYER.adl],
    socialized_loss: paid[PAYER.socialized],
    unpaid: paid[PAYER.unpaid],
    insurance_fund_start: sim.insuranceFundStart,
    insurance_fund_end: sim.ledger[LEDGER.insuranceFund],
    insurance_fund_min: sim.insuranceFundMin,
    vault_return: t[VAULT_RETURN],
    vault_max_drawdown: t[VAULT_MAX_DRAWDOWN],
    liquidations: sim.liquidations,
    liquidated_notional: sim.liquidatedNotional,
    auctions: t[AUCTIONS],
    zero_bid_auctions: t[ZERO_BID_AUCTIONS],
    zero_bid_value: t[ZERO_BID_VALUE],
    adl_events: t[ADL_EVENTS],
    adl_notional: t[ADL_NOTIONAL],
    adl_overshoot: t[ADL_OVERSHOOT],
    open_deficit: deficit,
    pnl_traders: pnl[0],
    pnl_liquidators: pnl[1],
    pnl_lps: pnl[2],
    pnl_arbitrageurs: pnl[3],
    pnl_market_makers: pnl[4],
    outside_market_pnl: collected - out[1],
    orders_cut: sim.ordersCut,
    orders_rejected: sim.ordersRejected,
    venue_fees: sim.ledger[LEDGER.venueFees],
    max_basis: sim.maxBasis,
    min_price: sim.minPrice,
    conservation_error: sim.money() - sim.moneyStart,
  };
  for (let k = 0; k < own.length; k++) metrics[own[k].column] = paid[PAYER_SLOTS + k];
  checkWhoPaid(sim);
  // the stages' own metrics, within the range each declares
  const mine = sim.metricColumns;
  for (let k = 0; k < mine.length; k++) {
    const c = mine[k];
    const v = t[METRIC_NAMES.length + k];
    if ((c.min !== undefined && v < c.min) || (c.max !== undefined && v > c.max))
      throw new Error(
        `metric ${c.column} is ${v}, outside the range its stage declares (${c.min ?? '−∞'} to ${c.max ?? '∞'})`,
      );
    metrics[c.column] = v;
  }
  checkResult(sim, metrics);
  return metrics;
}

/** Per metric slot: a stage metric (1), a count (1), and the range of its values (counts up to 2³¹ − 1). */
const IS_STAGE = Uint8Array.from(METRIC_NAMES, (m) =>
  (STAGE_METRICS as readonly string[]).includes(m) ? 1 : 0,
);
const IS_COUNT = Uint8Array.from(METRIC_NAMES, (m) => (COUNT_METRICS.has(m) ? 1 : 0));
const SLOT_MIN = Float64Array.from(METRIC_NAMES, (m) => fieldMeta(m)?.min ?? Number.NEGATIVE_INFINITY);
const SLOT_MAX = Float64Array.from(METRIC_NAMES, (m, k) =>
  Math.min(
    fieldMeta(m)?.max ?? Number.POSITIVE_INFINITY,
    IS_COUNT[k] ? 2147483647 : Number.POSITIVE_INFINITY,
  ),
);

/**
 * The metric slots the stages wrote: a stage metric only where a listed stage declares it (StageDef.metrics),
 * within its range (a count a whole number that fits its Int32 column), and no other slot at all (the engine
 * computes the other metrics itself).
 *
 * @throws Error naming the metric
 */
function checkStageMetrics(sim: Simulation): void {
  const t = sim.metrics;
  const declared = sim.waterfall.declared;
  for (let k = 0; k < METRIC_NAMES.length; k++) {
    const v = t[k];
    if (v === 0 && declared?.[k] !== 1) continue;
    // a declared metric within its range (numbers only, once per run: the message is built when one is not)
    if (
      declared?.[k] === 1 &&
      IS_STAGE[k] === 1 &&
      v >= SLOT_MIN[k] &&
      v <= SLOT_MAX[k] &&
      (IS_COUNT[k] === 0 || Number.isInteger(v))
    )
      continue;
    const m = METRIC_NAMES[k];
    if (IS_STAGE[k] === 0)
      throw new Error(
        `metric ${m}'s slot was written (${v}), but the engine computes ${m}: a stage writes only the metrics it declares (StageDef.metrics)`,
      );
    if (declared?.[k] !== 1)
      throw new Error(`metric ${m} was written (${v}) but no stage listed declares it (StageDef.metrics)`);
    // NaN: the finiteness check names it
    if (Number.isNaN(v)) continue;
    const bound = (x: number, inf: string) => (Number.isFinite(x) ? String(x) : inf);
    throw new Error(
      `metric ${m} is ${v}, ${IS_COUNT[k] === 1 ? 'not a count (a whole number from 0 to 2³¹ − 1)' : `outside its range (${bound(SLOT_MIN[k], '−∞')} to ${bound(SLOT_MAX[k], '∞')})`}: a stage that declares it wrote it wrongly`,
    );
  }
}

/**
 * Who paid: every shortfall is booked once, as paid by a payer (a who-paid column) or as unpaid, so the
 * shortfall equals the sum of those columns, within rounding (1e-9 × the money in the system).
 *
 * @throws Error with both sides when a payer booked more, or less, than the shortfalls it was given
 */
function checkWhoPaid(sim: Simulation): void {
  const paid = sim.paid;
  let sum = 0;
  for (let k = 0; k < paid.length; k++) sum += paid[k];
  const scale = Math.max(1, sim.grossMoney);
  if (!(Math.abs(sim.shortfall - sum) <= 1e-9 * scale))
    throw new Error(
      `who paid does not add up: the shortfalls were ${sim.shortfall} USD, the who-paid columns and unpaid book ${sum} USD (a payer booked more or less than it was given)`,
    );
}

/**
 * Adds every account's end value to its role's `pnl` and its group's payoff, with limited liability: an
 * account's equity on the venue counts at no less than zero (what it would owe is in `open_deficit`), and
 * a market maker's share `bookShare[i] / shares` of the book's collected PnL `bookPnl` within ± what it
 * holds (so no agent loses more than it put in, and a depth its capital cannot back wins it nothing beyond
 * that capital either). Returns the agents' claims on system rows (vault shares), which are in the agents' payoffs and
 * must be netted out of the LP role's system rows so that nothing is counted twice, and (in `claimsOut[1]`)
 * the book's PnL the market-maker agents bear.
 */
function addPayoffs(
  sim: Simulation,
  pnl: Float64Array,
  mark: number,
  bookPnl: number,
  shares: number,
  out: Float64Array,
): void {
  const a = sim.accounts;
  const px = sim.market.index[sim.tick];
  const extra = sim.waterfall.holdingsValue;
  let claims = 0;
  let borne = 0;
  for (let i = 0; i < a.n; i++) {
    const g = a.group[i];
    const e = a.cash[i] + a.qty[i] * (mark - a.entry[i]);
    const own = Math.max(e, 0) + a.wallet[i] + a.spot[i] * px + a.capitalOut[i] - a.capitalIn[i];
    if (g < 0) {
      // a system row (vault, auction lot): its value belongs to the role the waterfall names
      pnl[sim.waterfall.rowRole?.(i) ?? ROLE_CODE.lps] += own;
      continue;
    }
    let held = extra ? extra.call(sim.waterfall, i) : 0;
    claims += held;
    const hv = sim.strategies[g].holdings;
    if (hv) held += hv(sim.groups[g], i, sim);
    if (shares > 0 && sim.bookShare[i] > 0) {
      // the market maker's share of the book is backed by what it holds: a loss beyond that, and a gain
      // beyond it (the depth its capital could not back was the outside market's), is the outside market's
      const backed = Math.max(0, own + a.capitalIn[i] + held);
      const c = Math.min(backed, Math.max(-backed, (bookPnl * sim.bookShare[i]) / shares));
      borne += c;
      held += c;
    }
    const v = own + held;
    pnl[sim.groupRole[g]] += v;
    const gp = sim.groupPayoffs[g];
    gp.pnl += v;
    gp.costs += a.costs[i];
    gp.capital += a.capitalIn[i];
  }
  out[0] = claims;
  out[1] = borne;
}

/** The invariants every run's result must keep (see {@link runResult}). */
function checkResult(sim: Simulation, m: RunMetrics): void {
  const scale = sim.grossMoney;
  if (!Number.isFinite(scale) || !(Math.abs(m.conservation_error) <= 1e-9 * scale))
    throw new InvariantError(
      'conservation',
      `all money changed by ${m.conservation_error} over the run, beyond rounding (1e-9 × the money in the system, ${scale})`,
      scale,
    );
  // one sum of everything: a NaN or an Infinity anywhere makes it non-finite (then say which)
  let sum = 0;
  for (let k = 0; k < METRIC_NAMES.length; k++) sum += m[METRIC_NAMES[k]];
  for (const c of sim.payerColumns) sum += m[c.column]!;
  for (const c of sim.metricColumns) sum += m[c.column]!;
  const gp = sim.groupPayoffs;
  for (let k = 0; k < gp.length; k++) sum += gp[k].pnl + gp[k].costs + gp[k].capital + gp[k].outsideOption;
  if (sim.seriesEvery > 0)
    for (const [name] of SERIES) {
      const v = sim.series[name]!;
      for (let r = 0; r < v.length; r++) sum += v[r];
    }
  if (!Number.isFinite(sum)) notFinite(sim, m, scale);
}

/** Names the first metric, payoff or series value that is not finite (some value is not: see `checkResult`). */
function notFinite(sim: Simulation, m: RunMetrics, scale: number): void {
  for (const k of [
    ...METRIC_NAMES,
    ...sim.payerColumns.map((c) => c.column),
    ...sim.metricColumns.map((c) => c.column),
  ])
    if (!Number.isFinite(m[k])) throw new InvariantError('finite', `metric ${k} is ${m[k]}`, scale);
  for (const g of sim.groupPayoffs)
    for (const k of ['pnl', 'costs', 'capital', 'outsideOption'] as const)
      if (!Number.isFinite(g[k]))
        throw new InvariantError(
          'finite',
          `payoff ${k} of group ${g.group} (${g.strategy}) is ${g[k]}`,
          scale,
        );
  for (const [name] of SERIES) {
    const v = sim.series[name];
    if (!v) continue;
    for (let r = 0; r < v.length; r++)
      if (!Number.isFinite(v[r]))
        throw new InvariantError('finite', `series ${name} at tick ${r * sim.seriesEvery} is ${v[r]}`, scale);
  }
  // only the sum overflowed: every value is finite
}
