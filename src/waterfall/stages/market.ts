/**
 * Market liquidation: the venue sends closing orders into its own book (through the liquidity model, so
 * they move the mark and can cascade). Full, or partial: positions above `sliceAboveUsd` of notional go
 * `fraction` at a time with `cooldownSeconds` between steps (Hyperliquid: 20% above 100,000 USDC, then
 * 30 s; FTX: about 10% every 6 s). A liquidation fee is charged from the equity left (never below zero)
 * and split between the insurance fund, the vault, the liquidator (a keeper bot, see `Keepers.watch`)
 * and the venue (the rest). Like every order through the book, a liquidation order fills only within the
 * price band: what the band leaves is sent again next tick.
 */
import { z } from 'zod';
import {
  type Accounts,
  defineStage,
  LEDGER,
  moveCash,
  NO_FEE,
  type StagedWaterfall,
  type StageInstance,
  VAULT_SERVICE,
  type VenueContext,
} from '../../plugin.js';

const frac = () => z.number().finite().min(0).max(1);

/** A partial liquidation never leaves less than this notional behind (USD): smaller positions close whole. */
const MIN_LEFT_USD = 1;

const Params = z.strictObject({
  fraction: z
    .number()
    .finite()
    .positive()
    .max(1)
    .default(1)
    .describe('share of the position sent per step (1: the whole position at once)'),
  sliceAboveUsd: z
    .number()
    .finite()
    .min(0)
    .default(0)
    .describe('only positions above this notional are sliced; smaller ones close whole (USD)'),
  cooldownSeconds: z.number().finite().min(0).default(30).describe('wait between two steps (seconds)'),
  fee: z
    .number()
    .finite()
    .min(0)
    .max(0.5)
    .optional()
    .describe('liquidation fee (fraction of closed notional); default: venue.liquidationFee'),
  feeSplit: z
    .strictObject({
      insuranceFund: frac()
        .optional()
        .describe('share of the fee to the insurance fund; default: venue.liquidationFeeToFund'),
      vault: frac().default(0).describe('share of the fee to the backstop vault (needs a vault stage)'),
      liquidator: frac().default(0).describe('share of the fee to the liquidator (a keeper bot), if any'),
    })
    .prefault({})
    .describe('how the fee is split; what is left goes to the venue'),
});

/** One run's market liquidations (a class, like every stage: see adl.ts). */
class MarketLiquidation implements StageInstance {
  private readonly a: Accounts;
  private readonly rate: number;
  private readonly toFund: number;
  private readonly toVault: number;
  private readonly toLiq: number;
  /** time of each account's last step (partial liquidations only) */
  private readonly lastStep: Float64Array | undefined;

  constructor(
    private readonly sim: VenueContext,
    private readonly params: z.output<typeof Params>,
    private readonly waterfall: StagedWaterfall,
    lastStep: Float64Array,
  ) {
    const a = sim.accounts;
    const v = sim.cfg.venue;
    this.a = a;
    this.rate = params.fee ?? v.liquidationFee;
    this.toFund = params.feeSplit.insuranceFund ?? v.liquidationFeeToFund;
    this.toVault = params.feeSplit.vault;
    this.toLiq = params.feeSplit.liquidator;
    if (this.toFund + this.toVault + this.toLiq > 1 + 1e-12)
      throw new Error('market.feeSplit shares sum to more than 1');
    this.lastStep = params.fraction < 1 ? lastStep : undefined;
  }

  private chargeFee(id: number, notional: number): void {
    const { sim, a, waterfall } = this;
    const fee = Math.min(this.rate * notional, Math.max(0, sim.equity(id)));
    if (!(fee > 0)) return;
    let rest = fee;
    const f = fee * this.toFund;
    if (f > 0) {
      sim.charge(id, LEDGER.insuranceFund, f);
      rest -= f;
    }
    const vault = this.toVault > 0 ? waterfall.keepers.service(VAULT_SERVICE) : undefined;
    if (this.toVault > 0 && vault) {
      const x = fee * this.toVault;
      moveCash(sim, id, vault.cashRow, x);
      a.costs[id] += x;
      rest -= x;
    }
    const k = this.toLiq > 0 ? waterfall.keepers.nextWatcher() : -1;
    if (k >= 0) {
      const x = fee * this.toLiq;
      moveCash(sim, id, k, x);
      a.costs[id] += x;
      rest -= x;
    }
    if (rest > 0) sim.charge(id, LEDGER.venueFees, rest);
  }

  liquidate(id: number): boolean {
    const { sim, a, lastStep } = this;
    const q = a.qty[id];
    const m = sim.market;
    let dq = -q;
    // a step would leave less than MIN_LEFT_USD of notional: the rest goes whole (no dust positions sliced
    // forever)
    const n = Math.abs(q) * m.mark;
    if (lastStep && n > this.params.sliceAboveUsd && n * (1 - this.params.fraction) >= MIN_LEFT_USD) {
      const now = sim.time;
      if (now - lastStep[id] < this.params.cooldownSeconds) return true; // waiting out the cooldown
      lastStep[id] = now;
      dq = -q * this.params.fraction;
    }
    const lim = m.bookLimit(dq > 0 ? 1 : -1);
    if (Math.abs(dq) * m.mark > lim) {
      // the book holds nothing more within the band this tick: the rest waits
      if (!(lim > 0)) return true;
      dq = (dq > 0 ? lim : -lim) / m.mark;
    }
    const pbk = a.bankruptcyPrice(id, sim.phi);
    const x = m.impactPrice(dq * m.mark);
    sim.snap(id);
    sim.fill(id, dq, x, NO_FEE);
    const notional = Math.abs(dq) * Math.abs(x);
    sim.noteLiquidation(notional);
    sim.log('liquidation', id, dq, x, notional, sim.snapQty, sim.snapLeverage, sim.snapPnl);
    this.chargeFee(id, notional);
    if (a.qty[id] === 0) {
      if (lastStep) lastStep[id] = Number.NEGATIVE_INFINITY;
      if (a.cash[id] < 0) sim.waterfall.coverShortfall(id, -a.cash[id], Math.sign(q), pbk);
    }
    return true;
  }
}

export default defineStage({
  name: 'market',
  description: 'closes positions through the book: full, or a fraction per step with a cooldown',
  role: 'close',
  params: Params,
  alwaysHandles: () => true,
  // per account row, when liquidations go in slices: the time of its last slice
  state: (params, run) => ({
    lastStep: {
      type: 'f64',
      length: params.fraction < 1 ? run.accounts : 0,
      fill: Number.NEGATIVE_INFINITY,
    },
  }),
  build: ({ sim, params, waterfall, state }) => new MarketLiquidation(sim, params, waterfall, state.lastStep),
});
