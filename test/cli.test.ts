import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShard } from '../src/cli.js';
import { resolveExperiment } from '../src/experiment/resolve.js';
import { gridPoints, lhsPoints, sobolUnit } from '../src/experiment/sweep.js';
import { BIN, cli, FIX, ROOT, tmp } from './cli-helpers.js';

const SWEEP = join(FIX, 'sweep.json');

describe('cli: bad input exits 2, names the problem and creates or changes nothing', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'malformed.json'), '{"name": "x", ');
  writeFileSync(
    join(dir, 'unknown-field.json'),
    JSON.stringify({ name: 'x', base: { venue: { liquidationFeee: 0.01 } } }),
  );
  writeFileSync(join(dir, 'mistyped.json'), JSON.stringify({ name: 'x', base: { ticks: 'ten' } }));
  writeFileSync(
    join(dir, 'bad-sweep.json'),
    JSON.stringify({ name: 'x', sweep: { grid: { 'venue.nope': [1, 2] } } }),
  );
  writeFileSync(join(dir, 'bad-key.json'), JSON.stringify({ name: 'x', runz: 3 }));
  writeFileSync(join(dir, 'a-file'), 'not a directory');
  const cases: [string, string[], RegExp][] = [
    [
      'unknown experiment',
      ['run', 'no-such-experiment'],
      /unknown experiment[\s\S]*no-such-experiment[\s\S]*known: .*baseline/,
    ],
    ['missing file', ['run', join(dir, 'nope.json')], /no such experiment file/],
    ['malformed JSON', ['run', join(dir, 'malformed.json')], /malformed JSON/],
    [
      'unknown config field',
      ['run', join(dir, 'unknown-field.json')],
      /base\.venue\.liquidationFeee: unknown key; allowed keys here: .*liquidationFee/,
    ],
    ['mistyped config field', ['run', join(dir, 'mistyped.json')], /base\.ticks: .*expected number/],
    ['unknown experiment key', ['run', join(dir, 'bad-key.json')], /runz: unknown key/],
    [
      'unknown swept field',
      ['run', join(dir, 'bad-sweep.json')],
      /sweep\.grid\.venue\.nope: no field "nope" under venue/,
    ],
    [
      'unknown field via --set',
      ['run', SWEEP, '--set', 'venue.liquidationFeex=0.1'],
      /--set venue\.liquidationFeex: no field/,
    ],
    ['mistyped field via --set', ['run', SWEEP, '--set', 'ticks=abc'], /base\.ticks: .*expected number/],
    ['out-of-range field via --set', ['run', SWEEP, '--set', 'venue.takerFee=-1'], /base\.venue\.takerFee/],
    ['swept field via --set', ['run', SWEEP, '--set', 'venue.liquidationFee=0.1'], /this field is swept/],
    [
      'plug-in modules via --set',
      ['run', SWEEP, '--set', 'strategies=["./nope.ts"]'],
      /--set strategies: plug-in modules are loaded from the experiment's base\.strategies/,
    ],
    ['--runs -1', ['run', SWEEP, '--runs', '-1'], /--runs: must be an integer from 1/],
    ['--runs abc', ['run', SWEEP, '--runs', 'abc'], /--runs/],
    ['--workers 0', ['run', SWEEP, '--workers', '0'], /--workers/],
    ['bad --shard', ['run', SWEEP, '--shard', '3/2'], /--shard: index must be 0\.\.1/],
    ['malformed --shard', ['run', SWEEP, '--shard', 'half'], /--shard: expected i\/N/],
    ['--shard auto without an index', ['run', SWEEP, '--shard', 'auto/4'], /SLURM_ARRAY_TASK_ID/],
    ['unknown preset', ['run', SWEEP, '--preset', 'huge'], /no preset "huge".*known: tiny/],
    ['unwritable --out', ['run', SWEEP, '--out', join(dir, 'a-file', 'x')], /--out .*a-file is a file/],
    ['unknown option', ['run', SWEEP, '--frobnicate'], /unknown option '--frobnicate'/],
    ['merge without shards', ['merge', dir, '--out', join(dir, 'merged')], /holds no shard parts/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const out = join(dir, `out-${name.replace(/\W+/g, '-')}`);
      const full = args.includes('--out') || args[0] === 'merge' ? args : [...args, '--out', out];
      const before = readdirSync(dir).sort();
      const r = cli(full, {
        env: { SLURM_ARRAY_TASK_ID: '', JOB_COMPLETION_INDEX: '', AWS_BATCH_JOB_ARRAY_INDEX: '' },
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(readdirSync(dir).sort()).toEqual(before);
    });
  }

  it('leaves an earlier result untouched when a later run has bad input', () => {
    const out = join(dir, 'kept');
    expect(cli(['run', SWEEP, '--preset', 'tiny', '--out', out, '--quiet']).code).toBe(0);
    const bytes = readFileSync(join(out, 'runs.arrow'));
    const mtime = statSync(join(out, 'runs.arrow')).mtimeMs;
    const r = cli(['run', SWEEP, '--preset', 'tiny', '--out', out, '--set', 'ticks=-3']);
    expect(r.code).toBe(2);
    expect(readFileSync(join(out, 'runs.arrow')).equals(bytes)).toBe(true);
    expect(statSync(join(out, 'runs.arrow')).mtimeMs).toBe(mtime);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'runs.arrow']);
  });
});

