/**
 * Built-in index price models. Importing this module registers `gbm`, `merton`, `garch` and `replay`
 * in the price-model registry.
 */
import { garch } from './garch.js';
import { gbm } from './gbm.js';
import { merton } from './merton.js';
import { registerPriceModel } from './registry.js';
import { replay } from './replay.js';

registerPriceModel(gbm);
registerPriceModel(merton);
registerPriceModel(garch);
registerPriceModel(replay);

export * from './garch.js';
export * from './gbm.js';
export * from './merton.js';
export * from './registry.js';
export * from './replay.js';
export * from './shocks.js';
export * from './types.js';
