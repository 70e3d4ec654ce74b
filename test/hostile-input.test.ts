/**
 * Hostile inputs that the bad-input corpus cannot hold as committed files or command lines: a library
 * caller's failed call must leave Object.prototype as it was; files over the size limits (made sparse here)
 * are refused by their size before they are read; a zip sweep longer than the sweep limit is refused before
 * it is expanded; an internal error prints one line, its stack only with --debug or BACKSTOP_DEBUG=1.
 */
import { closeSync, existsSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { MAX_EXPERIMENT_FILE_BYTES, MAX_PRICE_FILE_BYTES } from '../src/config/bounds.js';
import { inputValueIssues, MAX_INPUT_DEPTH } from '../src/config/input-check.js';
import { MAX_SWEEP_POINTS } from '../src/experiment/define.js';
import { parsePath, setPath } from '../src/experiment/paths.js';
import { BackstopInputError, parseConfig, resolveExperiment } from '../src/index.js';
import { tmp } from './cli-helpers.js';

const polluted = () => (({}) as Record<string, unknown>).polluted;

/** Runs `main` in process; returns the exit code and what went to stderr. */
async function run(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  vi.spyOn(process.stderr, 'write').mockImplementation(((s: string | Uint8Array) => {
    err += String(s);
    return true;
  }) as typeof process.stderr.write);
  vi.spyOn(process.stdout, 'write').mockImplementation((() => true) as typeof process.stdout.write);
  try {
    const code = await main(['node', 'backstop-sim', ...args]);
    return { code, err };
  } finally {
    vi.restoreAllMocks();
  }
}

/** A sparse file of `size` bytes (no disk used). */
function sparse(path: string, size: number): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
}

