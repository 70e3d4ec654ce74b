/**
 * The one loss metric the docs report: the run's `loss` metric, socialized_loss + unpaid + open_deficit —
 * shortfall nobody absorbed (socialized over other accounts, or left as bad debt) plus negative equity still
 * open when the run ends (underwater positions not yet closed, unsold auction lots). A vault's or
 * provider's deficit is a shortfall of its own, so it is in there too. Every generated figure called
 * "loss" comes from this function.
 */
import type { RunMetrics } from '../../src/index.js';

/** Loss of one run (USD): socialized_loss + unpaid + open_deficit. */
export function lossOf(m: RunMetrics): number {
  return m.loss;
}

/** What the word means, for generated text. */
export const LOSS_DEFINITION = 'loss = socialized loss + unpaid + open deficit';
