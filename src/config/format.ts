import type { z } from 'zod';
import { ConfigError, type InputIssue } from '../errors.js';

/** Unwraps default/prefault/optional/nullable/pipe wrappers to the schema underneath (zod internals). */
// biome-ignore lint/suspicious/noExplicitAny: walking zod internals
export function unwrap(s: any): any {
  let cur = s;
  for (let i = 0; i < 10 && cur?._zod?.def; i++) {
    const def = cur._zod.def;
    if (def.innerType) cur = def.innerType;
    else if (def.type === 'pipe' && def.in) cur = def.in;
    else break;
  }
  return cur;
}

/** Keys allowed at `path` inside `schema`, when the schema there is an object. */
// biome-ignore lint/suspicious/noExplicitAny: walking zod internals
function allowedKeysAt(schema: any, path: PropertyKey[], input: unknown): string[] | undefined {
  let cur = unwrap(schema);
  let value: unknown = input;
  for (const seg of path) {
    const def = cur?._zod?.def;
    if (!def) return undefined;
    if (def.type === 'object') cur = unwrap(def.shape[seg as string]);
    else if (def.type === 'array') cur = unwrap(def.element);
    else if (def.type === 'record') cur = unwrap(def.valueType);
    else if (def.type === 'union') {
      // discriminated union: pick the option whose literal discriminator matches the input
      const v = (value as Record<string, unknown>) ?? {};
      // biome-ignore lint/suspicious/noExplicitAny: zod internals
      const opt = def.options.find((o: any) => {
        const sh = unwrap(o)?._zod?.def?.shape;
        if (!sh) return false;
        return Object.entries(sh).some(([k, f]) => {
          // biome-ignore lint/suspicious/noExplicitAny: zod internals
          const fd = unwrap(f as any)?._zod?.def;
          return fd?.type === 'literal' && fd.values?.includes(v[k]);
        });
      });
      cur = opt ? unwrap(unwrap(opt)._zod.def.shape[seg as string]) : undefined;
    } else return undefined;
    value = (value as Record<PropertyKey, unknown> | undefined)?.[seg];
  }
  // a discriminated union at the end of the path
  const def = cur?._zod?.def;
  if (def?.type === 'union') {
    const v = (value as Record<string, unknown>) ?? {};
    // biome-ignore lint/suspicious/noExplicitAny: zod internals
    for (const o of def.options as any[]) {
      const sh = unwrap(o)?._zod?.def?.shape;
      if (!sh) continue;
      const match = Object.entries(sh).some(([k, f]) => {
        // biome-ignore lint/suspicious/noExplicitAny: zod internals
        const fd = unwrap(f as any)?._zod?.def;
        return fd?.type === 'literal' && fd.values?.includes(v[k]);
      });
      if (match) return Object.keys(sh);
    }
  }
  if (def?.type === 'object') return Object.keys(def.shape);
  return undefined;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v: unknown = input;
  for (const seg of path) v = (v as Record<PropertyKey, unknown> | undefined)?.[seg];
  return v;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}

/** Joins a path as dotted text: `agents.traders.mix[0].params.leverage`. */
export function dottedPath(prefix: string, path: PropertyKey[]): string {
  let out = prefix;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/**
 * Turns zod issues into {@link InputIssue}s: the dotted path of each field, what is wrong, what is allowed,
 * and the value that was given.
 */
export function zodIssues(err: z.ZodError, schema: z.ZodType, input: unknown, prefix = ''): InputIssue[] {
  const out: InputIssue[] = [];
  for (const issue of err.issues) {
    // biome-ignore lint/suspicious/noExplicitAny: issue variants
    const is = issue as any;
    if (is.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(schema, issue.path, input);
      for (const k of is.keys as string[]) {
        out.push({
          path: dottedPath(prefix, [...issue.path, k]),
          message: `unknown key${allowed ? `; allowed keys here: ${allowed.join(', ')}` : ''}`,
        });
      }
      continue;
    }
    if (is.code === 'invalid_union' && Array.isArray(is.errors) && is.errors.length > 0) {
      // report the branch that got furthest
      // biome-ignore lint/suspicious/noExplicitAny: issue variants
      const best = (is.errors as any[][]).reduce((a, b) => (b.length < a.length ? b : a));
      for (const sub of best) {
        out.push({
          path: dottedPath(prefix, [...issue.path, ...sub.path]),
          message: `${sub.message} (got ${show(valueAt(input, [...issue.path, ...sub.path]))})`,
        });
      }
      continue;
    }
    const got = valueAt(input, issue.path);
    out.push({ path: dottedPath(prefix, issue.path), message: `${issue.message} (got ${show(got)})` });
  }
  return out;
}

/** Parses `input` with `schema`, throwing a {@link ConfigError} that lists every problem with its path. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, prefix = ''): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new ConfigError(zodIssues(r.error, schema, input, prefix));
}
