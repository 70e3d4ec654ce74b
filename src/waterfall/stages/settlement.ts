/**
 * Settlement override: at tick `atTick` (after that tick's liquidations) every open position — the
 * agents' and the backstop vault's — is closed at one chosen price against the book's counterparty, as
 * when Hyperliquid's validators delisted JELLY (26 March 2025) and settled it at a price of their choice.
 * The price is a number (USD), or the oracle's time-weighted average over the `twapSeconds` before the
 * settlement ('oracle-twap'), or the oracle now ('oracle'). An account left with negative collateral is a
 * shortfall for the payers. Open auction lots are not settled.
 *
 * The market stays open afterwards: for a delisting end the run at the settlement (`ticks = atTick + 1`)
 * or use strategies that no longer trade. List it last; it closes nothing when accounts are liquidated.
 */
import { z } from 'zod';
import {
  type Accounts,
  atMost,
  defineStage,
  MAX_PRICE,
  NO_FEE,
  NO_FLOW,
  type StagedWaterfall,
  type StageInstance,
  VAULT_SERVICE,
  type VenueContext,
} from '../../plugin.js';

const Params = z.strictObject({
  atTick: z
    .union([z.number().int().min(0), z.literal('never')])
    .describe(
      "tick after whose liquidations every position is settled ('never': no settlement, e.g. in a sweep)",
    ),
  price: z
    .union([
      z
        .number()
        .finite()
        .positive()
        .max(MAX_PRICE, atMost(MAX_PRICE, 'USD', 'the largest price a run may hold')),
      z.enum(['oracle-twap', 'oracle']),
    ])
    .default('oracle-twap')
    .describe("settlement price: a number (USD), 'oracle-twap' over twapSeconds, or 'oracle' now"),
  twapSeconds: z
    .number()
    .finite()
    .positive()
    .default(3600)
    .describe("window of 'oracle-twap', ending at the settlement (seconds)"),
});

type SettlementParams = z.output<typeof Params>;

/**
 * One run's state. A class, not closures made in `build` (docs/performance.md).
 */
class Settlement implements StageInstance {
  private readonly a: Accounts;
  private readonly atTick: number;
  /** 0 a number (`fixedPrice`), 1 the oracle now, 2 the oracle's TWAP */
  private readonly priceRule: number;
  private readonly fixedPrice: number;
  /** The oracle's last `window.length` readings, one per tick (a ring). */
  private readonly window: Float64Array;
  private filled = 0;
  private at = 0;

  constructor(
    private readonly sim: VenueContext,
    params: SettlementParams,
    private readonly waterfall: StagedWaterfall,
    window: Float64Array,
  ) {
    this.a = sim.accounts;
    this.atTick = params.atTick === 'never' ? -1 : params.atTick;
    const price = params.price;
    this.priceRule = typeof price === 'number' ? 0 : price === 'oracle' ? 1 : 2;
    this.fixedPrice = typeof price === 'number' ? price : Number.NaN;
    this.window = window;
  }

  private settle(p: number): void {
    const { sim, a, waterfall } = this;
    const vault = waterfall.keepers.service(VAULT_SERVICE)?.cashRow ?? -1;
    for (let i = 0; i < a.n; i++) {
      const q = a.qty[i];
      if (q === 0 || (i >= sim.nAgents && i !== vault)) continue;
      const pbk = a.bankruptcyPrice(i, sim.phi);
      sim.snap(i);
      sim.fill(i, -q, p, NO_FEE | NO_FLOW);
      sim.log('liquidation', i, -q, p, Math.abs(q) * p, sim.snapQty, sim.snapLeverage, sim.snapPnl);
      // the vault's own deficit, if the settlement leaves it one, is settled by the vault (`solvency`)
      if (i < sim.nAgents && a.cash[i] < 0) waterfall.coverShortfall(i, -a.cash[i], Math.sign(q), pbk);
    }
  }

  endTick(): void {
    const { sim, window } = this;
    // the oracle's last `window` readings, one per tick
    if (this.filled < window.length) this.filled++;
    window[this.at] = sim.oracle;
    this.at = (this.at + 1) % window.length;
    if (sim.tick !== this.atTick) return;
    const p = this.priceRule === 0 ? this.fixedPrice : this.priceRule === 1 ? sim.oracle : this.twap();
    this.settle(p);
  }

  /**
   * Mean of the readings in the window, summed afresh (once a run): a running sum that subtracts the
   * readings leaving the window keeps their rounding error, which after a fall of many orders of magnitude
   * exceeds the readings left (a hostile review settled at −6.7e-11 against a true average of 3e-12).
   */
  private twap(): number {
    let sum = 0;
    for (let k = 0; k < this.filled; k++) sum += this.window[k];
    return sum / this.filled;
  }
}

export default defineStage({
  name: 'settlement',
  description: 'settlement override: closes every position at a chosen price at one tick (a delisting)',
  role: 'scheduled',
  params: Params,
  checkRun: (params, run) =>
    params.atTick === 'never' || params.atTick < run.ticks
      ? []
      : [
          {
            path: 'atTick',
            message: `tick ${params.atTick} is after the run's last tick, so the settlement would never happen; allowed: 0 to ${run.ticks - 1} (ticks − 1), or 'never'`,
          },
        ],
  // the oracle's readings over the TWAP window, one per tick: a window longer than the run holds every
  // reading so far, as one of exactly the run would
  state: (params, run) => ({
    window: {
      type: 'f64',
      length: Math.max(1, Math.min(run.ticks, Math.round(params.twapSeconds / run.dtSeconds))),
    },
  }),
  build: ({ sim, params, waterfall, state }) => new Settlement(sim, params, waterfall, state.window),
});
