import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type EquilibriaFile,
  type GameExperiment,
  inProcessDriver,
  poolDriver,
  runGame,
} from '../src/index.js';
import { cli, readArrow, tmp } from './cli-helpers.js';

const dir = tmp('bs-cli-game-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backstop-sim game experiments/liquidator-participation --preset small', () => {
  const out = join(dir, 'lp');
  let eq: EquilibriaFile;

  it('writes game.arrow and equilibria.json, which parse', () => {
    const r = cli([
      'game',
      'experiments/liquidator-participation.ts',
      '--preset',
      'small',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/liquidator-participation: game of 3 profile\(s\) × 5 point\(s\) × 6 runs/);
    const t = readArrow(join(out, 'game.arrow'));
    expect(t.numRows).toBe(5 * 3);
    expect(t.schema.fields.map((f) => f.name)).toContain('waterfall.stages[0].bonus');
    eq = JSON.parse(readFileSync(join(out, 'equilibria.json'), 'utf8'));
    expect(eq.experiment).toBe('liquidator-participation');
    expect(eq.strategies.liquidators).toEqual(['liquidate', 'liquidate-cautious', 'idle']);
    for (const p of eq.points) for (const s of p.profiles) expect(s.failed).toBe(0);
  });

  it('with a large enough incentive "liquidate" beats "idle"; below some incentive it does not', () => {
    const pay = (p: number, s: string) =>
      eq.points[p].profiles.find((x) => x.label === `liquidators=${s}`)!.payoffs.liquidators;
    const bonus = eq.points.map((p) => p.point['waterfall.stages[0].bonus'] as number);
    expect(bonus).toEqual([...bonus].sort((a, b) => a - b));
    // "beats": the 95% intervals are disjoint, liquidate above idle
    const beats = eq.points.map((_, p) => pay(p, 'liquidate').low > pay(p, 'idle').high);
    const first = beats.indexOf(true);
    expect(first, 'liquidating pays at some bonus').toBeGreaterThan(0);
    // from there on it keeps paying and is the equilibrium, idle is not
    for (let p = first; p < eq.points.length; p++) {
      expect(beats[p]).toBe(true);
      expect(eq.points[p].pure).toContain('liquidators=liquidate');
      expect(eq.points[p].pure).not.toContain('liquidators=idle');
    }
    // below it, liquidating does not beat idling, and idling is an equilibrium
    for (let p = 0; p < first; p++) {
      expect(beats[p]).toBe(false);
      expect(eq.points[p].pure).toContain('liquidators=idle');
    }
  });

  it('report renders the game directory (payoffs, venue loss, equilibrium map; no runs.arrow needed)', () => {
    const r = cli(['report', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'report', 'index.html'))).toBe(true);
    expect(readdirSync(join(out, 'report', 'figures')).sort()).toEqual(
      ['equilibrium-map', 'game-payoffs', 'game-venue-loss'].flatMap((n) => [`${n}.png`, `${n}.svg`]),
    );
    expect(readFileSync(join(out, 'report', 'index.html'), 'utf8')).toContain('Equilibria');
  });
});

describe('game: bad input exits 2 and creates nothing', () => {
  const noGame = join(dir, 'no-game.json');
  writeFileSync(noGame, JSON.stringify({ name: 'x', base: { ticks: 10 } }));
  const bad = (name: string, game: unknown, base: unknown = { agents: { liquidators: { count: 2 } } }) => {
    const f = join(dir, `${name}.json`);
    writeFileSync(f, JSON.stringify({ name: 'x', runs: 1, base, game }));
    return f;
  };
  const cases: [string, string[], RegExp][] = [
    ['no game section', ['game', noGame], /declares no game/],
    [
      'unknown strategy',
      ['game', bad('unknown', { roles: { liquidators: [{ strategy: 'nope' }] } })],
      /game\.roles\.liquidators\[0\]\.strategy: unknown strategy "nope"; strategies of liquidators: .*fixed-spread-taker/,
    ],
    [
      'strategy of another role',
      ['game', bad('role', { roles: { liquidators: [{ strategy: 'noise' }] } })],
      /game\.roles\.liquidators\[0\]\.strategy: noise is a strategy of traders/,
    ],
    [
      'bad parameter',
      [
        'game',
        bad('param', {
          roles: { liquidators: [{ strategy: 'fixed-spread-taker', params: { margin: -1 } }] },
        }),
      ],
      /game\.roles\.liquidators\[0\]\.params\.margin/,
    ],
    [
      'duplicate label',
      [
        'game',
        bad('dup', {
          roles: { liquidators: [{ strategy: 'fixed-spread-taker' }, { strategy: 'fixed-spread-taker' }] },
        }),
      ],
      /game\.roles\.liquidators\[1\]\.label: "fixed-spread-taker" is used twice/,
    ],
    [
      'role without agents',
      ['game', bad('noagents', { roles: { lps: [{ strategy: 'lp-passive' }] } }, { ticks: 10 })],
      /game\.roles\.lps: the base config has no lps/,
    ],
    [
      'unknown role',
      ['game', bad('unknownrole', { roles: { keepers: [{ strategy: 'x' }] } })],
      /game\.roles\.keepers: unknown key/,
    ],
    ['--workers 0', ['game', 'liquidator-participation', '--workers', '0'], /--workers/],
    ['unknown preset', ['game', 'liquidator-participation', '--preset', 'huge'], /no preset "huge"/],
    ['analyze: missing dir', ['analyze', join(dir, 'nope')], /no such directory/],
    ['analyze: no runs.arrow', ['analyze', dir], /holds no runs\.arrow/],
    ['analyze: bad format', ['analyze', dir, '--format', 'xml'], /--format.*xml.*Allowed choices/i],
    ['report: no results', ['report', dir], /holds no runs\.arrow or equilibria\.json/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const before = readdirSync(dir).sort();
      const r = cli(
        args.includes('--out') || args[0] !== 'game' ? args : [...args, '--out', join(dir, 'out')],
      );
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(readdirSync(dir).sort()).toEqual(before);
    });
  }
});