describe('prototype keys never reach Object.prototype', () => {
  const dir = tmp();
  const file = join(dir, 'exp.json');
  writeFileSync(file, JSON.stringify({ name: 'exp', base: { ticks: 10 }, runs: 1 }));
  afterEach(() => {
    // a failing test must not leave the pollution to the next
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  for (const set of [
    '__proto__.polluted=1',
    'constructor.prototype.polluted=1',
    'venue.__proto__.polluted=1',
    'agents.traders.__proto__.polluted=1',
  ])
    it(`resolveExperiment with --set ${set}: an input error naming only that path`, async () => {
      const err = await resolveExperiment({ file, overrides: { set: [set] } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackstopInputError);
      const issues = (err as BackstopInputError).issues;
      expect(issues.map((i) => i.path)).toEqual([`--set ${set.slice(0, set.indexOf('='))}`]);
      expect(polluted()).toBeUndefined();
    });

  it('parseConfig of JSON with a __proto__ key (an own key after JSON.parse): refused, prototype intact', () => {
    const input = JSON.parse('{"ticks": 10, "venue": {"__proto__": {"polluted": 1}}}');
    expect(() => parseConfig(input)).toThrow(/venue\.__proto__: is a reserved name/);
    expect(polluted()).toBeUndefined();
  });

  it('setPath refuses a prototype segment even when handed one directly', () => {
    const target: Record<string, unknown> = {};
    expect(setPath(target, ['__proto__', 'polluted'], 1)).toMatch(/reserved name/);
    expect(setPath(target, ['a', 'constructor', 'prototype', 'polluted'], 1)).toMatch(/reserved name/);
    expect(polluted()).toBeUndefined();
    expect(target).toEqual({});
    // an inherited name that is not a prototype key becomes an own field, not a write into Object.prototype
    expect(setPath(target, ['toString', 'x'], 1)).toBeUndefined();
    expect(Object.hasOwn(target, 'toString')).toBe(true);
    expect(typeof ({} as { toString: unknown }).toString).toBe('function');
  });

  it('parsePath refuses prototype segments and keeps ordinary paths', () => {
    expect(parsePath('__proto__.x')).toBeUndefined();
    expect(parsePath('a.prototype')).toBeUndefined();
    expect(parsePath('agents.traders.mix[0].params.leverage')).toEqual([
      'agents',
      'traders',
      'mix',
      0,
      'params',
      'leverage',
    ]);
  });
});

describe('values that are not plain data', () => {
  it('names each field; walks 100,000 levels without recursion', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const issues = inputValueIssues({ a: { deep } }, 'base');
    expect(issues).toHaveLength(1);
    expect(issues[0].path.startsWith('base.a.deep[0][0]')).toBe(true);
    expect(issues[0].message).toContain(`at most ${MAX_INPUT_DEPTH} levels`);
  });

  it('accepts a value exactly at the depth limit and a shared (acyclic) object', () => {
    let v: unknown = 0;
    for (let i = 0; i < MAX_INPUT_DEPTH - 1; i++) v = [v];
    expect(inputValueIssues({ v })).toEqual([]);
    const shared = { x: 1 };
    expect(inputValueIssues({ a: shared, b: [shared, shared] })).toEqual([]);
  });

  it('reports a function, a symbol, a BigInt, a cycle and a throwing getter each at its path', () => {
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    const getter = Object.defineProperty({}, 'g', {
      enumerable: true,
      get() {
        throw new Error('nope');
      },
    });
    const issues = inputValueIssues({ f: () => 1, s: Symbol('s'), b: 1n, cyc, getter }, 'base');
    expect(issues.map((i) => i.path)).toEqual([
      'base.f',
      'base.s',
      'base.b',
      'base.cyc.self',
      'base.getter.g',
    ]);
    expect(issues[4].message).toContain('nope');
  });
});

describe('sizes checked before reading or expanding', () => {
  const dir = tmp();

  it(`a replay CSV over ${MAX_PRICE_FILE_BYTES} bytes is refused by its size (a 3 GB sparse file)`, async () => {
    sparse(join(dir, 'huge.csv'), 3 * 1024 ** 3);
    const exp = join(dir, 'replay-huge.json');
    writeFileSync(
      exp,
      JSON.stringify({
        name: 'replay-huge',
        base: { ticks: 10, market: { index: { model: 'replay', file: 'huge.csv' } } },
        runs: 1,
      }),
    );
    const t0 = performance.now();
    const r = await run(['validate', exp]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(
      /base\.market\.index: huge\.csv: is 3 GiB \(3,221,225,472 bytes\); allowed: at most 256 MiB/,
    );
    // reading 3 GB would take far longer (and fail)
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('an experiment JSON over the limit is refused by its size, naming the file', async () => {
    const exp = join(dir, 'huge.json');
    sparse(exp, MAX_EXPERIMENT_FILE_BYTES + 1);
    const r = await run(['validate', exp]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`${exp}: is 64 MiB (67,108,865 bytes); allowed: at most 64 MiB`);
  });

  it('a zip sweep of more values than sweep points allowed: exit 2 before expansion', async () => {
    const exp = join(dir, 'zip-long.json');
    const values = new Array(MAX_SWEEP_POINTS + 1).fill(0);
    writeFileSync(
      exp,
      JSON.stringify({
        name: 'zip-long',
        base: { ticks: 10 },
        runs: 1,
        sweep: { zip: { 'venue.takerFee': values } },
      }),
    );
    const t0 = performance.now();
    const r = await run(['validate', exp]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/sweep\.zip: lists of 1,000,001 values; allowed: at most 1,000,000 sweep points/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe('internal errors', () => {
  const dir = tmp();
  const out = join(dir, 'nothing');
  const boom = () => {
    // `list` writes its table to stdout: a write that throws stands for a bug anywhere in a command
    vi.spyOn(process.stdout, 'write').mockImplementation(() => {
      throw new TypeError('cannot read the thing');
    });
  };
  async function runBoom(args: string[]) {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation(((s: string | Uint8Array) => {
      err += String(s);
      return true;
    }) as typeof process.stderr.write);
    boom();
    try {
      return { code: await main(['node', 'backstop-sim', ...args]), err };
    } finally {
      vi.restoreAllMocks();
    }
  }
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('print one line naming the error and how to see the stack; exit 1', async () => {
    vi.stubEnv('BACKSTOP_DEBUG', '');
    const r = await runBoom(['list']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'backstop-sim: internal error: TypeError: cannot read the thing (run with --debug or BACKSTOP_DEBUG=1 for the stack)\n',
    );
    expect(existsSync(out)).toBe(false);
  });

  it('with --debug, before or after the command, print the stack', async () => {
    vi.stubEnv('BACKSTOP_DEBUG', '');
    for (const args of [
      ['--debug', 'list'],
      ['list', '--debug'],
    ]) {
      const r = await runBoom(args);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(/^backstop-sim: internal error: TypeError: cannot read the thing\n\s+at /);
    }
  });

  it('with BACKSTOP_DEBUG=1, print the stack', async () => {
    vi.stubEnv('BACKSTOP_DEBUG', '1');
    const r = await runBoom(['list']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/internal error: TypeError: cannot read the thing\n\s+at /);
  });

  it('an input error stays exit 2 with its message (no "internal error")', async () => {
    const r = await run(['validate', join(dir, 'no-such.json')]);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('internal error');
    expect(r.err).toContain('no such experiment file');
  });
});
