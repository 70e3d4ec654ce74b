/**
 * Backstop vault (Hyperliquid's HLP): takes over a position and its margin when the account's equity falls
 * below `takeoverBelow` × maintenance, or when it is reached because an earlier closer passed. The margin is
 * kept (not returned); a negative equity goes to the payers as a shortfall. The vault unwinds its inventory
 * through the book (`unwind`), and, listed as a payer too, pays shortfalls from its own cash. LPs hold
 * shares priced at vault equity (cash + inventory at the mark); deposits and withdrawals move at the share
 * price, with a lock-up after each deposit, a withdrawal delay and a cap on vault equity.
 *
 * Limited liability. The vault takes over a position only if its equity afterwards still meets initial
 * margin on its whole book (the venue's tiers, or `maxLeverage` if set); otherwise the account goes to the
 * next closer. It pays shortfalls and LPs' withdrawals only from equity above that margin. A gap can still
 * leave its equity below zero: then, at the end of that tick, the vault is bankrupt (a `bankrupt` event):
 * its LPs' shares are extinguished (worth nothing, never less), its book is wound down through the book,
 * and each deficit on the way is a shortfall for the payers listed after the vault. What is left once the
 * book is closed goes to the insurance fund (the venue recovers it, not the LPs the payers bailed out), and
 * the vault starts again empty. While it winds down it takes over nothing, pays nothing and takes no
 * deposits; if the run ends first, its book is valued at the mark and what is left goes to the fund too.
 *
 * The vault's cash and inventory live in one system account row; its PnL counts as the LPs'.
 */
import { z } from 'zod';
import {
  type Accounts,
  defineStage,
  health,
  LEDGER,
  moveCash,
  NO_FEE,
  NO_FLOW,
  type StageInstance,
  type StageMetric,
  type StageState,
  transferPosition,
  VAULT_SERVICE,
  type VaultService,
  type VenueContext,
} from '../../plugin.js';

const nonneg = () => z.number().finite().min(0);

const Params = z.strictObject({
  initialUsd: nonneg().default(0).describe('vault equity at the start, from outside (USD; shares at 1 USD)'),
  takeoverBelow: z
    .number()
    .finite()
    .min(0)
    .default(2 / 3)
    .describe('takes over when equity < this × maintenance margin (fraction; Hyperliquid 2/3)'),
  takeOnDecline: z
    .boolean()
    .default(true)
    .describe('also takes over any account an earlier closer passed on'),
  maxLeverage: nonneg()
    .default(0)
    .describe(
      "most notional of the vault's book per unit of its equity after a takeover (x; 0: the venue's initial margin tiers)",
    ),
  maxPositionUsd: nonneg().default(0).describe('largest notional one takeover may take (USD; 0: no cap)'),
  maxInventoryUsd: nonneg().default(0).describe("largest notional of the vault's inventory (USD; 0: no cap)"),
  unwind: z
    .enum(['hold', 'immediate', 'twap'])
    .default('twap')
    .describe("how inventory is sold: 'hold' (never), 'immediate' (next tick), 'twap' (a fraction per tick)"),
  unwindFraction: z
    .number()
    .finite()
    .positive()
    .max(1)
    .default(0.1)
    .describe("share of the inventory sold per tick with 'twap'"),
  maxPayShare: z
    .number()
    .finite()
    .min(0)
    .max(1)
    .default(1)
    .describe('as a payer: most one shortfall may take, as a share of vault cash'),
  lockupSeconds: nonneg()
    .default(4 * 86_400)
    .describe('lock-up after a deposit (seconds; HLP 4 days)'),
  withdrawalDelaySeconds: nonneg()
    .default(0)
    .describe('delay between a withdrawal request and payment (seconds)'),
  depositCapUsd: nonneg().default(0).describe('deposits stop at this vault equity (USD; 0: no cap)'),
});

/** Slots of `Vault.st`: doubles in a typed array, never boxed. */
const TOTAL = 0;
const PEAK = 1;
const MAX_DD = 2;

/**
 * Per account row: the LP's shares, when its lock ends, the shares it asked to withdraw and when; the rows
 * with a withdrawal pending.
 */
