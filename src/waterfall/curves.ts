/** Price curves of Dutch liquidation auctions, as in MakerDAO's `abaci.sol` (Liquidations 2.0). */
import { z } from 'zod';

/** A Dutch-auction price curve. */
export type AuctionCurve =
  /** top·(tau − t)/tau, zero from `tau` seconds on. */
  | { type: 'linear'; tau: number }
  /** top·cut^floor(t/step): a step of `step` seconds. */
  | { type: 'stairstep'; cut: number; step: number }
  /** top·cut^t: `cut` per second. */
  | { type: 'exponential'; cut: number };

/** zod schema of {@link AuctionCurve}, with units. */
export const auctionCurveSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('linear'),
    tau: z.number().finite().positive().describe('seconds until the price reaches zero'),
  }),
  z.strictObject({
    type: z.literal('stairstep'),
    cut: z.number().finite().positive().max(1).describe('price multiplier per step'),
    step: z.number().finite().positive().describe('length of a step (seconds)'),
  }),
  z.strictObject({
    type: z.literal('exponential'),
    cut: z.number().finite().positive().max(1).describe('price multiplier per second'),
  }),
]);

/**
 * Price of a Dutch auction `elapsedSeconds` after it started (or was reset) at `top`.
 *
 * @example
 * auctionPrice({ type: 'linear', tau: 900 }, 100, 450);               // → 50
 * auctionPrice({ type: 'stairstep', cut: 0.99, step: 90 }, 100, 185); // → 100·0.99² = 98.01
 * auctionPrice({ type: 'exponential', cut: 0.999 }, 100, 10);         // → 100·0.999¹⁰
 */
export function auctionPrice(curve: AuctionCurve, top: number, elapsedSeconds: number): number {
  const t = Math.max(0, elapsedSeconds);
  switch (curve.type) {
    case 'linear':
      return t >= curve.tau ? 0 : (top * (curve.tau - t)) / curve.tau;
    case 'stairstep':
      return top * curve.cut ** Math.floor(t / curve.step);
    case 'exponential':
      return top * curve.cut ** t;
  }
}
