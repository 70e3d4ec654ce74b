import { BackstopInputError } from '../errors.js';
import { loadModule } from '../load.js';
import { getPriceModel, registerPriceModel } from '../market/price/registry.js';
import type { PriceModel } from '../market/price/types.js';
import { getStrategy, registerStrategy, type Strategy } from '../strategy.js';
import { getStage, registerStage, type StageDef, stageGaps } from '../waterfall/stage.js';
import { ROLES } from './schema.js';

const isFn = (v: unknown) => typeof v === 'function';
const isSchema = (v: unknown) =>
  !!v && typeof v === 'object' && typeof (v as { safeParse?: unknown }).safeParse === 'function';

/**
 * What an export that means to be a strategy (it has `act` or a `role`) lacks of what `defineStrategy`
 * requires, or undefined when it is complete.
 */
function strategyGaps(s: Record<string, unknown>): string[] {
  const gaps: string[] = [];
  if (!(typeof s.name === 'string' && s.name !== '')) gaps.push('name (a non-empty string)');
  if (!(typeof s.role === 'string' && (ROLES as readonly string[]).includes(s.role)))
    gaps.push(
      `role (one of ${ROLES.join(', ')}${s.role === undefined ? '' : `; got ${JSON.stringify(s.role)}`})`,
    );
  if (typeof s.description !== 'string') gaps.push('description (a string)');
  if (!isSchema(s.params)) gaps.push('params (a zod object of its parameters, e.g. z.strictObject({}))');
  if (!isFn(s.act)) gaps.push('act (a function called every tick)');
  for (const k of ['init', 'holdings'] as const)
    if (s[k] !== undefined && !isFn(s[k])) gaps.push(`${k} (a function, when given)`);
  if (s.state !== undefined && (s.state === null || typeof s.state !== 'object'))
    gaps.push('state (an object of per-agent columns, when given)');
  return gaps;
}

/** What an export that means to be a price model (it has `generate`) lacks, as {@link strategyGaps}. */
function priceModelGaps(m: Record<string, unknown>): string[] {
  const gaps: string[] = [];
  if (!(typeof m.name === 'string' && m.name !== '')) gaps.push('name (a non-empty string)');
  if (typeof m.description !== 'string') gaps.push('description (a string)');
  if (!isSchema(m.params)) gaps.push('params (a zod object of its parameters)');
  if (!isFn(m.generate)) gaps.push('generate (a function)');
  for (const k of ['check', 'limits'] as const)
    if (m[k] !== undefined && !isFn(m[k])) gaps.push(`${k} (a function, when given)`);
  return gaps;
}

/**
 * What plug-in modules registered in this thread (`kind:name`): a module may replace what a module registered
 * (the same plug-in loaded again, or a newer copy), never a built-in strategy, stage or price model.
 */
const fromModules = new Set<string>();

/**
 * Loads the plug-in modules a config names in `strategies` (paths relative to `baseDir`, the config's
 * folder) and registers what they export (issue paths start with `prefix`, e.g. `base.` in an experiment): a strategy, price model or waterfall stage as the default
 * export, or arrays of them, or named exports of any. Call before `parseConfig`. Returns the names registered.
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
    const exported = Object.entries(mod).flatMap(([key, v]) =>
      Array.isArray(v) ? v.map((x, i) => [`${key}[${i}]`, x] as const) : [[key, v] as const],
    );
    const seen = new Set<unknown>();
    for (const [key, x] of exported) {
      if (!x || typeof x !== 'object' || seen.has(x)) continue;
      seen.add(x);
      const o = x as Record<string, unknown>;
      const kind =
        'generate' in o
          ? 'price model'
          : 'build' in o
            ? 'stage'
            : 'act' in o || 'role' in o
              ? 'strategy'
              : null;
      if (!kind) continue;
      const gaps =
        kind === 'strategy' ? strategyGaps(o) : kind === 'stage' ? stageGaps(o) : priceModelGaps(o);
      if (gaps.length > 0)
        throw new BackstopInputError(
          [
            {
              path: `${prefix}strategies[${k}]`,
              message: `${p}: the ${kind}${typeof o.name === 'string' ? ` ${JSON.stringify(o.name)}` : ''} (${key === 'default' ? 'the default export' : `export ${key}`}) ${kind === 'stage' ? `is refused: ${gaps.join('; ')} (see defineStage)` : `lacks ${gaps.join('; ')}, as ${kind === 'strategy' ? 'defineStrategy' : 'a price model'} requires`}`,
            },
          ],
          'cannot load module',
        );
      const name = String(o.name);
      const taken =
        kind === 'strategy' ? getStrategy(name) : kind === 'stage' ? getStage(name) : getPriceModel(name);
      if (taken && !fromModules.has(`${kind}:${name}`))
        throw new BackstopInputError(
          [
            {
              path: `${prefix}strategies[${k}]`,
              message: `${p}: the ${kind} ${JSON.stringify(name)} (${key === 'default' ? 'the default export' : `export ${key}`}) has the name of a built-in ${kind}, which a plug-in may not replace; give it a name of its own (e.g. ${JSON.stringify(`my-${name}`)}) and list that`,
            },
          ],
          'cannot load module',
        );
      fromModules.add(`${kind}:${name}`);
      if (kind === 'strategy') registerStrategy(o as unknown as Strategy);
      else if (kind === 'stage') registerStage(o as unknown as StageDef);
      else registerPriceModel(o as unknown as PriceModel);
      names.push(String(o.name));
    }
    if (names.length === before)
      throw new BackstopInputError(
        [
          {
            path: `${prefix}strategies[${k}]`,
            message: `${p} exports no strategy or price model, nor a waterfall stage (export one with defineStrategy or defineStage as the default export)`,
          },
        ],
        'cannot load module',
      );
  }
  return names;
}
