import { BackstopInputError } from '../errors.js';
import { loadModule } from '../load.js';
import { registerPriceModel } from '../market/price/registry.js';
import type { PriceModel } from '../market/price/types.js';
import { registerStrategy, type Strategy } from '../strategy.js';

function isStrategy(x: unknown): x is Strategy {
  const s = x as Strategy;
  return (
    !!s &&
    typeof s === 'object' &&
    typeof s.name === 'string' &&
    typeof s.role === 'string' &&
    typeof s.act === 'function'
  );
}
function isPriceModel(x: unknown): x is PriceModel {
  const m = x as PriceModel;
  return !!m && typeof m === 'object' && typeof m.name === 'string' && typeof m.generate === 'function';
}

/**
 * Loads the plug-in modules a config names in `strategies` (paths relative to `baseDir`, the config's
 * folder) and registers what they export (issue paths start with `prefix`, e.g. `base.` in an experiment): a strategy or price model as the default export, or arrays of
 * them, or named exports of either. Call before `parseConfig`. Returns the names registered.
 *
 * @throws BackstopInputError naming the file when it cannot be loaded or exports nothing usable
 */
export async function loadConfigModules(input: unknown, baseDir: string, prefix = ''): Promise<string[]> {
  const paths = (input as { strategies?: unknown })?.strategies;
  if (paths === undefined) return [];
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string'))
    throw new BackstopInputError([
      { path: `${prefix}strategies`, message: 'must be a list of module paths (strings)' },
    ]);
  const names: string[] = [];
  for (const [k, p] of (paths as string[]).entries()) {
    let mod: Record<string, unknown>;
    try {
      mod = await loadModule(p, baseDir);
    } catch (e) {
      const msg = e instanceof BackstopInputError ? e.issues.map((i) => i.message).join('; ') : String(e);
      throw new BackstopInputError(
        [{ path: `${prefix}strategies[${k}]`, message: `${p}: ${msg}` }],
        'cannot load module',
      );
    }
    const before = names.length;
    const found = Object.values(mod).flatMap((v) => (Array.isArray(v) ? v : [v]));
    for (const x of found) {
      if (isStrategy(x)) {
        registerStrategy(x);
        names.push(x.name);
      } else if (isPriceModel(x)) {
        registerPriceModel(x);
        names.push(x.name);
      }
    }
    if (names.length === before)
      throw new BackstopInputError(
        [
          {
            path: `${prefix}strategies[${k}]`,
            message: `${p} exports no strategy or price model (export one with defineStrategy as the default export)`,
          },
        ],
        'cannot load module',
      );
  }
  return names;
}
