/**
 * One run of the venue: the tick loop and every operation agents and waterfall stages perform.
 *
 * Phase order of a tick t (fixed; documented in the README):
 *   1. index   — the index moves to index[t]; realized volatility and book depth update; the mark for the
 *                tick is index · (1 + impact left by earlier ticks) and stays fixed for the tick.
 *   2. oracle  — the oracle reads the delayed index on its heartbeat or past its deviation threshold.
 *   3. agents  — groups act one after another in an order shuffled each tick (stream `order`); each
 *                order fills at once through the liquidity model and adds its signed notional to the flow.
 *   4. funding — at each funding interval, rate = clamp((mark − index)/index, ±cap) moves the cumulative
 *                funding index; accounts settle lazily when touched (and all at the end).
 *   5. margin  — accounts whose liquidation key is crossed at the checked price (mark or oracle) are
 *                confirmed by their exact equity and collected.
 *   6. liquidation — the collected accounts, in a seeded random order (stream `liquidation`), go through
 *                the waterfall; liquidation orders go through the same liquidity model (cascades).
 *   7. record  — the impact decays and takes this tick's flow; series and running metrics are updated.
 */
import type { SimConfig } from '../config/schema.js';
import type { RunMetrics } from '../metrics.js';
import { SERIES, type SeriesName } from '../metrics.js';
import type { Stream } from '../rng.js';
import { type AgentGroup, getStrategy, type Strategy } from '../strategy.js';
import { LEDGER, LEDGER_SIZE } from '../venue/ledger.js';
import { type RunOptions, Venue } from '../venue/venue.js';
import { buildWaterfall, systemRows } from '../waterfall/waterfall.js';
import { ROLE_CODE } from './flags.js';
import { runResult } from './results.js';

export { PAYER } from '../venue/ledger.js';
export type { RunOptions } from '../venue/venue.js';
export { NO_FEE, NO_FLOW, NO_IMPACT } from './flags.js';
export { InvariantError } from './results.js';

/** What the agents of one group (one strategy in one role) earned over a run; money in USD. */
export interface GroupPayoff {
  /** Group index. */
  group: number;
  /** Strategy name. */
  strategy: string;
  /** Role of the agents. */
  role: string;
  /** Number of agents. */
  count: number;
  /** Sum of the agents' PnL: value at the end (collateral, open positions at the mark, wallet, other holdings) + withdrawals − deposits. */
  pnl: number;
  /** Fees and gas they paid (already inside `pnl`). */
  costs: number;
  /** Capital they put in from outside. */
  capital: number;
  /** What that capital would have earned outside: capital × riskFreeRate × horizon (years). */
  outsideOption: number;
}

/**
 * One simulation run: a {@link Venue} with a population of agents and a waterfall, and the tick loop. Agents
 * and waterfall stages see it through their contexts (src/context.ts); tests may drive it tick by tick
 * (`start`, `step`, `finish`).
 */
export class Simulation extends Venue {
  readonly groups: AgentGroup[] = [];
  /** @internal role code per group (0 traders, 1 liquidators, 2 lps, 3 arbitrageurs, 4 market makers) */
  readonly groupRole: Int32Array;
  /** @internal the strategy of each group */
  readonly strategies: Strategy[] = [];
  /** Payoff of every group, filled by `finish()`. */
  groupPayoffs: GroupPayoff[] = [];
  /** Recorded series (length ticks / every), when requested. */
  readonly series: Partial<Record<SeriesName, Float64Array>> = {};
  /** @internal ticks between series rows (0: none) */
  readonly seriesEvery: number;

  // per-tick scratch, reused
  private readonly candidates: Int32Array;
  private readonly groupOrder: Int32Array;
  private readonly liqRng: Stream;
  private readonly orderRng: Stream;
  private readonly fundingEvery: number;

