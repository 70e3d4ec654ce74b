import { z } from 'zod';
import { driftVolIssues } from '../../config/bounds.js';
import { startPrice } from './limits.js';
import { type PriceModel, SECONDS_PER_YEAR } from './types.js';

const STATIONARITY_MESSAGE = 'alpha + beta must be < 1 for a stationary GARCH(1,1)';

/** Parameters of {@link garch}. */
export const garchParams = z
  .strictObject({
    model: z.literal('garch'),
    p0: startPrice(),
    mu: z
      .number()
      .default(0)
      .describe("annualised drift of the price (1/year; |mu|·T ≤ 50 over the run's horizon T in years)"),
    sigma: z
      .number()
      .min(0)
      .default(0.8)
      .describe(
        "annualised long-run (unconditional) volatility; sets omega (1/sqrt(year); sigma·√T ≤ 10 over the run's horizon T in years)",
      ),
    alpha: z
      .number()
      .min(0)
      .default(0.08)
      .describe('ARCH weight on the last squared innovation (dimensionless)'),
    beta: z
      .number()
      .min(0)
      .default(0.9)
      .describe('GARCH weight on the last conditional variance (dimensionless)'),
  })
  .superRefine((p, ctx) => {
    if (p.alpha + p.beta >= 1) {
      ctx.addIssue({ code: 'custom', path: ['alpha'], message: STATIONARITY_MESSAGE });
      ctx.addIssue({ code: 'custom', path: ['beta'], message: STATIONARITY_MESSAGE });
    }
  });

/** Parsed (defaulted) parameters of {@link garch}. */
export type GarchParams = z.infer<typeof garchParams>;

/**
 * GARCH(1,1) on per-tick log returns, with Δ = dtSeconds / year and sigmaTick² = sigma²·Δ:
 * e_t = √h_t·Z_t, ln P_{t+1} = ln P_t + mu·Δ − h_t/2 + e_t, h_{t+1} = omega + alpha·e_t² + beta·h_t,
 * omega = sigmaTick²·(1 − alpha − beta), h_0 = sigmaTick² (the unconditional variance), so the
 * long-run per-tick return variance is sigmaTick² and E[P_{t+1} | P_t, h_t] = P_t·e^{mu·Δ}.
 * The parameters are per tick: changing dtSeconds keeps the long-run volatility but not the clustering
 * time scale (persistence alpha + beta is per tick).
 */
export const garch: PriceModel<GarchParams> = {
  name: 'garch',
  description: 'GARCH(1,1) volatility clustering on per-tick log returns (long-run volatility sigma)',
  params: garchParams,
  limits: (p, { horizon }) => driftVolIssues(p.mu, p.sigma, horizon),
  generate(params, ctx) {
    const { ticks, dtSeconds, rng } = ctx;
    const { alpha, beta } = params;
    const dt = dtSeconds / SECONDS_PER_YEAR;
    const varTick = params.sigma * params.sigma * dt;
    const omega = varTick * (1 - alpha - beta);
    const muTick = params.mu * dt;
    const path = new Float64Array(ticks + 1);
    let p = params.p0;
    let h = varTick;
    path[0] = p;
    for (let k = 1; k <= ticks; k++) {
      const e = Math.sqrt(h) * rng.normal();
      p *= Math.exp(muTick - 0.5 * h + e);
      path[k] = p;
      h = omega + alpha * e * e + beta * h;
    }
    return path;
  },
};