describe('cli: commands', () => {
  it('has --help on every command', () => {
    for (const c of [[], ['run'], ['validate'], ['list'], ['merge']]) {
      const r = cli([...c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: backstop-sim/);
    }
    expect(cli(['run', '--help']).stdout).toMatch(/--shard <i\/N>[\s\S]*--resume[\s\S]*--fail-fast/);
  });

  it('validate prints the resolved config and sweep', () => {
    const r = cli(['validate', SWEEP, '--preset', 'tiny', '--set', 'venue.takerFee=0.001']);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ experiment: 'tiny-sweep', runsPerPoint: 3, points: 4, totalRuns: 12 });
    expect(v.config.ticks).toBe(60);
    expect(v.config.venue.takerFee).toBe(0.001);
    expect(v.config.market.oracle.heartbeatSeconds).toBe(3600); // defaults filled in
    expect(v.sweep.points[1]).toEqual({
      'venue.liquidationFee': 0.005,
      'agents.traders.mix[1].params.leverage': 20,
    });
  });

  it('validate of the baseline experiment by name', () => {
    const r = cli(['validate', 'baseline']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).totalRuns).toBe(1000);
  });

  it('list shows price models, strategies and waterfall stages with parameters, defaults and units', () => {
    const j = JSON.parse(cli(['list', '--format', 'json']).stdout);
    const gbm = j.priceModels.find((m: { name: string }) => m.name === 'gbm');
    expect(gbm.params.find((p: { name: string }) => p.name === 'sigma')).toMatchObject({
      default: 0.8,
      description: expect.stringMatching(/year/),
    });
    const noise = j.strategies.find((s: { name: string }) => s.name === 'noise');
    expect(noise.role).toBe('traders');
    expect(noise.params.map((p: { name: string }) => p.name)).toContain('arrivalProbability');
    const dutch = j.stages.find((s: { name: string }) => s.name === 'dutch-auction');
    expect(dutch.role).toBe('close');
    expect(dutch.params.find((p: { name: string }) => p.name === 'buf')).toMatchObject({ default: 1.3 });
    const text = cli(['list']).stdout;
    expect(text).toMatch(
      /Price models[\s\S]*gbm[\s\S]*Strategies[\s\S]*noise \[traders\][\s\S]*Waterfall stages[\s\S]*adl \[both\]/,
    );
  });

  it('writes series.arrow and events.arrow on request, with the manifest', () => {
    const out = tmp();
    const r = cli([
      'run',
      SWEEP,
      '--preset',
      'tiny',
      '--out',
      out,
      '--series',
      '10',
      '--events',
      '--quiet',
      '--seed',
      '5',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({
      experiment: 'tiny-sweep',
      masterSeed: 5,
      ok: 12,
      failed: 0,
      node: process.version,
    });
    expect(m.files).toEqual(['runs.arrow', 'series.arrow', 'events.arrow']);
    expect(existsSync(join(out, 'series.arrow'))).toBe(true);
  });
});

