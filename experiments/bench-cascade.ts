/**
 * The benchmark model "cascade" (../shared/bench/DECLARATION.md, copied to bench/reference/DECLARATION.md),
 * built from the simulator's own blocks: noise traders (the declared turnover), a GBM index with a 35%
 * crash over two hours from T/2, the mark from the liquidity model (impact decays by 0.9 a tick, depth
 * 2,000,000 × N per 100%), margin at the mark (2%), market liquidation with slippage and a 1% fee to the
 * insurance fund (0.5% of all collateral at the start), then ADL of opposite winners by BitMEX score at
 * the bankruptcy price; what nobody covers stays unpaid.
 *
 * Presets: `small` (1,000 traders × 2,000 ticks), `large` (100,000 × 2,000), `xl` (1,000,000 × 1,440).
 * The default is `small`. Checked against the numpy reference in distribution (test/bench-cascade.test.ts).
 */
import { defineExperiment, type SimConfigInput } from 'backstop-sim';

/** The declared model at N traders and T ticks, as a simulation config. */
export function cascadeConfig(n: number, ticks: number): SimConfigInput {
  return {
    ticks,
    dtSeconds: 60, // a tick is 60 s
    market: {
      index: { model: 'gbm', p0: 2000, mu: 0, sigma: 0.8 }, // ln P moves by −σ²Δ/2 + σ√Δ·Z
      // an extra ln(0.65)/120 a tick during [T/2, T/2 + 120): a 35% crash over two hours
      shocks: [{ atTick: Math.floor(ticks / 2), change: -0.35, durationSeconds: 7200 }],
      // D = 2,000,000 × N moves the price 100%, so 20,000 × N per 1%; I ← 0.9·I + F/D
      // each liquidation fills at M·(1 − sign(q)·|q|·M/D) against the tick's fixed mark: its own impact only;
      // turnover fills at M and still counts in F (the declared rule: unpaid flow moves the mark)
      liquidity: {
        depthUsd: 20_000 * n,
        resilience: 0.9,
        agentSlippage: false,
        unpaidFlowMovesMark: true,
        thinning: 0,
        impact: 'own',
      },
      funding: { enabled: false },
    },
    venue: {
      marginPrice: 'mark',
      // liquidated below 2% of |q|·M; 4% initial margin is 25x, the top of the declared leverage draws
      tiers: [{ minNotional: 0, mmr: 0.02, imr: 0.04 }],
      // the declared model has no price band: the widest the venue allows, which its cascade never reaches
      priceBand: { width: 0.99 },
      takerFee: 0.0005, // 0.05% of the closing notional, never below zero equity
      feeOn: 'close',
      liquidationFee: 0.01, // 1% of the liquidated notional, to the insurance fund
      liquidationFeeToFund: 1,
      insuranceFund: 0,
      insuranceFundShareOfCollateral: 0.005, // 0.5% of all initial collateral
    },
    waterfall: {
      stages: [
        { stage: 'market' },
        { stage: 'insurance-fund' },
        { stage: 'adl', ranking: 'bitmex', policy: 'queue', price: 'bankruptcy' },
      ],
    },
    agents: {
      traders: {
        count: n,
        capital: { dist: 'uniform', min: 1000, max: 100_000 }, // C ~ U(1,000, 100,000)
        mix: [
          {
            strategy: 'noise',
            fraction: 1,
            params: {
              arrivalProbability: 0.002,
              leverageMin: 2,
              leverageMax: 25,
              longProbability: 0.6,
              minEquity: 100,
            },
          },
        ],
      },
    },
  };
}

/** The declared sizes: traders and ticks. */
export const CASCADE_SIZES = {
  small: [1_000, 2_000],
  large: [100_000, 2_000],
  xl: [1_000_000, 1_440],
} as const;

const preset = (name: keyof typeof CASCADE_SIZES, runs: number) => {
  const [n, t] = CASCADE_SIZES[name];
  const c = cascadeConfig(n, t);
  return {
    description: `${n.toLocaleString('en')} traders × ${t.toLocaleString('en')} ticks`,
    runs,
    ticks: t,
    agents: { traders: { count: n } },
    set: { 'market.shocks': c.market!.shocks, 'market.liquidity.depthUsd': 20_000 * n },
  };
};

export default defineExperiment({
  name: 'bench-cascade',
  description: 'The declared benchmark model "cascade": a liquidation cascade through a 35% crash',
  base: cascadeConfig(...CASCADE_SIZES.small),
  runs: 100,
  seed: 1,
  presets: { small: preset('small', 100), large: preset('large', 20), xl: preset('xl', 5) },
});