  constructor(cfg: SimConfig, opts: RunOptions) {
    const plan = population(cfg);
    // the agents' rows, then the system rows of the waterfall's stages
    super(
      cfg,
      opts,
      plan.reduce((a, p) => a + p.count, 0),
      systemRows(cfg),
    );
    const n = this.nAgents;
    this.liqRng = this.streams.stream('liquidation');
    this.orderRng = this.streams.stream('order');
    this.fundingEvery = Math.max(1, Math.round(cfg.market.funding.intervalSeconds / cfg.dtSeconds));
    this.candidates = this.i32(Math.max(16, this.accounts.n));
    this.groupOrder = new Int32Array(plan.length);
    this.groupRole = new Int32Array(plan.length);
    let first = 0;
    // plain loops, not forEach: an arrow function made afresh every run loses its optimised code when the
    // run's closures are collected, and this one loops over every agent
    for (let gi = 0; gi < plan.length; gi++) {
      const p = plan[gi];
      const state: Record<string, Float64Array | Int32Array | Uint8Array> = {};
      for (const [name, type] of Object.entries(p.strategy.state ?? {})) {
        state[name] =
          type === 'f64' ? this.f64(p.count) : type === 'i32' ? this.i32(p.count) : this.u8(p.count);
      }
      const group: AgentGroup = {
        index: gi,
        strategy: p.strategy.name,
        role: p.role,
        params: p.params as Record<string, unknown>,
        first,
        count: p.count,
        state,
        rng: this.streams.stream(`agents/${gi}/${p.strategy.name}`),
      };
      this.groups.push(group);
      this.strategies.push(p.strategy);
      this.groupRole[gi] = ROLE_CODE[p.role];
      this.groupOrder[gi] = gi;
      // capital: drawn from the group's own capital stream, deposited from outside
      this.depositCapital(gi, first, p.count, p.capital, this.streams.stream(`capital/${gi}`));
      first += p.count;
    }

    // insurance fund, funded from outside
    const collateral = this.sumCash(n);
    const fund = cfg.venue.insuranceFund + cfg.venue.insuranceFundShareOfCollateral * collateral;
    this.move(LEDGER.outside, LEDGER.insuranceFund, fund);
    this.insuranceFundStart = fund;
    this.insuranceFundMin = fund;
    this.wire(buildWaterfall(this));

    this.seriesEvery = opts.series ?? 0;
    if (this.seriesEvery > 0) {
      const len = Math.ceil(cfg.ticks / this.seriesEvery);
      for (const [name] of SERIES) this.series[name] = new Float64Array(len);
    }
  }

  // The long loops of the constructor and of `finish` (once per run, over every account) are small methods of
  // their own: a long loop in a big function makes V8 compile the whole function (on-stack replacement),
  // again after each deoptimisation, and each worker thread pays that compile time itself.

  private depositCapital(
    gi: number,
    first: number,
    count: number,
    capital: SimConfig['agents']['traders']['capital'],
    rng: Stream,
  ): void {
    const acc = this.accounts;
    for (let i = first; i < first + count; i++) {
      acc.group[i] = gi;
      this.transferIn(i, drawCapital(capital, rng));
    }
  }

  private sumCash(n: number): number {
    const cash = this.accounts.cash;
    let s = 0;
    for (let i = 0; i < n; i++) s += cash[i];
    return s;
  }

  // ---------------------------------------------------------------- the run

  /** Runs every tick and returns the summary metrics. */
  run(): RunMetrics {
    this.start();
    const ticks = this.cfg.ticks;
    for (let t = 0; t < ticks; t++) this.step(t);
    return this.finish();
  }

  /** Sets up the starting state: strategies' `init` (initial positions), the liquidation index. */
  start(): void {
    for (let gi = 0; gi < this.groups.length; gi++) this.strategies[gi].init?.(this.groups[gi], this);
    this.accounts.rekeyAll();
    this.moneyStart = this.money();
    this.grossMoney = this.grossBalance();
    this.started = true;
  }

