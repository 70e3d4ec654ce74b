/**
 * Backstop capacity providers (FTX's backstop liquidity providers): an account that reaches this stage is
 * closed against the providers that committed capacity (`Keepers.commitCapacity`), in proportion to what
 * each has left of its per-minute and per-hour capacity (fixed clock windows of 60 s and 3,600 s). The
 * position moves to them at the mark with its collateral, pro rata; when the capacity left is smaller than
 * the position, only that part moves now (the rest waits for the next tick); when there is none, the
 * account goes to the next closer. A negative equity, once the whole position has moved, is a shortfall for
 * the payers. A provider takes no more than its initial margin allows (see `maxTake`): what it cannot carry
 * is left to the next tick or the next closer, so no provider loses more than it put in.
 */
import { z } from 'zod';
import {
  type Accounts,
  CAPACITY_SERVICE,
  type CapacityService,
  defineStage,
  maxTake,
  moveCash,
  type StageInstance,
  type StageState,
  type StateSizes,
  transferPosition,
  type VenueContext,
} from '../../plugin.js';

const Params = z.strictObject({
  minNotionalUsd: z
    .number()
    .finite()
    .min(0)
    .default(1)
    .describe('capacity left below this is not used (USD of notional)'),
});

type CapacityProvidersParams = z.output<typeof Params>;

/**
 * Per account row: a provider's capacity per minute and per hour, what it used in the current minute and
 * hour, which minute and hour those are (−1: none yet); the providers' rows and their shares of a take.
 */
function state(_p: CapacityProvidersParams, run: StateSizes) {
  return {
    perMin: 'f64',
    perHour: 'f64',
    usedMin: 'f64',
    usedHour: 'f64',
    minBucket: { type: 'f64', length: run.accounts, fill: -1 },
    hourBucket: { type: 'f64', length: run.accounts, fill: -1 },
    providers: 'i32',
    share: 'f64',
  } as const;
}

/**
 * One run's state, and the run's capacity service (`CAPACITY_SERVICE`). A class, not closures made in `build` (docs/performance.md).
 */
class CapacityProviders implements StageInstance, CapacityService {
  private readonly a: Accounts;
  private readonly minNotionalUsd: number;
  private readonly perMin: Float64Array;
  private readonly perHour: Float64Array;
  private readonly usedMin: Float64Array;
  private readonly usedHour: Float64Array;
  private readonly minBucket: Float64Array;
  private readonly hourBucket: Float64Array;
  private readonly providers: Int32Array;
  private providersN = 0;
  private readonly share: Float64Array;

  constructor(
    private readonly sim: VenueContext,
    params: CapacityProvidersParams,
    st: StageState<ReturnType<typeof state>>,
  ) {
    this.a = sim.accounts;
    this.minNotionalUsd = params.minNotionalUsd;
    this.perMin = st.perMin;
    this.perHour = st.perHour;
    this.usedMin = st.usedMin;
    this.usedHour = st.usedHour;
    this.minBucket = st.minBucket;
    this.hourBucket = st.hourBucket;
    this.providers = st.providers;
    this.share = st.share;
  }

  remaining(k: number): number {
    const t = this.sim.time;
    const mb = Math.floor(t / 60);
    const hb = Math.floor(t / 3600);
    if (this.minBucket[k] !== mb) {
      this.minBucket[k] = mb;
      this.usedMin[k] = 0;
    }
    if (this.hourBucket[k] !== hb) {
      this.hourBucket[k] = hb;
      this.usedHour[k] = 0;
    }
    return Math.max(0, Math.min(this.perMin[k] - this.usedMin[k], this.perHour[k] - this.usedHour[k]));
  }

  commit(k: number, m: number, h: number): void {
    const { perMin, perHour } = this;
    if (perMin[k] === 0 && perHour[k] === 0 && (m > 0 || h > 0)) this.providers[this.providersN++] = k;
    perMin[k] = Math.max(0, m);
    perHour[k] = Math.max(0, h);
  }

  liquidate(id: number): boolean {
    const { sim, a, providers, providersN, share, usedMin, usedHour } = this;
    const q = a.qty[id];
    const mark = sim.mark;
    let total = 0;
    for (let j = 0; j < providersN; j++) {
      const k = providers[j];
      share[j] = k === id ? 0 : Math.min(this.remaining(k), maxTake(sim, k, Math.sign(q), mark) * mark);
      total += share[j];
    }
    if (!(total >= this.minNotionalUsd)) return false;
    const notional = Math.abs(q) * mark;
    const f = Math.min(1, total / notional);
    const pbk = a.bankruptcyPrice(id, sim.phi);
    const e = sim.equity(id);
    let moved = 0;
    let last = -1;
    for (let j = 0; j < providersN; j++) if (share[j] > 0) last = j;
    for (let j = 0; j < providersN; j++) {
      if (!(share[j] > 0)) continue;
      const k = providers[j];
      const w = share[j] / total;
      // the last provider takes exactly what is left, so a full close leaves no dust
      const dq = f >= 1 && j === last ? a.qty[id] : q * f * w;
      transferPosition(sim, id, k, dq, mark);
      usedMin[k] += Math.abs(dq) * mark;
      usedHour[k] += Math.abs(dq) * mark;
      if (e > 0) moveCash(sim, id, k, f >= 1 && j === last ? a.cash[id] : e * f * w);
      moved += Math.abs(dq);
      sim.log('takeover', id, -dq, mark, e * f * w);
    }
    sim.noteLiquidation(moved * mark);
    if (a.qty[id] === 0 && a.cash[id] < 0) sim.waterfall.coverShortfall(id, -a.cash[id], Math.sign(q), pbk);
    return true;
  }
}

export default defineStage({
  name: 'capacity-providers',
  description: 'closes positions against committed backstop providers, pro rata to capacity left (FTX)',
  role: 'close',
  provides: [CAPACITY_SERVICE],
  params: Params,
  state,
  build: ({ sim, params, provide, state: st }) => {
    const stage = new CapacityProviders(sim, params, st);
    provide(CAPACITY_SERVICE, stage);
    return stage;
  },
});
