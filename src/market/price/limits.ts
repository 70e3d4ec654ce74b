/**
 * Shared parameter schemas of the built-in price models, with the limits of `src/config/bounds.ts`.
 */
import { z } from 'zod';
import { atLeast, atMost, MAX_PRICE, MIN_PRICE } from '../../config/bounds.js';

/** The start price p0: 1e-12 to 1e12 USD. */
export const startPrice = () =>
  z
    .number()
    .positive({ abort: true })
    .min(
      MIN_PRICE,
      atLeast(MIN_PRICE, 'USD', 'a thousand times below the cheapest traded token; keeps positions finite'),
    )
    .max(MAX_PRICE, atMost(MAX_PRICE, 'USD', "ten million times bitcoin's price; keeps notionals finite"))
    .default(2000)
    .describe('start price (USD, 1e-12 to 1e12)');
