/**
 * Readable titles of swept fields (dotted config paths such as `market.index.sigma` or
 * `waterfall.stages[0].bidSpread`): the path's last segment with the `.describe()` text of the config
 * schema, and a key table that maps short names to full paths, so figures never show truncated paths.
 */
import { z } from 'zod';
import { simConfigSchema } from '../config/schema.js';
import { gameColumnRole } from '../experiment/game-columns.js';
import { stagePositions } from '../experiment/paths.js';
import { getPriceModel, listPriceModels } from '../market/price/registry.js';
import { getStrategy, listStrategies } from '../strategy.js';
import { getStage, listStages } from '../waterfall/stage.js';

type JsonSchema = {
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  const?: unknown;
  $ref?: string;
};

let root: (JsonSchema & { $defs?: Record<string, JsonSchema> }) | null = null;

const toJson = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/**
 * The parameter schema of a registered part named in the config where the config schema has an open
 * record: a price model at `market.index`, a waterfall stage at `waterfall.stages[i]`, a strategy's
 * parameters at `agents.<role>.mix[i].params` (the strategy named beside them, in `parent`).
 */
function registered(
  segs: string[],
  value: unknown,
  next: string | undefined,
  parent: unknown,
): JsonSchema | undefined {
  const v = value as Record<string, unknown> | undefined;
  const at = segs.join('.');
  // without the config (a game's directory has none), the first registered part that has the field
  const having = (schemas: z.ZodType[]) =>
    schemas.map(toJson).find((j) => next !== undefined && j.properties?.[next] !== undefined);
  try {
    if (at === 'market.index') {
      const m = typeof v?.model === 'string' ? getPriceModel(v.model) : undefined;
      return m ? toJson(m.params) : having(listPriceModels().map((x) => x.params));
    }
    if (/^waterfall\.stages\.\d+$/.test(at)) {
      // the entry's `stage` is the config's own field (the stage's parameters do not include it)
      if (next === 'stage') return undefined;
      const st = typeof v?.stage === 'string' ? getStage(v.stage) : undefined;
      return st ? toJson(st.params) : having(listStages().map((x) => x.params));
    }
    if (/^agents\.\w+\.mix\.\d+\.params$/.test(at)) {
      const name = (parent as Record<string, unknown> | undefined)?.strategy;
      const sg = typeof name === 'string' ? getStrategy(name) : undefined;
      return sg ? toJson(sg.params) : having(listStrategies().map((x) => x.params));
    }
  } catch {
    return undefined; // a schema that JSON Schema cannot express: no description
  }
  return undefined;
}

function deref(s: JsonSchema): JsonSchema {
  if (s.$ref && root?.$defs) {
    const name = s.$ref.split('/').pop()!;
    return root.$defs[name] ?? s;
  }
  return s;
}

/** The branches of a schema node (unions flattened), each dereferenced. */
function branches(s: JsonSchema): JsonSchema[] {
  const d = deref(s);
  const alts = d.anyOf ?? d.oneOf ?? d.allOf;
  return alts ? alts.flatMap(branches) : [d];
}

/**
 * The schema's description of a config path, or undefined. In a union (waterfall stages, price models)
 * the branch whose discriminator matches the value at that place in `config` is taken, else the first
 * branch that has the field.
 */
export function describePath(path: string, config?: unknown): string | undefined {
  // a game batch's swept role field (not a config path)
  const g = gameColumnRole(path);
  if (g?.kind === 'strategy')
    return `the ${g.role}' game strategy (a candidate's label; the profile sets it, no config path)`;
  root ??= toJson(simConfigSchema) as NonNullable<typeof root>;
  // a stage addressed by name: described as the stage at its position in the config
  path = stagePositions(path, config);
  const segs = path.match(/[^.[\]]+/g) ?? [];
  let nodes: JsonSchema[] = [root!];
  let value: unknown = config;
  let desc: string | undefined;
  for (const [i, seg] of segs.entries()) {
    const next: JsonSchema[] = [];
    const isIndex = /^\d+$/.test(seg);
    for (const n of nodes.flatMap(branches)) {
      if (isIndex && n.items) next.push(n.items);
      else if (!isIndex && n.properties?.[seg]) {
        // prefer the union branch whose constant discriminators match the config value here
        const consts = Object.entries(n.properties).filter(([, p]) => deref(p).const !== undefined);
        const v = value as Record<string, unknown> | undefined;
        const matches = consts.every(
          ([k, p]) => v === undefined || v[k] === undefined || v[k] === deref(p).const,
        );
        if (matches) next.unshift(n.properties[seg]);
        else next.push(n.properties[seg]);
      }
    }
    if (next.length === 0) return undefined;
    nodes = next;
    const parent = value;
    value = isIndex
      ? (value as unknown[] | undefined)?.[Number(seg)]
      : (value as Record<string, unknown> | undefined)?.[seg];
    const reg = registered(segs.slice(0, i + 1), value, segs[i + 1], parent);
    if (reg) nodes = [reg];
    desc = branches(nodes[0]).find((b) => b.description)?.description ?? deref(nodes[0]).description;
  }
  return desc;
}

