import type { PriceModel } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: the registry holds models of heterogeneous parameter types
const models = new Map<string, PriceModel<any>>();

/**
 * Registers an index price model under its `name`. Built-in models register themselves in
 * `src/market/price/index.ts`; a user's model registers the same way before the config is parsed.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export function registerPriceModel(model: PriceModel<any>): void {
  models.set(model.name, model);
}

/** The price model called `name`, or undefined. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export function getPriceModel(name: string): PriceModel<any> | undefined {
  return models.get(name);
}

/** Every registered price model, in registration order. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export function listPriceModels(): PriceModel<any>[] {
  return [...models.values()];
}
