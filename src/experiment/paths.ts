/**
 * Dotted config paths (`venue.liquidationFee`, `agents.traders.mix[0].params.leverage`): parsing, checking
 * that a path exists in the config schema, and setting a value at a path of a config input. A waterfall
 * stage may be addressed by its name instead of its position, `waterfall.stages[vault].lockupSeconds`, so
 * that reordering the stages never retargets a sweep; the name must be listed exactly once.
 */
import type { z } from 'zod';
import { unwrap } from '../config/format.js';
import { FORBIDDEN_KEYS } from '../config/input-check.js';

/** A waterfall stage addressed by name (`waterfall.stages[vault]`): the entry whose `stage` is `stage`. */
export interface StageName {
  readonly stage: string;
}

/** One segment of a dotted path: a key, an array index, or a stage's name in `waterfall.stages`. */
export type PathSegment = string | number | StageName;

/**
 * Splits `a.b[0].c` into `['a', 'b', 0, 'c']`; returns undefined when the path is malformed or names a key
 * that reaches the prototype (`__proto__`, `constructor`, `prototype`: see {@link forbiddenSegment}).
 */
export function parsePath(path: string): PathSegment[] | undefined {
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[\d+\]|\[[a-z][a-z0-9-]*\])*$/.test(path)) return undefined;
  const out: PathSegment[] = [];
  for (const m of path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]|\[([a-z][a-z0-9-]*)\]/g))
    out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : { stage: m[3] }));
  if (forbiddenSegment(out) !== undefined) return undefined;
  return out;
}

/**
 * Why `path` does not parse, in words (see {@link parsePath}): a bracket that is neither a position nor a stage
 * name as paths write it, or the general form.
 */
export function malformedPath(path: string): string {
  const bracket = [...path.matchAll(/\[([^\]]*)\]/g)].find(
    (m) => !/^\d+$/.test(m[1]) && !/^[a-z][a-z0-9-]*$/.test(m[1]),
  );
  if (bracket)
    return `malformed path: [${bracket[1]}] is neither a position ([0]) nor a stage name as a path writes it (lower-case letters, digits and -, starting with a letter); address such a stage by its position`;
  return 'malformed path; write it like venue.liquidationFee, agents.traders.mix[0].params.leverage or waterfall.stages[vault].lockupSeconds';
}

/** The first segment of `segments` that is a prototype key (`__proto__`, `constructor`, `prototype`), or undefined. */
export function forbiddenSegment(segments: readonly PathSegment[]): string | undefined {
  return segments.find((s): s is string => typeof s === 'string' && FORBIDDEN_KEYS.has(s));
}

/** Whether a dotted path names a prototype key in any segment (`__proto__.x`, `a.constructor`). */
export function hasForbiddenKey(path: string): boolean {
  return path.split(/[.[\]]/).some((s) => FORBIDDEN_KEYS.has(s));
}

// biome-ignore lint/suspicious/noExplicitAny: walking zod internals
type AnySchema = any;

/**
 * Checks that `segments` address a field of `schema`. Returns undefined when it does, else what went
 * wrong (the first segment that is not a field, with the keys allowed there). Below a free-form record
 * (a price model's or strategy's parameters) and inside a loose object (a waterfall stage entry) any key
 * is accepted here; the values are checked when each sweep point's config is parsed.
 */
export function checkSchemaPath(schema: z.ZodType, segments: PathSegment[]): string | undefined {
  let cur: AnySchema = unwrap(schema);
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k];
    const def = cur?._zod?.def;
    const where = k === 0 ? 'at the top level' : `under ${joinPath(segments.slice(0, k))}`;
    if (!def) return undefined;
    if (def.type === 'object') {
      // a loose object (a waterfall stage entry: its parameters depend on the stage) accepts any key here;
      // the value is checked when each sweep point's config is parsed
      const loose = def.catchall && unwrap(def.catchall)?._zod?.def?.type !== 'never';
      if (loose && typeof seg === 'string' && !(seg in def.shape)) return undefined;
      if (typeof seg !== 'string' || !(seg in def.shape))
        return `no field ${JSON.stringify(seg)} ${where}; allowed: ${Object.keys(def.shape).join(', ')}`;
      cur = unwrap(def.shape[seg]);
    } else if (def.type === 'array') {
      const isStages = k === 2 && segments[0] === 'waterfall' && segments[1] === 'stages';
      if (typeof seg === 'object' && !isStages)
        return `${joinPath(segments.slice(0, k))} is a list: use [index] (only waterfall.stages takes a stage's [name])`;
      if (typeof seg === 'string')
        return `${joinPath(segments.slice(0, k))} is a list: use [index]${isStages ? " or a stage's [name]" : ''}`;
      cur = unwrap(def.element);
    } else if (def.type === 'record' || def.type === 'unknown' || def.type === 'any') {
      return undefined;
    } else if (def.type === 'union') {
      // a discriminated union (capital): accept a key that any option has
      const opts = (def.options as AnySchema[]).map((o) => unwrap(o)).filter((o) => o?._zod?.def?.shape);
      const hit = opts.find((o) => typeof seg === 'string' && seg in o._zod.def.shape);
      if (!hit) {
        const keys = [...new Set(opts.flatMap((o) => Object.keys(o._zod.def.shape)))];
        return `no field ${JSON.stringify(seg)} ${where}; allowed: ${keys.join(', ')}`;
      }
      cur = unwrap(hit._zod.def.shape[seg as string]);
    } else {
      return `${joinPath(segments.slice(0, k))} is a value, not a group of fields`;
    }
  }
  return undefined;
}