/** The last segment of a dotted path (`waterfall.stages[0].curve.cut` → `cut`). */
export function shortName(path: string): string {
  const segs = path.match(/[^.[\]]+/g) ?? [path];
  return segs[segs.length - 1];
}

/**
 * The units of a path a reader names it by: an index joins the name before it, `agents`, `mix` and
 * `params` are dropped (`agents.liquidators.mix[0].params.maxGasUsd` → `liquidators[0]`, `maxGasUsd`).
 */
function units(path: string): string[] {
  const segs = path.match(/[^.[\]]+/g) ?? [path];
  const out: string[] = [];
  segs.forEach((s, i) => {
    if (/^\d+$/.test(s) && out.length) out[out.length - 1] += `[${s}]`;
    else if ((s === 'agents' && i === 0) || s === 'params' || (s === 'mix' && out.length)) return;
    else out.push(s);
  });
  return out.length ? out : [path];
}

/**
 * Short names of swept fields, unique: the last segment, or as many of the path's units as tell it from
 * the others, the role and the strategy's index kept together (`liquidators[0].maxGasUsd`,
 * `liquidators[3].maxGasUsd`, `liquidators[2].count`, `liquidators.count`).
 */
export function shortNames(paths: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const all = paths.map(units);
  paths.forEach((p, j) => {
    const u = all[j];
    let k = 1;
    const name = (v: string[], n: number) => v.slice(-n).join('.');
    while (k < u.length && all.some((v, i) => i !== j && paths[i] !== p && name(v, k) === name(u, k))) k++;
    out.set(
      p,
      k >= u.length && all.some((v, i) => i !== j && paths[i] !== p && name(v, k) === name(u, k))
        ? p
        : name(u, k),
    );
  });
  return out;
}

/** First clause of a description, for an axis (`annualised volatility (e.g. 0.8)` → `annualised volatility`). */
function firstClause(d: string): string {
  let depth = 0;
  for (let i = 0; i < d.length; i++) {
    const c = d[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && (c === ';' || c === ':' || (c === '.' && d[i + 1] === ' ')))
      return d.slice(0, i).trim();
  }
  return d.trim();
}

/** A clause without the asides after a `;` inside its parentheses (`(1/sqrt(year); …)` → `(1/sqrt(year))`). */
function withoutAsides(c: string): string {
  return c.replace(/;[^()]*(\([^()]*\)[^()]*)*\)/g, ')');
}

/**
 * The axis title of a swept field: `sigma: annualised volatility` from the schema's description
 * (its first clause, outside parentheses), or the short name alone when the schema has none.
 */
export function fieldTitle(path: string, config?: unknown, short = shortName(path)): string {
  const d = describePath(path, config);
  return d ? `${short}: ${withoutAsides(firstClause(d))}` : short;
}

/**
 * Rows of the key table of swept fields: short name, full path, the schema's description (with the
 * strategy named in the config where the field is a strategy's).
 */
export function fieldKey(paths: string[], config?: unknown): string[][] {
  const names = shortNames(paths);
  return paths.map((p) => {
    const m = /^agents\.(\w+)\.mix\[(\d+)\]/.exec(p);
    const agents = (config as { agents?: Record<string, { mix?: { strategy?: unknown }[] }> } | undefined)
      ?.agents;
    const strategy = m ? agents?.[m[1]]?.mix?.[Number(m[2])]?.strategy : undefined;
    const d = describePath(p, config) ?? '';
    return [names.get(p)!, p, typeof strategy === 'string' ? `${d}${d ? ' ' : ''}(strategy ${strategy})` : d];
  });
}
