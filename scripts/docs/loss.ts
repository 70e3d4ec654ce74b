/**
 * The one loss metric the docs report. `loss` = socialized_loss + unpaid + open_deficit: shortfall nobody
 * absorbed (socialized over other accounts, or left as bad debt) plus negative equity still open when the run
 * ends (underwater positions not yet closed, unsold auction lots, an insolvent vault). Every generated figure
 * called "loss" comes from this function, so when the metrics get a `loss` column this reads it instead.
 */
import type { RunMetrics } from '../../src/index.js';

/** Loss of one run (USD): socialized_loss + unpaid + open_deficit. */
export function lossOf(m: RunMetrics): number {
  return m.socialized_loss + m.unpaid + m.open_deficit;
}

/** What the word means, for generated text. */
export const LOSS_DEFINITION = 'loss = socialized loss + unpaid + open deficit';
