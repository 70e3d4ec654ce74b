import { z } from 'zod';
import { driftVolIssues } from '../../config/bounds.js';
import { startPrice } from './limits.js';
import { type PriceModel, SECONDS_PER_YEAR } from './types.js';

/** Parameters of {@link gbm}. */
export const gbmParams = z.strictObject({
  model: z.literal('gbm'),
  p0: startPrice(),
  mu: z
    .number()
    .default(0)
    .describe("annualised drift of the price (1/year; |mu|·T ≤ 50 over the run's horizon T in years)"),
  sigma: z
    .number()
    .min(0)
    .default(0.8)
    .describe("annualised volatility (1/sqrt(year); sigma·√T ≤ 10 over the run's horizon T in years)"),
});

/** Parsed (defaulted) parameters of {@link gbm}. */
export type GbmParams = z.infer<typeof gbmParams>;

/**
 * Geometric Brownian motion, sampled exactly on the tick grid:
 * ln P_{t+1} = ln P_t + (mu − sigma²/2)Δ + sigma·√Δ·Z, Δ = dtSeconds / SECONDS_PER_YEAR, so
 * E[P_t] = p0·e^{mu·t} for any tick size.
 */
export const gbm: PriceModel<GbmParams> = {
  name: 'gbm',
  description: 'geometric Brownian motion (lognormal, constant drift and volatility)',
  params: gbmParams,
  limits: (p, { horizon }) => driftVolIssues(p.mu, p.sigma, horizon),
  generate(params, ctx) {
    const { ticks, dtSeconds, rng } = ctx;
    const dt = dtSeconds / SECONDS_PER_YEAR;
    const drift = (params.mu - 0.5 * params.sigma * params.sigma) * dt;
    const vol = params.sigma * Math.sqrt(dt);
    const path = new Float64Array(ticks + 1);
    let p = params.p0;
    path[0] = p;
    for (let k = 1; k <= ticks; k++) {
      p *= Math.exp(drift + vol * rng.normal());
      path[k] = p;
    }
    return path;
  },
};
