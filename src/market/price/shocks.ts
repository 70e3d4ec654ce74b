import { z } from 'zod';
import {
  atLeast,
  atMost,
  MAX_SHOCK_FACTOR,
  MAX_SHOCK_SECONDS,
  MIN_SHOCK_FACTOR,
} from '../../config/bounds.js';

/** One deterministic shock laid over an index path. */
export const shockSchema = z.strictObject({
  atTick: z.number().int().min(0).describe("first tick of the shock (tick index, 0 to the run's ticks)"),
  change: z
    .number()
    .gt(-1, { abort: true })
    .min(
      MIN_SHOCK_FACTOR - 1,
      atLeast(
        '-0.999999999',
        '',
        '1 + change at least 1e-9: a −99.9999999% crash; below it the price underflows',
      ),
    )
    .max(
      MAX_SHOCK_FACTOR - 1,
      atMost(
        MAX_SHOCK_FACTOR - 1,
        '',
        '1 + change at most 1e9: a billion-fold spike; beyond it prices overflow',
      ),
    )
    .describe(
      'total relative price move, e.g. -0.35 for a 35% drop (fraction, 1 + change from 1e-9 to 1e9; all shocks together at most Σ|ln(1 + change)| = 50)',
    ),
  durationSeconds: z
    .number()
    .positive()
    .max(MAX_SHOCK_SECONDS, atMost(MAX_SHOCK_SECONDS, 's', '100 years, longer than any run'))
    .describe('time over which the move is spread evenly in log space (seconds, at most 100 years)'),
});

/** A parsed shock. */
export type Shock = z.infer<typeof shockSchema>;

/**
 * Lays shocks over a price path in place, on top of whatever model produced it. A shock adds
 * ln(1 + change)/n to the log price on each of the n = max(1, round(durationSeconds / dtSeconds)) ticks
 * starting at `atTick`: path[atTick + j] is multiplied by (1 + change)^{min(j, n)/n} for j ≥ 1, so
 * path[atTick + n] / path[atTick] gains exactly the factor 1 + change and every later point keeps it.
 * Shocks compose multiplicatively; points beyond the end of the path are ignored.
 */
export function applyShocks(path: Float64Array, shocks: readonly Shock[], dtSeconds: number): void {
  const last = path.length - 1;
  for (const s of shocks) {
    const n = Math.max(1, Math.round(s.durationSeconds / dtSeconds));
    const total = 1 + s.change;
    const step = Math.log(total) / n;
    const ramp = Math.min(n - 1, last - s.atTick);
    for (let j = 1; j <= ramp; j++) path[s.atTick + j] *= Math.exp(step * j);
    for (let i = s.atTick + n; i <= last; i++) path[i] *= total;
  }
}