  /** One tick (see the phase order at the top of this file). */
  step(t: number): void {
    this.tick = t;
    const m = this.market;
    m.beginTick(t);
    m.updateOracle(t);

    // agents, grouped by strategy, groups in a seeded order
    const order = this.groupOrder;
    if (order.length > 1) this.orderRng.shuffle(order);
    for (let k = 0; k < order.length; k++) {
      const g = order[k];
      this.strategies[g].act(this.groups[g], this);
    }

    // funding
    if (this.cfg.market.funding.enabled && (t + 1) % this.fundingEvery === 0) this.accrueFunding();

    // margin check and liquidation
    this.tickLiquidations = 0;
    this.tickShortfall = 0;
    const p = this.checkPrice;
    const a = this.accounts;
    let count = a.crossed(p, this.phi, this.candidates, 0);
    if (count > 0) {
      // confirm with the exact equity test; false alarms (rounding) go back into the index
      let k = 0;
      for (let j = 0; j < count; j++) {
        const id = this.candidates[j];
        if (this.isLiquidatable(id)) this.candidates[k++] = id;
        else a.rekey(id);
      }
      count = k;
      // a seeded random order
      this.liqRng.shuffle(this.candidates, count);
      for (let j = 0; j < count; j++) {
        const id = this.candidates[j];
        if (a.qty[id] !== 0) {
          a.liquidated[id] = 1;
          this.waterfall.liquidate(id);
        }
      }
    }
    this.waterfall.endTick?.();

    // record
    if (m.mark < this.minPrice) this.minPrice = m.mark;
    const basis = Math.abs(m.mark / m.index[t] - 1);
    if (basis > this.maxBasis) this.maxBasis = basis;
    this.noteFund();
    if (this.seriesEvery > 0 && t % this.seriesEvery === 0) this.recordSeries(t / this.seriesEvery);
    m.endTick();
  }

  private recordSeries(row: number): void {
    const s = this.series;
    const m = this.market;
    s.index![row] = m.index[this.tick];
    s.oracle![row] = m.oracle;
    s.mark![row] = m.mark;
    s.open_interest![row] = this.longQty * m.mark;
    s.insurance_fund![row] = this.ledger[LEDGER.insuranceFund];
    s.vault_equity![row] = this.waterfall.vaultEquity?.() ?? this.ledger[LEDGER.vault];
    s.liquidations![row] = this.tickLiquidations;
    s.shortfall![row] = this.tickShortfall;
    s.depth![row] = m.depth;
    s.funding_index![row] = this.phi;
  }

  /** All money: agents' collateral and wallets plus every ledger account. */
  money(): number {
    const a = this.accounts;
    let s = 0;
    for (let i = 0; i < a.n; i++) s += a.cash[i] + a.wallet[i];
    for (let k = 0; k < LEDGER_SIZE; k++) s += this.ledger[k];
    return s;
  }

  /** @internal the sum of |balance| over every account and ledger entry */
  grossBalance(): number {
    const a = this.accounts;
    let s = 0;
    for (let i = 0; i < a.n; i++) s += Math.abs(a.cash[i]) + Math.abs(a.wallet[i]);
    for (let k = 0; k < LEDGER_SIZE; k++) s += Math.abs(this.ledger[k]);
    return s;
  }

  /**
   * Gross money in the system (the sum of |balance| over every account and ledger entry), the larger of its
   * value at the start and, once `finish()` ran, at the end: the scale of the conservation error. Rounding
   * error is relative to the balances a run holds, so a run whose debts grow far beyond its starting money
   * (a huge position against a thin book) is judged against them.
   */
  get moneyScale(): number {
    return this.grossMoney;
  }