const STATE = {
  lpShares: 'f64',
  lockedUntil: 'f64',
  pendingShares: 'f64',
  pendingAt: 'f64',
  pendingList: 'i32',
} as const;

/**
 * One run's vault: the stage, the LPs' view of it (`VaultService`) and the waterfall's. A class, not closures made in `build` (docs/performance.md).
 */
class Vault implements StageInstance, VaultService {
  private readonly a: Accounts;
  private readonly lpShares: Float64Array;
  private readonly lockedUntil: Float64Array;
  private readonly pendingShares: Float64Array;
  private readonly pendingAt: Float64Array;
  private readonly pendingList: Int32Array;
  private pendingN = 0;
  /** The vault's running numbers: total shares, the share price's peak and its largest drawdown (`TOTAL`, `PEAK`, `MAX_DD`). */
  private readonly st = new Float64Array(3);
  /** Bankrupt and winding its book down (see the module comment). */
  private bankrupt = false;
  /** Went bankrupt at some point of the run. */
  private wentBankrupt = false;

  /** Slots of the metrics the vault declares: its return and its largest drawdown, set in `report`. */
  private readonly mReturn: number;
  private readonly mDrawdown: number;

  constructor(
    private readonly sim: VenueContext,
    private readonly params: z.output<typeof Params>,
    /** the vault's system account row: its cash and inventory */
    readonly cashRow: number,
    /** the vault's position in `waterfall.stages`: its own deficit goes to the payers after it */
    private readonly index: number,
    metric: (name: StageMetric) => number,
    st: StageState<typeof STATE>,
  ) {
    this.mReturn = metric('vault_return');
    this.mDrawdown = metric('vault_max_drawdown');
    this.a = sim.accounts;
    this.lpShares = st.lpShares;
    this.lockedUntil = st.lockedUntil;
    this.pendingShares = st.pendingShares;
    this.pendingAt = st.pendingAt;
    this.pendingList = st.pendingList;
    this.st[TOTAL] = params.initialUsd;
    this.st[PEAK] = 1;
    if (params.initialUsd > 0) sim.transferIn(cashRow, params.initialUsd);
  }

  equity(): number {
    return this.sim.equity(this.cashRow);
  }

  /** Equity per share, never below zero (limited liability: a share can be worth nothing, not less). */
  sharePrice(): number {
    if (!(this.st[TOTAL] > 0)) return 1;
    const e = this.equity();
    return e > 0 ? e / this.st[TOTAL] : 0;
  }

  shares(lp: number): number {
    return this.lpShares[lp];
  }

  totalShares(): number {
    return this.st[TOTAL];
  }

  pending(lp: number): number {
    return this.pendingShares[lp];
  }

  position(): number {
    return this.a.qty[this.cashRow];
  }

  /** Share price at the end over the start, minus 1 (−1 once the vault has been bankrupt: its shares went to zero). */
  ret(): number {
    return this.wentBankrupt ? -1 : this.sharePrice() - 1;
  }

  /** Largest share-price drawdown so far (fraction). */
  drawdown(): number {
    return this.st[MAX_DD];
  }

  deposit(lp: number, usd: number): number {
    const { sim, a, params } = this;
    const p = this.sharePrice();
    if (this.bankrupt || !(p > 0) || !(usd > 0)) return 0;
    const free =
      a.qty[lp] === 0
        ? a.cash[lp]
        : Math.min(a.cash[lp], sim.equity(lp) - a.imr[lp] * Math.abs(a.qty[lp]) * sim.mark);
    let x = Math.min(usd, free);
    if (params.depositCapUsd > 0) x = Math.min(x, params.depositCapUsd - this.equity());
    if (!(x > 0)) return 0;
    const s = x / p;
    moveCash(sim, lp, this.cashRow, x);
    this.lpShares[lp] += s;
    this.st[TOTAL] += s;
    this.lockedUntil[lp] = sim.time + params.lockupSeconds;
    sim.log('deposit', lp, s, p, x);
    return s;
  }

