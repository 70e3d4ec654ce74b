import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, mixCounts, parseConfig, simConfigSchema, simulate } from '../src/index.js';

/** Parses `input` and returns the issues it was rejected with. */
function issuesOf(input: unknown, baseDir?: string): { path: string; message: string }[] {
  try {
    parseConfig(input, { baseDir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('the config was accepted');
}

describe('config validation', () => {
  it('fills every default of an empty config', () => {
    const cfg = parseConfig({});
    expect(cfg.ticks).toBe(1440);
    expect(cfg.dtSeconds).toBe(60);
    expect(cfg.market.index).toEqual({ model: 'gbm', p0: 2000, mu: 0, sigma: 0.8 });
    expect(cfg.venue.tiers).toHaveLength(1);
    expect(cfg.market.oracle.heartbeatSeconds).toBe(3600);
  });

  it('is idempotent: a resolved config parses to itself', () => {
    const cfg = parseConfig({ agents: { traders: { count: 3, mix: [{ strategy: 'noise', fraction: 1 }] } } });
    expect(parseConfig(structuredClone(cfg))).toEqual(cfg);
  });

  it('documents every field it has with a description', () => {
    const json = JSON.stringify(simConfigSchema.toJSONSchema?.() ?? {});
    expect(json.length).toBeGreaterThan(100);
  });

  const cases: [string, unknown, string, RegExp][] = [
    ['an unknown top-level key', { tick: 5 }, 'tick', /unknown key; allowed keys here: ticks, dtSeconds/],
    [
      'an unknown nested key',
      { market: { oracle: { delay: 3 } } },
      'market.oracle.delay',
      /unknown key.*delaySeconds/,
    ],
    [
      'an unknown price-model key',
      { market: { index: { model: 'gbm', sigm: 1 } } },
      'market.index.sigm',
      /allowed keys here: model, p0, mu, sigma/,
    ],
    ['a wrong type', { ticks: 'ten' }, 'ticks', /expected number, received string/],
    [
      'a negative volatility',
      { market: { index: { model: 'gbm', sigma: -0.2 } } },
      'market.index.sigma',
      />=0.*got -0.2/,
    ],
    ['zero ticks', { ticks: 0 }, 'ticks', />0 \(got 0\)/],
    ['a fractional tick count', { ticks: 2.5 }, 'ticks', /expected int/],
    [
      'an unknown price model',
      { market: { index: { model: 'heston' } } },
      'market.index.model',
      /unknown price model "heston"; allowed: gbm, merton, garch, replay/,
    ],
    [
      'a non-stationary GARCH',
      { market: { index: { model: 'garch', alpha: 0.5, beta: 0.6 } } },
      'market.index.alpha',
      /alpha \+ beta must be < 1/,
    ],
    [
      'a bad shock',
      { market: { shocks: [{ atTick: 3, change: -1.5, durationSeconds: 60 }] } },
      'market.shocks[0].change',
      />-1/,
    ],
    [
      'an unknown strategy',
      { agents: { traders: { count: 2, mix: [{ strategy: 'nois', fraction: 1 }] } } },
      'agents.traders.mix[0].strategy',
      /unknown strategy "nois"; allowed for traders: .*noise/,
    ],
    [
      'a strategy in the wrong role',
      { agents: { lps: { count: 2, mix: [{ strategy: 'noise', fraction: 1 }] } } },
      'agents.lps.mix[0].strategy',
      /is for traders, not lps/,
    ],
    [
      'a strategy parameter of the wrong type',
      {
        agents: {
          traders: { count: 2, mix: [{ strategy: 'noise', fraction: 1, params: { leverageMax: 'x' } }] },
        },
      },
      'agents.traders.mix[0].params.leverageMax',
      /expected number/,
    ],
    [
      'an unknown strategy parameter',
      { agents: { traders: { count: 2, mix: [{ strategy: 'noise', fraction: 1, params: { foo: 1 } }] } } },
      'agents.traders.mix[0].params.foo',
      /unknown key; allowed keys here: arrivalProbability/,
    ],
    [
      'both count and fraction',
      { agents: { traders: { count: 2, mix: [{ strategy: 'noise', fraction: 1, count: 2 }] } } },
      'agents.traders.mix[0]',
      /exactly one of count or fraction/,
    ],
    [
      'fractions not summing to 1',
      { agents: { traders: { count: 2, mix: [{ strategy: 'noise', fraction: 0.5 }] } } },
      'agents.traders.mix',
      /sum to 1/,
    ],
    [
      'counts not matching the role count',
      { agents: { traders: { count: 10, mix: [{ strategy: 'noise', count: 4 }] } } },
      'agents.traders.count',
      /mix counts sum to 4/,
    ],
    ['agents without a mix', { agents: { traders: { count: 10 } } }, 'agents.traders.mix', /no strategy mix/],
    [
      'an inverted capital range',
      {
        agents: {
          traders: {
            count: 1,
            capital: { dist: 'uniform', min: 5, max: 1 },
            mix: [{ strategy: 'noise', count: 1 }],
          },
        },
      },
      'agents.traders.capital.min',
      /must be ≤ max/,
    ],
    [
      'an unknown capital distribution',
      { agents: { traders: { capital: { dist: 'pareto' } } } },
      'agents.traders.capital.dist',
      /Expected 'fixed' \| 'uniform' \| 'lognormal'/,
    ],
    [
      'a first tier not at zero',
      { venue: { tiers: [{ minNotional: 5, mmr: 0.01, imr: 0.1 }] } },
      'venue.tiers[0].minNotional',
      /must start at 0/,
    ],
    [
      'a maintenance rate above the initial rate',
      { venue: { tiers: [{ minNotional: 0, mmr: 0.2, imr: 0.1 }] } },
      'venue.tiers[0].mmr',
      /may not exceed the initial rate/,
    ],
    [
      'tiers out of order',
      {
        venue: {
          tiers: [
            { minNotional: 0, mmr: 0.01, imr: 0.1 },
            { minNotional: 0, mmr: 0.02, imr: 0.1 },
          ],
        },
      },
      'venue.tiers[1].minNotional',
      /ascending/,
    ],
    [
      'a margin price that does not exist',
      { venue: { marginPrice: 'last' } },
      'venue.marginPrice',
      /mark.*oracle/,
    ],
  ];
  for (const [what, input, path, message] of cases) {
    it(`rejects ${what} with the field's path`, () => {
      const issues = issuesOf(input);
      const hit = issues.find((i) => i.path === path);
      expect(hit, JSON.stringify(issues)).toBeDefined();
      expect(hit!.message).toMatch(message);
    });
  }

  it('reports every problem, not only the first', () => {
    const issues = issuesOf({ ticks: 0, dtSeconds: -1, venue: { takerFee: 'x' } });
    expect(issues.map((i) => i.path).sort()).toEqual(['dtSeconds', 'ticks', 'venue.takerFee']);
  });

  describe('replay files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'backstop-cfg-'));
    writeFileSync(
      join(dir, 'ok.csv'),
      'timestamp_utc,price\n2020-03-12T00:10:00Z,194.52\n2020-03-12T00:20:00Z,193.93\n',
    );
    writeFileSync(
      join(dir, 'bad.csv'),
      'timestamp_utc,price\n2020-03-12T00:10:00Z,194.52\n2020-03-12T00:20:00Z,-3\n',
    );

    it('accepts a good file relative to the config directory', () => {
      expect(() =>
        parseConfig({ market: { index: { model: 'replay', file: 'ok.csv' } } }, { baseDir: dir }),
      ).not.toThrow();
    });

    it('rejects a missing file at load, naming the field and the file', () => {
      const issues = issuesOf({ market: { index: { model: 'replay', file: 'nope.csv' } } }, dir);
      expect(issues[0].path).toBe('market.index');
      expect(issues[0].message).toMatch(/nope\.csv: file not found/);
    });

    it('rejects a malformed file at load, naming the line', () => {
      const issues = issuesOf({ market: { index: { model: 'replay', file: 'bad.csv' } } }, dir);
      expect(issues[0].message).toMatch(/bad\.csv.*line 3.*price/);
    });

    it('simulate() reports the same error before running', () => {
      expect(() =>
        simulate({ market: { index: { model: 'replay', file: 'bad.csv' } } }, { seed: 1, baseDir: dir }),
      ).toThrow(ConfigError);
    });
  });
});

describe('population counts', () => {
  it('splits a role by fractions with the largest remainder, after fixed counts', () => {
    expect(mixCounts(10, [{ fraction: 0.5 }, { fraction: 0.5 }])).toEqual([5, 5]);
    expect(mixCounts(10, [{ fraction: 1 / 3 }, { fraction: 1 / 3 }, { fraction: 1 / 3 }])).toEqual([4, 3, 3]);
    expect(mixCounts(10, [{ count: 4 }, { fraction: 0.25 }, { fraction: 0.75 }])).toEqual([4, 2, 4]);
    expect(mixCounts(7, [{ count: 7 }])).toEqual([7]);
  });
});