/** Joins segments back into a dotted path. */
export function joinPath(segments: PathSegment[]): string {
  let out = '';
  for (const s of segments)
    out += typeof s === 'number' ? `[${s}]` : typeof s === 'object' ? `[${s.stage}]` : out ? `.${s}` : s;
  return out;
}

/**
 * The position of the stage called `name` in a list of stage entries, or what is wrong: it is not listed,
 * or listed more than once (then only a position says which).
 */
export function stageIndex(list: unknown, name: string, at: string): number | string {
  if (!Array.isArray(list)) return `${at} is not a list of stages`;
  const hits: number[] = [];
  list.forEach((e, i) => {
    if (e && typeof e === 'object' && (e as { stage?: unknown }).stage === name) hits.push(i);
  });
  if (hits.length === 1) return hits[0];
  const listed = list.map((e) => (e as { stage?: unknown })?.stage).join(', ');
  return hits.length === 0
    ? `no stage '${name}' in ${at} (listed: ${listed || 'none'})`
    : `stage '${name}' is listed ${hits.length} times in ${at} (at ${hits.map((i) => `[${i}]`).join(', ')}): address it by position`;
}

/**
 * `path` with every stage addressed by name (`waterfall.stages[vault]`) replaced by its position in
 * `config`'s stages; a name not listed exactly once is left as it is.
 */
export function stagePositions(path: string, config: unknown): string {
  if (!path.includes('stages[')) return path;
  const stages = (config as { waterfall?: { stages?: unknown } } | undefined)?.waterfall?.stages;
  return path.replace(/^waterfall\.stages\[([a-z][a-z0-9-]*)\]/, (m, name: string) => {
    const i = stageIndex(stages, name, 'waterfall.stages');
    return typeof i === 'number' ? `waterfall.stages[${i}]` : m;
  });
}

/**
 * Sets `value` at `segments` inside `target` (a plain JSON-like config input), creating missing objects
 * on the way. Returns an error message when the path runs through a missing list element or a non-object.
 */
export function setPath(
  target: Record<string, unknown>,
  segments: PathSegment[],
  value: unknown,
): string | undefined {
  const bad = forbiddenSegment(segments);
  if (bad !== undefined) return `${bad} is a reserved name: it would reach the prototype of every object`;
  // biome-ignore lint/suspicious/noExplicitAny: generic JSON walk
  let cur: any = target;
  for (let k = 0; k < segments.length - 1; k++) {
    let seg = segments[k];
    const next = segments[k + 1];
    if (typeof seg === 'object') {
      const i = stageIndex(cur, seg.stage, joinPath(segments.slice(0, k)));
      if (typeof i === 'string') return i;
      seg = i;
    }
    if (typeof seg === 'number') {
      if (!Array.isArray(cur) || seg >= cur.length)
        return `${joinPath(segments.slice(0, k + 1))} does not exist in the config: write the list in the base config first`;
    }
    if (!Object.hasOwn(cur, seg) || cur[seg] === undefined || cur[seg] === null) {
      if (typeof next !== 'string')
        return `${joinPath(segments.slice(0, k + 1))} is not set in the config: write the list in the base config first`;
      cur[seg] = {};
    }
    cur = cur[seg];
    if (typeof cur !== 'object') return `${joinPath(segments.slice(0, k + 1))} is not a group of fields`;
  }
  let last = segments[segments.length - 1];
  if (typeof last === 'object') {
    const i = stageIndex(cur, last.stage, joinPath(segments.slice(0, -1)));
    if (typeof i === 'string') return i;
    last = i;
  }
  if (typeof last === 'number' && (!Array.isArray(cur) || last >= cur.length))
    return `${joinPath(segments)} does not exist in the config: write the list in the base config first`;
  cur[last] = value;
  return undefined;
}

/** Deep copy of a JSON-like value (configs hold only plain data). */
export function clone<T>(v: T): T {
  return structuredClone(v);
}
