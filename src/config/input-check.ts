/**
 * Checks of a value about to be read as a config or an experiment, before any of it is copied, merged or
 * parsed: it must be plain data (numbers, strings, booleans, null, lists and plain objects; no function,
 * symbol, BigInt, cycle or getter that throws: such a value cannot be copied to the worker threads), nested
 * at most {@link MAX_INPUT_DEPTH} levels deep, and no key may be one that reaches an object's prototype
 * ({@link FORBIDDEN_KEYS}). The walk is iterative (a value nested 5,000 levels deep does not overflow the
 * stack) and catches whatever reading a property throws.
 */
import type { InputIssue } from '../errors.js';

/**
 * Deepest nesting of an experiment or config: 100 levels (the deepest field of a config is about 8 levels
 * down; strategy and stage parameters add a few). Deeper values would overflow the stack of the recursive
 * copies and parsers that read them.
 */
export const MAX_INPUT_DEPTH = 100;

/** Keys that reach an object's prototype when assigned or merged: rejected in every path and key. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a key of {@link FORBIDDEN_KEYS} is refused. */
export const FORBIDDEN_KEY_MESSAGE =
  'is a reserved name (__proto__, constructor and prototype reach the prototype of every object); no config field has it';

/** Most issues one walk reports (a list of a million functions need not be listed whole). */
const MAX_ISSUES = 20;

/** Appends a key or index to a dotted path. */
function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** A dotted path shortened for a message when it is very long (deeply nested values). */
function shortPath(path: string): string {
  return path.length > 120 ? `${path.slice(0, 117)}...` : path;
}

const NOT_DATA =
  'cannot be copied to the worker threads; allowed: numbers, strings, booleans, null, lists and plain objects';

/** What is wrong with a value that is no data at all, or undefined when it is a primitive or an object. */
function notDataMessage(v: unknown): string | undefined {
  switch (typeof v) {
    case 'function':
      return `is a function (${shortText(String(v))}), which ${NOT_DATA}`;
    case 'symbol':
      return `is a symbol (${String(v)}), which ${NOT_DATA}`;
    case 'bigint':
      return `is a BigInt (${String(v)}n), not a number; allowed: numbers, strings, booleans, null, lists and plain objects`;
    default:
      return undefined;
  }
}

function shortText(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}...` : one;
}

/**
 * Problems of `root` as plain input data, each with the dotted path of its field under `prefix`: forbidden
 * keys, values that are not plain data, nesting deeper than {@link MAX_INPUT_DEPTH}, cycles, getters that
 * throw. Empty when the value is fine.
 */
export function inputValueIssues(root: unknown, prefix = ''): InputIssue[] {
  const issues: InputIssue[] = [];
  // iterative depth-first walk; `exit` entries take an object off the current path again (cycle detection)
  type Item = { v: unknown; path: string; depth: number } | { exit: object };
  const stack: Item[] = [{ v: root, path: prefix, depth: 0 }];
  const onPath = new Set<object>();
  const done = new Set<object>();
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const item = stack.pop()!;
    if ('exit' in item) {
      onPath.delete(item.exit);
      done.add(item.exit);
      continue;
    }
    const { v, path, depth } = item;
    const bad = notDataMessage(v);
    if (bad) {
      issues.push({ path: shortPath(path) || '(top level)', message: bad });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (onPath.has(v)) {
      issues.push({
        path: shortPath(path),
        message: `refers back to an object that contains it (a cycle), which ${NOT_DATA}`,
      });
      continue;
    }
    // a shared (not cyclic) object has been checked already
    if (done.has(v)) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      issues.push({
        path: shortPath(path),
        message: `is nested more than ${MAX_INPUT_DEPTH} levels deep; allowed: at most ${MAX_INPUT_DEPTH} levels of nesting`,
      });
      continue;
    }
    let keys: string[];
    let isArray: boolean;
    try {
      isArray = Array.isArray(v);
      const proto = Object.getPrototypeOf(v);
      if (!isArray && proto !== Object.prototype && proto !== null) {
        const name = (proto as { constructor?: { name?: unknown } })?.constructor?.name;
        issues.push({
          path: shortPath(path) || '(top level)',
          message: `is ${typeof name === 'string' && name ? `a ${name}` : 'an object of a class'}, not a plain object, which ${NOT_DATA}`,
        });
        continue;
      }
      keys = Object.keys(v);
    } catch (e) {
      issues.push({ path: shortPath(path) || '(top level)', message: `cannot be read: ${errText(e)}` });
      continue;
    }
    onPath.add(v);
    stack.push({ exit: v });
    const children: Item[] = [];
    for (const k of keys) {
      const p = isArray ? child(path, Number(k)) : child(path, k);
      if (!isArray && FORBIDDEN_KEYS.has(k)) {
        issues.push({ path: shortPath(p), message: FORBIDDEN_KEY_MESSAGE });
        continue;
      }
      let value: unknown;
      try {
        const d = Object.getOwnPropertyDescriptor(v, k);
        value = d?.get ? d.get.call(v) : d?.value;
      } catch (e) {
        issues.push({ path: shortPath(p), message: `reading it throws (${errText(e)}); give a plain value` });
        continue;
      }
      children.push({ v: value, path: p, depth: depth + 1 });
    }
    // keep the file's order in the messages: the first key is checked first
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return issues;
}

function errText(e: unknown): string {
  try {
    return shortText(e instanceof Error ? e.message : String(e));
  } catch {
    return 'an unprintable error';
  }
}
