import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type EquilibriaFile,
  gameExperimentOf,
  inProcessDriver,
  resolveExperiment,
  runGame,
} from '../src/index.js';
import { BIN, cli, FIX, ROOT, readArrow, tmp } from './cli-helpers.js';

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
    // game.arrow and equilibria.json alone (what runGame writes)
    const only = join(dir, 'lp-game-only');
    mkdirSync(only);
    for (const f of ['game.arrow', 'equilibria.json']) copyFileSync(join(out, f), join(only, f));
    const r = cli(['report', only]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(only, 'report', 'index.html'))).toBe(true);
    expect(readdirSync(join(only, 'report', 'figures')).sort()).toEqual(
      ['equilibrium-map', 'game-payoffs', 'game-venue-loss'].flatMap((n) => [`${n}.png`, `${n}.svg`]),
    );
    expect(readFileSync(join(only, 'report', 'index.html'), 'utf8')).toContain('Equilibria');
  });

  it('the game directory holds the runs too: analyze groups them by point and profile, report draws both', () => {
    const a = cli(['analyze', out, '--format', 'json']);
    expect(a.code, a.stderr).toBe(0);
    const groups = (JSON.parse(a.stdout) as { groups: { key: Record<string, unknown> }[] }).groups;
    expect(groups).toHaveLength(5 * 3);
    expect(groups[1].key).toEqual({
      'waterfall.stages[0].bonus': 0.005,
      'game.liquidators': 'liquidate-cautious',
    });
    const r = cli(['report', out]);
    expect(r.code, r.stderr).toBe(0);
    const figs = readdirSync(join(out, 'report', 'figures'));
    for (const f of [
      'equilibrium-map',
      'game-payoffs',
      'game-venue-loss',
      'loss-distribution',
      'heatmap-loss',
    ])
      expect(figs, f).toContain(`${f}.svg`);
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
    [
      '--shard 2/2',
      ['game', 'liquidator-participation', '--shard', '2/2'],
      /--shard: index must be 0\.\.1 \(got 2\)/,
    ],
    ['--shard x', ['game', 'liquidator-participation', '--shard', 'x'], /--shard: expected i\/N or auto\/N/],
    [
      '--shard auto/2 without an array index',
      ['game', 'liquidator-participation', '--shard', 'auto/2'],
      /--shard: auto needs SLURM_ARRAY_TASK_ID/,
    ],
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
        { env: { SLURM_ARRAY_TASK_ID: '', JOB_COMPLETION_INDEX: '', AWS_BATCH_JOB_ARRAY_INDEX: '' } },
      );
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(readdirSync(dir).sort()).toEqual(before);
    });
  }
});