  requestWithdrawal(lp: number, shares: number): boolean {
    const { sim, lpShares, pendingShares } = this;
    if (!(shares > 0) || sim.time < this.lockedUntil[lp]) return false;
    if (shares > lpShares[lp] - pendingShares[lp] + 1e-12 * lpShares[lp]) return false;
    if (pendingShares[lp] === 0) this.pendingList[this.pendingN++] = lp;
    pendingShares[lp] = Math.min(lpShares[lp], pendingShares[lp] + shares);
    this.pendingAt[lp] = sim.time + this.params.withdrawalDelaySeconds;
    return true;
  }

  /** The initial margin the vault's book of `notional` USD needs (its `maxLeverage`, or the venue's tiers). */
  private margin(notional: number): number {
    const p = this.params;
    return (p.maxLeverage > 0 ? 1 / p.maxLeverage : this.sim.initialMarginRate(notional)) * notional;
  }

  /**
   * Whether the vault still meets initial margin on its whole book after taking over `q` units at the mark
   * with the account's equity `e` (its margin, kept; a negative equity counts against the vault, which may
   * pay that shortfall itself).
   */
  private canTake(q: number, e: number): boolean {
    const { sim, a } = this;
    return this.equity() + e >= this.margin(Math.abs(a.qty[this.cashRow] + q) * sim.mark);
  }

  /** Cash the vault may pay out (shortfalls, withdrawals): what its equity holds above its book's margin. */
  private free(): number {
    const { sim, a } = this;
    const row = this.cashRow;
    const f = Math.min(a.cash[row], this.equity() - this.margin(Math.abs(a.qty[row]) * sim.mark));
    return Math.max(f, 0);
  }

  private takeover(id: number): boolean {
    const { sim, a, params } = this;
    const row = this.cashRow;
    const q = a.qty[id];
    const mark = sim.mark;
    const notional = Math.abs(q) * mark;
    if (params.maxPositionUsd > 0 && notional > params.maxPositionUsd) return false;
    if (params.maxInventoryUsd > 0 && Math.abs(a.qty[row] + q) * mark > params.maxInventoryUsd) return false;
    if (!this.canTake(q, sim.equity(id))) return false;
    const pbk = a.bankruptcyPrice(id, sim.phi);
    transferPosition(sim, id, row, q, mark);
    const e = a.cash[id];
    sim.noteLiquidation(notional);
    sim.log('takeover', id, q, mark, e);
    if (e > 0) moveCash(sim, id, row, e);
    else if (e < 0) sim.waterfall.coverShortfall(id, -e, Math.sign(q), pbk);
    return true;
  }

  liquidate(id: number, declined: boolean): boolean {
    const params = this.params;
    if (this.bankrupt) return false;
    if (health(this.sim, id) < params.takeoverBelow || (declined && params.takeOnDecline))
      return this.takeover(id);
    return false;
  }

  cover(id: number, amount: number): number {
    const sim = this.sim;
    const row = this.cashRow;
    if (this.bankrupt) return 0;
    const pay = Math.min(amount, this.free() * this.params.maxPayShare);
    if (!(pay > 0)) return 0;
    moveCash(sim, row, id, pay);
    sim.log('vault', id, 0, this.sharePrice(), pay);
    return pay;
  }

  endTick(): void {
    const { sim, a, params, lpShares, pendingShares, pendingAt, pendingList } = this;
    const row = this.cashRow;
    // unwind inventory through the book (a bankrupt vault's book is wound down by `solvency`)
    const q = a.qty[row];
    if (q !== 0 && params.unwind !== 'hold' && !this.bankrupt) {
      const small = Math.abs(q) * sim.mark < 1;
      const dq = params.unwind === 'immediate' || small ? -q : -q * params.unwindFraction;
      sim.trade(row, dq, NO_FEE);
    }
    // withdrawals that are due, at the share price now, as far as the vault's free cash goes
    if (this.pendingN > 0) {
      const now = sim.time;
      let k = 0;
      for (let j = 0; j < this.pendingN; j++) {
        const lp = pendingList[j];
        let s = pendingShares[lp];
        if (pendingAt[lp] <= now) {
          const p = this.sharePrice();
          const cash = this.free();
          if (p > 0 && s * p > cash) s = cash / p;
          const pay = p > 0 ? s * p : 0;
          moveCash(sim, row, lp, pay);
          // shares are never driven below zero by rounding: redeeming (almost) all of them redeems all
          lpShares[lp] = lpShares[lp] - s > 1e-12 * s ? lpShares[lp] - s : 0;
          this.st[TOTAL] = this.st[TOTAL] - s > 1e-12 * s ? this.st[TOTAL] - s : 0;
          pendingShares[lp] = pendingShares[lp] - s > 1e-12 * s ? pendingShares[lp] - s : 0;
          sim.log('withdrawal', lp, s, p, pay);
        }
        if (pendingShares[lp] > 1e-12 * Math.max(1, lpShares[lp])) pendingList[k++] = lp;
        else pendingShares[lp] = 0;
      }
      this.pendingN = k;
    }
    this.trackPrice();
  }