describe('poolDriver', () => {
  it('gives results identical to the in-process driver', async () => {
    const exp: GameExperiment = {
      base: {
        ticks: 200,
        market: {
          shocks: [{ atTick: 100, change: -0.3, durationSeconds: 1800 }],
          liquidity: { depthUsd: 2e6 },
        },
        waterfall: { stages: [{ stage: 'takeover' }, { stage: 'market' }, { stage: 'insurance-fund' }] },
        agents: {
          traders: {
            count: 100,
            capital: { dist: 'fixed', value: 10_000 },
            mix: [{ strategy: 'hold', fraction: 1, params: { side: 'long', leverage: 10 } }],
          },
          liquidators: { count: 3, capital: { dist: 'fixed', value: 1e6 } },
        },
      },
      roles: {
        liquidators: [
          { strategy: 'fixed-spread-taker', label: 'a', params: { margin: 0 } },
          { strategy: 'fixed-spread-taker', label: 'b', params: { margin: 1e9, runsBot: false } },
        ],
      },
      runs: 5,
      seed: 9,
      sweep: { 'waterfall.stages.0.bonus': [0.02, 0.2] },
    };
    const a = await runGame(exp, { driver: inProcessDriver });
    const b = await runGame(exp, { driver: poolDriver({ workers: 2 }) });
    const strip = (f: EquilibriaFile) =>
      JSON.stringify(f, (k, v) => (k === 'samples' ? Array.from(v as Float64Array) : v));
    expect(strip(b)).toBe(strip(a));
  });
});

describe('backstop-sim game experiments/lp-run --preset small', () => {
  it('a lock-up that outlasts the crash removes the run: staying becomes an equilibrium, panicking gains nothing', () => {
    const out = join(dir, 'lp-run');
    const r = cli(['game', 'experiments/lp-run.ts', '--preset', 'small', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(readArrow(join(out, 'game.arrow')).numRows).toBe(9 * 3);
    const eq = JSON.parse(readFileSync(join(out, 'equilibria.json'), 'utf8')) as EquilibriaFile;
    const LOCK = 'waterfall.stages[0].lockupSeconds';
    const DELAY = 'waterfall.stages[0].withdrawalDelaySeconds';
    const at = (lock: number, delay: number) =>
      eq.points.find((p) => p.point[LOCK] === lock && p.point[DELAY] === delay)!;
    const prof = (p: ReturnType<typeof at>, s: string) => p.profiles.find((x) => x.label === `lps=${s}`)!;
    const advantage = (p: ReturnType<typeof at>) =>
      prof(p, 'panic').payoffs.lps.estimate - prof(p, 'stay').payoffs.lps.estimate;
    const open = at(0, 0);
    const locked = at(86_400, 0);
    // no lock-up, no delay: running pays — staying is not an equilibrium (a significant gain from panicking)
    expect(advantage(open)).toBeGreaterThan(0);
    expect(prof(open, 'stay').equilibrium).toBe(false);
    // a one-day lock-up (the crash is 4 hours in): nobody can leave, every strategy earns the same
    expect(prof(locked, 'stay').equilibrium).toBe(true);
    expect(advantage(locked)).toBeLessThan(advantage(open));
    expect(Math.abs(advantage(locked))).toBeLessThanOrEqual(
      1e-6 * Math.abs(prof(locked, 'stay').payoffs.lps.estimate),
    );
    // a withdrawal delay pays the runner at the later share price: its advantage does not grow with the delay
    expect(advantage(at(0, 14_400))).toBeLessThanOrEqual(advantage(open));
  });
});