describe('backstop-sim game on the batch runner', () => {
  const GAME = join(FIX, 'game.json');
  const whole = join(dir, 'tiny-whole');
  const same = (a: string, b: string) => expect(readFileSync(a).equals(readFileSync(b)), b).toBe(true);

  it('writes the bytes runGame writes with the in-process driver', async () => {
    const r = cli(['game', GAME, '--out', whole, '--quiet', '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/tiny-game: game of 4 profile\(s\) × 2 point\(s\) × 6 runs: 48 ok, 0 failed/);
    const ref = join(dir, 'tiny-in-process');
    const e = await resolveExperiment({ file: GAME, overrides: {} });
    await runGame(gameExperimentOf(e), {
      driver: inProcessDriver,
      out: ref,
      level: e.game!.level,
      baseDir: e.baseDir,
    });
    for (const f of ['game.arrow', 'equilibria.json']) same(join(ref, f), join(whole, f));
    expect(readArrow(join(whole, 'runs.arrow')).numRows).toBe(48);
  });

  it('--shard 0/2 and auto/2 (SLURM_ARRAY_TASK_ID=1), then merge: the unsharded files', () => {
    const s0 = join(dir, 'tiny-s0');
    const s1 = join(dir, 'tiny-s1');
    const merged = join(dir, 'tiny-merged');
    const r0 = cli(['game', GAME, '--shard', '0/2', '--out', s0, '--quiet']);
    expect(r0.code, r0.stderr).toBe(0);
    expect(r0.stderr).toMatch(/\(shard 0\/2\)/);
    expect(r0.stderr).toMatch(/merge the shards/);
    const r1 = cli(['game', GAME, '--shard', 'auto/2', '--out', s1, '--quiet'], {
      env: { SLURM_ARRAY_TASK_ID: '1' },
    });
    expect(r1.code, r1.stderr).toBe(0);
    // a shard writes its share of the runs, no equilibria
    for (const s of [s0, s1]) {
      expect(existsSync(join(s, 'equilibria.json'))).toBe(false);
      expect(existsSync(join(s, 'game.arrow'))).toBe(false);
    }
    expect(readArrow(join(s0, 'runs.arrow')).numRows + readArrow(join(s1, 'runs.arrow')).numRows).toBe(48);
    const half = cli(['merge', s0, '--out', join(merged, 'half')]);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/runs are missing/);
    const m = cli(['merge', s0, s1, '--out', merged]);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toMatch(/with game\.arrow and equilibria\.json/);
    for (const f of ['runs.arrow', 'game.arrow', 'equilibria.json']) same(join(whole, f), join(merged, f));
  });

  // the small game the SIGTERM and kill -9 tests interrupt (and run whole to compare with)
  const TINY_GAME = [
    'game',
    GAME,
    '--runs',
    '20',
    '--set',
    'agents.traders.count=1500',
    '--quiet',
    '--workers',
    '2',
  ];

  it('SIGTERM stops after the runs in flight (exit 143, parts kept); --resume completes it to the same bytes', async () => {
    const args = TINY_GAME;
    const full = join(dir, 'tiny-full');
    expect(cli([...args, '--out', full]).code).toBe(0);
    const out = join(dir, 'tiny-term');
    const child = spawn(process.execPath, [BIN, ...args, '--out', out], { cwd: ROOT, stdio: 'ignore' });
    const parts = join(out, '.parts');
    const count = () =>
      existsSync(parts) ? readdirSync(parts).filter((f) => f.endsWith('.part')).length : 0;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    while (count() < 3) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    const kept = count();
    expect(kept).toBeLessThan(160);
    for (const f of ['runs.arrow', 'game.arrow', 'equilibria.json'])
      expect(existsSync(join(out, f)), f).toBe(false);
    const r = cli([...args, '--out', out, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming: \d+ of 160 runs already done/);
    for (const f of ['runs.arrow', 'game.arrow', 'equilibria.json']) same(join(full, f), join(out, f));
  });

  it('kill -9 mid-batch (no chance to clean up): --resume completes it to the same bytes', async () => {
    const args = TINY_GAME;
    // the uninterrupted batch of the test before (the same arguments), made here when run alone
    const full = join(dir, 'tiny-full');
    if (!existsSync(join(full, 'game.arrow'))) expect(cli([...args, '--out', full]).code).toBe(0);
    const out = join(dir, 'tiny-kill');
    const child = spawn(process.execPath, [BIN, ...args, '--out', out], { cwd: ROOT, stdio: 'ignore' });
    const parts = join(out, '.parts');
    const count = () =>
      existsSync(parts) ? readdirSync(parts).filter((f) => f.endsWith('.part')).length : 0;
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_, signal) => r(signal)));
    while (count() < 3) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const kept = count();
    expect(kept).toBeLessThan(160);
    for (const f of ['runs.arrow', 'game.arrow', 'equilibria.json'])
      expect(existsSync(join(out, f)), f).toBe(false);
    // its lock names a dead process: taken over at once
    const r = cli([...args, '--out', out, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    // what the killed batch finished is kept, not run again
    expect(r.stderr).toMatch(/resuming: [1-9]\d* of 160 runs already done/);
    for (const f of ['runs.arrow', 'game.arrow', 'equilibria.json']) same(join(full, f), join(out, f));
  });

  it('--fail-fast stops at a failing profile: exit 1, no equilibria', () => {
    const out = join(dir, 'failing-ff');
    const r = cli(['game', join(FIX, 'failing-game.experiment.ts'), '--fail-fast', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/stopped at the first failure \(--fail-fast\): run \d+ failed: test-throw/);
    expect(existsSync(join(out, 'equilibria.json'))).toBe(false);
  });

  it('help: --runs is per profile and sweep point; the runner options are there', () => {
    const r = cli(['game', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--runs <n>\s+runs per profile and sweep point/);
    for (const o of ['--shard', '--resume', '--fail-fast', '--workers', '--series', '--events'])
      expect(r.stdout).toContain(o);
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