  /**
   * After every stage's `endTick` (a settlement after the vault's own may have moved its book): a vault left
   * with negative equity winds its book down through the book, and what is still negative is a shortfall for
   * the payers listed after it. Its share price is then zero.
   */
  solvency(): void {
    const { sim, a } = this;
    const row = this.cashRow;
    if (!this.bankrupt) {
      if (!(this.equity() < 0)) return;
      // bankrupt: the LPs' claim is gone, whatever the book brings back later
      this.bankrupt = true;
      this.wentBankrupt = true;
      sim.log('bankrupt', row, a.qty[row], sim.mark, -this.equity());
      this.lpShares.fill(0);
      this.pendingShares.fill(0);
      this.pendingN = 0;
      this.st[TOTAL] = 0;
      this.st[MAX_DD] = 1;
    }
    const q = a.qty[row];
    if (q !== 0) {
      const pbk = a.bankruptcyPrice(row, sim.phi);
      const before = Math.abs(q);
      sim.trade(row, -q, NO_FEE);
      sim.noteLiquidation((before - Math.abs(a.qty[row])) * sim.mark);
      const e = this.equity();
      if (e < 0) sim.waterfall.coverShortfall(row, -e, q > 0 ? 1 : -1, pbk, this.index);
    }
    if (a.qty[row] === 0) {
      // wound down: what is left is the venue's, and the vault starts again empty
      const left = a.cash[row];
      if (left > 0) sim.charge(row, LEDGER.insuranceFund, left);
      else if (left < 0) sim.waterfall.coverShortfall(row, -left, q > 0 ? 1 : -1, Number.NaN, this.index);
      this.bankrupt = false;
    }
  }

  /**
   * The run ends while a bankrupt vault still winds down: its book is valued at the mark (closed there
   * against the book, which values every position at the mark) and what is left goes to the insurance fund,
   * as it would once wound down: not to the LPs, whose shares were extinguished. A deficit stays open
   * (`open_deficit`).
   */
  finish(): void {
    if (!this.bankrupt) return;
    const { sim, a } = this;
    const row = this.cashRow;
    if (a.qty[row] !== 0) sim.fill(row, -a.qty[row], sim.mark, NO_FEE | NO_FLOW);
    const left = a.cash[row];
    if (left > 0) sim.charge(row, LEDGER.insuranceFund, left);
  }

  report(): void {
    const m = this.sim.metrics;
    m[this.mReturn] = this.ret();
    m[this.mDrawdown] = this.drawdown();
  }

  private trackPrice(): void {
    const p = this.sharePrice();
    const st = this.st;
    if (p > st[PEAK]) st[PEAK] = p;
    const dd = 1 - p / st[PEAK];
    if (dd > st[MAX_DD]) st[MAX_DD] = dd;
  }
}

export default defineStage({
  name: 'vault',
  description:
    'backstop vault: takes over positions and margin within initial margin, unwinds them, pays shortfalls; LP shares',
  role: 'both',
  pays: 'vault',
  metrics: ['vault_return', 'vault_max_drawdown'],
  provides: [VAULT_SERVICE],
  params: Params,
  rows: () => 1,
  rowRole: 'lps',
  state: () => STATE,
  build({ sim, params, firstRow, index, metric, provide, state }) {
    const vault = new Vault(sim, params, firstRow, index, metric, state);
    provide(VAULT_SERVICE, vault);
    return vault;
  },
});