describe('experiments and sweeps', () => {
  it('grid: every combination, the last field fastest', () => {
    expect(gridPoints({ a: [1, 2], b: ['x', 'y', 'z'] }).map((p) => `${p.a}${p.b}`)).toEqual([
      '1x',
      '1y',
      '1z',
      '2x',
      '2y',
      '2z',
    ]);
  });

  it('Latin hypercube: each stratum once per dimension, deterministic', () => {
    const pts = lhsPoints(
      20,
      {
        a: { min: 0, max: 1, scale: 'linear', integer: false },
        b: { min: 10, max: 30, scale: 'linear', integer: false },
      },
      3,
    );
    for (const [k, lo, w] of [
      ['a', 0, 1 / 20],
      ['b', 10, 1],
    ] as const) {
      const strata = pts.map((p) => Math.floor(((p[k] as number) - lo) / w)).sort((x, y) => x - y);
      expect(strata).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }
    expect(lhsPoints(5, { a: { min: 0, max: 1, scale: 'linear', integer: false } }, 3)).toEqual(
      lhsPoints(5, { a: { min: 0, max: 1, scale: 'linear', integer: false } }, 3),
    );
  });

  it('Sobol: the standard sequence (scipy.stats.qmc.Sobol, unscrambled, origin skipped)', () => {
    const p = sobolUnit(4, 3).map((x) => [...x]);
    expect(p).toEqual([
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
    ]);
  });

  it('resolves zip, LHS and Sobol sweeps over config paths, with integer and log ranges', async () => {
    const dir = tmp();
    const base = { ticks: 10, agents: { traders: { count: 10, mix: [{ strategy: 'noise', fraction: 1 }] } } };
    const write = (name: string, sweep: unknown) => {
      writeFileSync(join(dir, `${name}.json`), JSON.stringify({ name, base, sweep, runs: 2 }));
      return join(dir, `${name}.json`);
    };
    const zip = await resolveExperiment({
      file: write('z', { zip: { ticks: [5, 6], 'venue.takerFee': [0, 0.001] } }),
      overrides: {},
    });
    expect(zip.points).toEqual([
      { ticks: 5, 'venue.takerFee': 0 },
      { ticks: 6, 'venue.takerFee': 0.001 },
    ]);
    expect(zip.configs[1].ticks).toBe(6);
    const sob = await resolveExperiment({
      file: write('s', {
        sobol: {
          points: 8,
          ranges: {
            'agents.traders.count': { min: 10, max: 100, integer: true },
            'market.index.sigma': { min: 0.1, max: 1, scale: 'log' },
          },
        },
      }),
      overrides: {},
    });
    expect(sob.points).toHaveLength(8);
    for (const p of sob.points) {
      expect(Number.isInteger(p['agents.traders.count'])).toBe(true);
      expect(p['market.index.sigma']).toBeGreaterThanOrEqual(0.1);
    }
    expect(sob.configs[0].agents.traders.count).toBe(sob.points[0]['agents.traders.count']);
    const lhs = await resolveExperiment({
      file: write('l', { lhs: { points: 5, ranges: { 'venue.liquidationFee': [0, 0.05] } } }),
      overrides: { seed: 9 },
    });
    expect(lhs.points).toHaveLength(5);
    await expect(
      resolveExperiment({
        file: write('bad', { zip: { ticks: [1, 2], 'venue.takerFee': [0] } }),
        overrides: {},
      }),
    ).rejects.toThrow(/sweep\.zip: lists must have equal lengths/);
    await expect(
      resolveExperiment({ file: write('bad2', { grid: { ticks: [0] } }), overrides: {} }),
    ).rejects.toThrow(/base\.ticks.*sweep point 0: ticks=0/);
  });

  it('parses shard specifications, from the flag and from array-job variables', () => {
    expect(parseShard('1/3', {})).toEqual({ index: 1, count: 3 });
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 2, count: 4 });
    expect(parseShard('auto/4', { AWS_BATCH_JOB_ARRAY_INDEX: '3' })).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto/4', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1' })).toEqual({
      index: 3,
      count: 4,
    });
    // --array=0-6:2: ids 0, 2, 4, 6 are shards 0..3 (the id 4 was refused as "index must be 0..3")
    expect(
      parseShard('auto/4', {
        SLURM_ARRAY_TASK_ID: '6',
        SLURM_ARRAY_TASK_MIN: '0',
        SLURM_ARRAY_TASK_STEP: '2',
      }),
    ).toEqual({ index: 3, count: 4 });
    expect(() => parseShard('auto/4', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: 'abc' })).toThrow(
      /SLURM_ARRAY_TASK_MIN="abc" is not a non-negative integer/,
    );
    expect(() => parseShard('auto/4', { SLURM_ARRAY_TASK_ID: '4' })).toThrow(/index must be 0\.\.3/);
  });
});

