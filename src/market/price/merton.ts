import { z } from 'zod';
import {
  atLeast,
  atMost,
  driftVolIssues,
  fmt,
  type Horizon,
  horizonText,
  MAX_DRIFT_LOG,
  MAX_JUMP_INTENSITY,
  MAX_JUMP_MEAN,
  MAX_JUMP_STD,
  MAX_VOL_LOG,
} from '../../config/bounds.js';
import type { InputIssue } from '../../errors.js';
import { startPrice } from './limits.js';
import { type PriceModel, SECONDS_PER_YEAR } from './types.js';

/** Parameters of {@link merton}. */
export const mertonParams = z.strictObject({
  model: z.literal('merton'),
  p0: startPrice(),
  mu: z
    .number()
    .default(0)
    .describe(
      "annualised drift of the price, jumps included (1/year; |mu|·T ≤ 50 over the run's horizon T in years)",
    ),
  sigma: z
    .number()
    .min(0)
    .default(0.8)
    .describe(
      "annualised volatility of the diffusion part (1/sqrt(year); sigma·√T ≤ 10 over the run's horizon T)",
    ),
  lambda: z
    .number()
    .min(0)
    .max(
      MAX_JUMP_INTENSITY,
      atMost(MAX_JUMP_INTENSITY, 'jumps per year', 'one every 32 seconds; more frequent jumps are diffusion'),
    )
    .default(10)
    .describe(
      'jump intensity (jumps per year, at most 1e6; over the horizon T the jumps keep sigma²T + lambda·T·(jumpMean² + jumpStd²) ≤ 100 and lambda·T·(e^(jumpMean + jumpStd²/2) − 1 − jumpMean) ≤ 50)',
    ),
  jumpMean: z
    .number()
    .min(-MAX_JUMP_MEAN, atLeast(-MAX_JUMP_MEAN, '', 'one jump dividing the price by e^10 ≈ 22,026'))
    .max(MAX_JUMP_MEAN, atMost(MAX_JUMP_MEAN, '', 'one jump multiplying the price by e^10 ≈ 22,026'))
    .default(-0.05)
    .describe('mean of the log jump size (log-return units, -10 to 10)'),
  jumpStd: z
    .number()
    .min(0)
    .max(MAX_JUMP_STD, atMost(MAX_JUMP_STD, '', 'the compensator e^(jumpMean + jumpStd²/2) − 1 stays finite'))
    .default(0.1)
    .describe('standard deviation of the log jump size (log-return units, 0 to 5)'),
});

/** Parsed (defaulted) parameters of {@link merton}. */
export type MertonParams = z.infer<typeof mertonParams>;

/**
 * The budget of `src/config/bounds.ts` for a jump-diffusion over the horizon: the drift and the diffusion's
 * volatility as for GBM, and the jumps: the log price's variance sigma²T + lambda·T·(jumpMean² + jumpStd²) at
 * most 100 (a standard deviation of 10) and the jumps' expected drag lambda·T·(k − jumpMean) at most 50,
 * k = e^(jumpMean + jumpStd²/2) − 1 (k ≥ jumpMean always).
 */
export function mertonLimits(p: MertonParams, h: Horizon): InputIssue[] {
  const out = driftVolIssues(p.mu, p.sigma, h);
  const T = h.years;
  const diffusionVar = p.sigma * p.sigma * T;
  if (!(diffusionVar <= MAX_VOL_LOG * MAX_VOL_LOG)) return out; // sigma is reported already
  const perJumpVar = p.jumpMean * p.jumpMean + p.jumpStd * p.jumpStd;
  const perJumpDrag = Math.max(0, Math.expm1(p.jumpMean + 0.5 * p.jumpStd * p.jumpStd) - p.jumpMean);
  const byVar =
    perJumpVar > 0 ? (MAX_VOL_LOG * MAX_VOL_LOG - diffusionVar) / (T * perJumpVar) : Number.POSITIVE_INFINITY;
  const byDrag = perJumpDrag > 0 ? MAX_DRIFT_LOG / (T * perJumpDrag) : Number.POSITIVE_INFINITY;
  const max = Math.min(byVar, byDrag);
  if (!(p.lambda <= max)) {
    const variance = diffusionVar + p.lambda * T * perJumpVar;
    const drag = p.lambda * T * perJumpDrag;
    out.push({
      path: 'lambda',
      message: `${fmt(p.lambda)} jumps per year (${fmt(p.lambda * T)} expected ${horizonText(h)}) with jumpMean ${fmt(p.jumpMean)} and jumpStd ${fmt(p.jumpStd)} give the log price a variance sigma²T + lambda·T·(jumpMean² + jumpStd²) = ${fmt(variance)} and an expected jump drag lambda·T·(k − jumpMean) = ${fmt(drag)}; allowed: a variance of at most ${MAX_VOL_LOG * MAX_VOL_LOG} and a drag of at most ${MAX_DRIFT_LOG}, i.e. lambda ≤ ${fmt(max)} per year here with these jump sizes (beyond it prices overflow or underflow)`,
    });
  }
  return out;
}

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
  limits: (p, { horizon }) => mertonLimits(p, horizon),
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
