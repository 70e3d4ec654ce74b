import { z } from 'zod';
import { type PriceModel, SECONDS_PER_YEAR } from './types.js';

/** Parameters of {@link merton}. */
export const mertonParams = z.strictObject({
  model: z.literal('merton'),
  p0: z.number().positive().default(2000).describe('start price (USD)'),
  mu: z.number().default(0).describe('annualised drift of the price, jumps included (1/year)'),
  sigma: z
    .number()
    .min(0)
    .default(0.8)
    .describe('annualised volatility of the diffusion part (1/sqrt(year))'),
  lambda: z.number().min(0).default(10).describe('jump intensity (jumps per year)'),
  jumpMean: z.number().default(-0.05).describe('mean of the log jump size (log-return units)'),
  jumpStd: z
    .number()
    .min(0)
    .default(0.1)
    .describe('standard deviation of the log jump size (log-return units)'),
});

/** Parsed (defaulted) parameters of {@link merton}. */
export type MertonParams = z.infer<typeof mertonParams>;

/**
 * Merton (1976) jump-diffusion, sampled exactly on the tick grid. Per tick, with Δ = dtSeconds / year:
 * N ~ Poisson(lambda·Δ) jumps, each with log size ~ normal(jumpMean, jumpStd), and
 * ln P_{t+1} = ln P_t + (mu − sigma²/2 − lambda·k)Δ + sigma·√Δ·Z + Σ_{i≤N} J_i,
 * k = exp(jumpMean + jumpStd²/2) − 1 (the compensator), so E[P_t] = p0·e^{mu·t}.
 * The sum of the N jump sizes is drawn in one go as N·jumpMean + jumpStd·√N·Z' (same distribution).
 */
export const merton: PriceModel<MertonParams> = {
  name: 'merton',
  description: 'Merton jump-diffusion (GBM plus Poisson-timed lognormal jumps, compensated drift)',
  params: mertonParams,
  generate(params, ctx) {
    const { ticks, dtSeconds, rng } = ctx;
    const { sigma, lambda, jumpMean, jumpStd } = params;
    const dt = dtSeconds / SECONDS_PER_YEAR;
    const kappa = Math.expm1(jumpMean + 0.5 * jumpStd * jumpStd);
    const drift = (params.mu - 0.5 * sigma * sigma - lambda * kappa) * dt;
    const vol = sigma * Math.sqrt(dt);
    const jumpRate = lambda * dt;
    const path = new Float64Array(ticks + 1);
    let p = params.p0;
    path[0] = p;
    for (let k = 1; k <= ticks; k++) {
      let inc = drift + vol * rng.normal();
      const n = rng.poisson(jumpRate);
      if (n > 0) {
        inc += n * jumpMean;
        if (jumpStd > 0) inc += jumpStd * Math.sqrt(n) * rng.normal();
      }
      p *= Math.exp(inc);
      path[k] = p;
    }
    return path;
  },
};