describe('experiments by name', () => {
  // issue 17: a name resolved to dist/experiments/*.js first, where `../data/…` points into dist/
  it('an experiment that replays a CSV of data/ validates by name', () => {
    const r = cli(['validate', 'black-thursday']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).experiment).toBe('black-thursday');
  });
});

describe('command-line conventions', () => {
  it('progress only on a terminal, unless --progress lines (a log); --failures-ok exits 0 with failed runs', () => {
    const out = join(tmp(), 'out');
    const plain = cli(['run', SWEEP, '--runs', '2', '--out', out]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toMatch(/^\d+\/8 runs \(/m);
    const lines = cli(['run', SWEEP, '--runs', '2', '--out', out, '--progress', 'lines']);
    expect(lines.stderr).toMatch(/^\d+\/8 runs \([\d.]+%\)/m);
    const failing = join(FIX, 'failing.experiment.ts');
    const f1 = cli(['run', failing, '--quiet', '--out', join(tmp(), 'f')]);
    expect(f1.code).toBe(1);
    const f0 = cli(['run', failing, '--quiet', '--failures-ok', '--out', join(tmp(), 'f')]);
    expect(f0.code, f0.stderr).toBe(0);
    expect(f0.stderr).toMatch(/8 failed of 24 runs/);
  });

  it('--version prints the version of package.json', () => {
    const r = cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  // `analyze DIR --format csv | head -1` died with an unhandled EPIPE stack and exit 1 (issue 17)
  it('a reader that closes the pipe early ends the command quietly with exit 0', async () => {
    // list --format json writes ~37 KB in one write: more than a pipe takes once its reader has gone
    const child = spawn(process.execPath, [BIN, 'list', '--format', 'json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((ok) => child.on('close', (c) => ok(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  // the first handler exited 0 on any EPIPE, stderr's too: a batch piped to a closed reader reported success
  it("a closed pipe keeps the command's own exit code: failed runs 1, bad input 2; stdout to a full disk is an error", () => {
    const sh = (cmd: string) =>
      spawnSync('bash', ['-c', cmd], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NODE: process.execPath },
      });
    const out = join(tmp(), 'out');
    const failing = sh(
      `"$NODE" "${BIN}" run test/fixtures/failing.experiment.ts --quiet --analyze --out "${out}" | true; exit \${PIPESTATUS[0]}`,
    );
    expect(failing.status, failing.stderr).toBe(1);
    expect(existsSync(join(out, 'runs.arrow'))).toBe(true);
    expect(sh(`"$NODE" "${BIN}" run no-such-experiment 2>&1 | true; exit \${PIPESTATUS[0]}`).status).toBe(2);
    const full = sh(`"$NODE" "${BIN}" list > /dev/full`);
    expect(full.status).toBe(1);
    expect(full.stderr).toMatch(/cannot write to stdout: ENOSPC/);
  });
});

describe("run into a directory that holds another plan's results (issue 17)", () => {
  it('exits 2 naming it and changes nothing, unless --force; the same plan may rewrite its own', () => {
    const out = join(tmp(), 'out');
    const first = cli(['run', SWEEP, '--runs', '2', '--out', out, '--quiet']);
    expect(first.code, first.stderr).toBe(0);
    const before = readFileSync(join(out, 'runs.arrow'));
    const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
    for (const args of [
      ['--runs', '3'],
      ['--runs', '3', '--resume'],
      ['--runs', '2', '--seed', '9'],
      ['--runs', '2', '--shard', '0/2'],
    ]) {
      const r = cli(['run', SWEEP, ...args, '--out', out, '--quiet']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(
        /--out .*out: holds the results of another (plan|shard of this plan) \(experiment tiny-sweep/,
      );
      expect(r.stderr).toMatch(/give another --out, or --force to replace them/);
      expect(readFileSync(join(out, 'runs.arrow')).equals(before)).toBe(true);
      expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifest);
      expect(existsSync(join(out, '.parts'))).toBe(false);
    }
    const same = cli(['run', SWEEP, '--runs', '2', '--out', out, '--quiet']);
    expect(same.code, same.stderr).toBe(0);
    expect(readFileSync(join(out, 'runs.arrow')).equals(before)).toBe(true);
    const forced = cli(['run', SWEEP, '--runs', '3', '--out', out, '--quiet', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).runsPerPoint).toBe(3);
  });

  it("an interrupted batch's parts are not dropped by another plan's run, nor overwritten by a merge", () => {
    const root = tmp();
    const shard = join(root, 'shard-0');
    expect(cli(['run', SWEEP, '--runs', '2', '--shard', '0/2', '--out', shard, '--quiet']).code).toBe(0);
    const other = cli(['run', SWEEP, '--runs', '3', '--out', shard, '--quiet']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      /holds the parts of another plan \(experiment tiny-sweep, 8 runs\) \(2 runs per point, not 3\)/,
    );
    expect(existsSync(join(shard, '.parts', 'plan.json'))).toBe(true);
    const done = join(root, 'done');
    expect(cli(['run', SWEEP, '--runs', '3', '--out', done, '--quiet']).code).toBe(0);
    expect(
      cli(['run', SWEEP, '--runs', '2', '--shard', '1/2', '--out', join(root, 'shard-1'), '--quiet']).code,
    ).toBe(0);
    const merge = cli(['merge', shard, join(root, 'shard-1'), '--out', done]);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toMatch(/holds the results of another plan/);
    expect(JSON.parse(readFileSync(join(done, 'manifest.json'), 'utf8')).runsPerPoint).toBe(3);
    expect(cli(['merge', shard, join(root, 'shard-1'), '--out', done, '--force']).code).toBe(0);
    expect(JSON.parse(readFileSync(join(done, 'manifest.json'), 'utf8')).runsPerPoint).toBe(2);
  });
});

describe('--force replaces another batch entirely; parts of another shard are kept (review of issue 17)', () => {
  it("--force over a game's directory leaves none of the game's files, exports or report", () => {
    const out = join(tmp(), 'out');
    const game = join(FIX, 'game.json');
    expect(cli(['game', game, '--quiet', '--out', out]).code).toBe(0);
    expect(cli(['export', out, '--format', 'csv']).code).toBe(0);
    expect(cli(['report', out]).code).toBe(0);
    for (const f of ['game.arrow', 'equilibria.json', 'game.csv', 'runs.csv', 'report/index.html'])
      expect(existsSync(join(out, f)), f).toBe(true);
    const refused = cli(['run', SWEEP, '--runs', '2', '--quiet', '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/written by game, not run; experiment .*, not tiny-sweep/);
    const r = cli(['run', SWEEP, '--runs', '2', '--quiet', '--out', out, '--force']);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['game.arrow', 'equilibria.json', 'game.csv', 'runs.csv', 'report'])
      expect(existsSync(join(out, f)), f).toBe(false);
    expect(existsSync(join(out, 'runs.arrow'))).toBe(true);
  });

  it("a shard's parts are not dropped by another shard's run; --resume --force starts a changed plan afresh", () => {
    const out = join(tmp(), 'shard');
    expect(cli(['run', SWEEP, '--runs', '2', '--shard', '0/2', '--out', out, '--quiet']).code).toBe(0);
    const other = cli(['run', SWEEP, '--runs', '2', '--shard', '1/2', '--out', out, '--quiet']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/finished chunk\(s\) of another shard of this plan/);
    expect(readdirSync(join(out, '.parts')).some((f) => f !== 'plan.json')).toBe(true);
    // what the Slurm script does for a changed plan: --resume (always) with --force
    const changed = cli([
      'run',
      SWEEP,
      '--runs',
      '3',
      '--shard',
      '0/2',
      '--out',
      out,
      '--quiet',
      '--resume',
      '--force',
    ]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).runsPerPoint).toBe(3);
  });

  it('results without a readable manifest are not overwritten without --force', () => {
    const out = join(tmp(), 'out');
    expect(cli(['run', SWEEP, '--runs', '2', '--out', out, '--quiet']).code).toBe(0);
    const before = readFileSync(join(out, 'runs.arrow'));
    writeFileSync(join(out, 'manifest.json'), '{bad');
    const r = cli(['run', SWEEP, '--runs', '3', '--out', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds results without a readable manifest\.json \(runs\.arrow\)/);
    expect(readFileSync(join(out, 'runs.arrow')).equals(before)).toBe(true);
  });

  it('--resume of a finished batch whose runs.arrow is gone runs it again', () => {
    const out = join(tmp(), 'out');
    expect(cli(['run', SWEEP, '--runs', '2', '--out', out, '--quiet']).code).toBe(0);
    const before = readFileSync(join(out, 'runs.arrow'));
    rmSync(join(out, 'runs.arrow'));
    const r = cli(['run', SWEEP, '--runs', '2', '--out', out, '--quiet', '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/already complete/);
    expect(readFileSync(join(out, 'runs.arrow')).equals(before)).toBe(true);
  });
});