  /**
   * Settles every account's funding, lets the stages finish and returns the summary metrics (after the last
   * `step`): the payoffs and run statistics of src/engine/results.ts.
   *
   * @throws InvariantError when money was created or destroyed beyond rounding (|conservation_error| >
   *   1e-9 × moneyScale) or a metric, payoff or series value is not finite: such a run has no result
   */
  finish(): RunMetrics {
    this.settleAllFunding();
    this.waterfall.finish?.();
    return runResult(this);
  }

  /**
   * After tick t of a replay (see `locateBreak` in simulate.ts): what is broken in the state, or '' when
   * nothing is: every balance, position and price finite, and all money within rounding of `start`.
   */
  probe(start: number, scale: number): string {
    const a = this.accounts;
    let money = 0;
    let other = 0;
    for (let i = 0; i < a.n; i++) {
      money += a.cash[i] + a.wallet[i];
      other += a.qty[i] + a.entry[i] + a.spot[i];
    }
    for (let k = 0; k < LEDGER_SIZE; k++) money += this.ledger[k];
    const m = this.market;
    if (!Number.isFinite(money)) return `a balance is ${money}`;
    if (!Number.isFinite(other)) return `a position, entry price or spot holding is ${other}`;
    if (!Number.isFinite(m.mark) || !Number.isFinite(m.oracle) || !Number.isFinite(m.index[this.tick]))
      return `a price is not finite (mark ${m.mark}, oracle ${m.oracle}, index ${m.index[this.tick]})`;
    if (!(Math.abs(money - start) <= 1e-9 * scale))
      return `all money changed by ${money - start}, beyond rounding (1e-9 × ${scale})`;
    return '';
  }
}

/** One group of the population: a role's mix entry, its strategy and its number of agents. */
interface GroupPlan {
  role: keyof typeof ROLE_CODE;
  strategy: Strategy;
  params: unknown;
  count: number;
  capital: SimConfig['agents']['traders']['capital'];
}

/** The population of a run: one group per (role, strategy mix entry), in role order, ids contiguous. */
function population(cfg: SimConfig): GroupPlan[] {
  const plan: GroupPlan[] = [];
  for (const role of Object.keys(ROLE_CODE) as (keyof typeof ROLE_CODE)[]) {
    const r = cfg.agents[role];
    const counts = mixCounts(r.count, r.mix);
    r.mix.forEach((m, k) => {
      const s = getStrategy(m.strategy);
      if (!s) throw new Error(`strategy '${m.strategy}' is not registered`);
      plan.push({ role, strategy: s, params: m.params, count: counts[k], capital: m.capital ?? r.capital });
    });
  }
  return plan;
}

/** Splits a role's `count` among its mix entries (counts as given; fractions by largest remainder). */
export function mixCounts(total: number, mix: { count?: number; fraction?: number }[]): number[] {
  const out = mix.map((m) => m.count ?? 0);
  const fixed = out.reduce((a, b) => a + b, 0);
  const fr = mix.map((m, i) => ({ i, f: m.count === undefined ? (m.fraction ?? 0) : 0 }));
  const fsum = fr.reduce((a, b) => a + b.f, 0);
  if (fsum > 0) {
    const rest = Math.max(0, total - fixed);
    const exact = fr.map((x) => (x.f / fsum) * rest);
    let given = 0;
    for (const x of fr) {
      out[x.i] += Math.floor(exact[x.i]);
      given += Math.floor(exact[x.i]);
    }
    const order = fr
      .filter((x) => x.f > 0)
      .sort(
        (p, q) => exact[q.i] - Math.floor(exact[q.i]) - (exact[p.i] - Math.floor(exact[p.i])) || p.i - q.i,
      );
    for (let k = 0; given < rest && k < order.length; k++, given++) out[order[k].i]++;
  }
  return out;
}

function drawCapital(c: SimConfig['agents']['traders']['capital'], rng: Stream): number {
  switch (c.dist) {
    case 'fixed':
      return c.value;
    case 'uniform':
      return rng.between(c.min, c.max);
    case 'lognormal':
      return c.median * Math.exp(c.sigma * rng.normal());
  }
}
