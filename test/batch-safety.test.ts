/**
 * A batch that cannot corrupt, hang or lose (issue 18): the output directory's lock, refusal of another
 * plan's directory (byte-identical afterwards), the run time limit, parts that carry their plan and chunk,
 * plans that cover the files an experiment names and the package version, workers that run the main
 * thread's plan, temporary files that cannot be planted, and leftovers of a killed process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveExperiment } from '../src/experiment/resolve.js';
import { LOCK_NAME, lockDir, STALE_MS } from '../src/runner/lock.js';
import { partName, readPart, writePart } from '../src/runner/parts.js';
import { buildPlan } from '../src/runner/plan.js';
import { runBatch } from '../src/runner/run.js';
import { openExclusive, removeLeftovers, TMP_MARK, writeFileAtomic } from '../src/safe-fs.js';
import { BIN, cli, FIX, ROOT, readArrow, tmp } from './cli-helpers.js';

const FAULTS = join(FIX, 'faults.json');
const quiet = ['--workers', '2', '--quiet'];

/** Every file under `dir` (hidden ones included) with its sha256, or the link it is. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p, `${rel}${n}/`);
      else if (st.isSymbolicLink()) out[`${rel}${n}`] = 'link';
      else out[`${rel}${n}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

const runIds = (file: string) => Array.from(readArrow(file).getChild('run_id')!.toArray() as Int32Array);
const same = (a: string, b: string) => expect(readFileSync(a).equals(readFileSync(b))).toBe(true);

describe('the lock of an output directory', () => {
  it('a second batch into a directory in use exits 2 at once naming the lock; the first finishes unchanged', async () => {
    const ref = join(tmp(), 'ref');
    expect(cli(['run', FAULTS, '--out', ref, ...quiet]).code).toBe(0);
    const out = join(tmp(), 'mix');
    const first = spawn(process.execPath, [BIN, 'run', FAULTS, '--out', out, '--workers', '1', '--quiet'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => first.on('exit', (c) => r(c)));
    const t0 = Date.now();
    while (!existsSync(join(out, LOCK_NAME)) && Date.now() - t0 < 30_000)
      await new Promise((r) => setTimeout(r, 5));
    // three contenders at once, while the first runs: each is refused at once
    const contend = (extra: string[]) =>
      new Promise<{ code: number | null; err: string }>((r) => {
        const c = spawn(process.execPath, [BIN, 'run', FAULTS, '--out', out, ...quiet, ...extra], {
          cwd: ROOT,
        });
        let err = '';
        c.stderr.on('data', (d) => (err += d));
        c.on('exit', (code) => r({ code, err }));
      });
    const rs = await Promise.all([['--seed', '5'], ['--force'], ['--resume']].map(contend));
    for (const r of rs) {
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(/is in use: \.backstop\.lock is held by process \d+ on /);
    }
    expect(await exited).toBe(0);
    same(join(out, 'runs.arrow'), join(ref, 'runs.arrow'));
    expect(existsSync(join(out, LOCK_NAME))).toBe(false);
  });

  it('a stale lock (its process gone, or untouched for the stale time on another host) is taken over', () => {
    const dir = tmp();
    const path = join(dir, LOCK_NAME);
    // a process id that cannot be alive: beyond Linux's pid_max
    writeFileSync(path, JSON.stringify({ pid: 2 ** 30, host: hostname(), command: 'run' }));
    lockDir(dir, 'test').release();
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, JSON.stringify({ pid: 1, host: 'another-node', command: 'run' }));
    expect(() => lockDir(dir, 'test')).toThrow(/held by process 1 on another-node/);
    const old = (Date.now() - STALE_MS - 5_000) / 1000;
    utimesSync(path, old, old);
    const l = lockDir(dir, 'test');
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    // a live holder on this host (this process, another call) is refused
    expect(() => lockDir(dir, 'again')).toThrow(/is in use/);
    l.release();
    // this process's pid but not its lock, freshly touched: a live batch in another pid namespace on this
    // host (two containers, both pid 1) is refused; untouched for 20 s (3 touches missed), it is a former
    // incarnation (a container's pid 1 restarted) and is taken over
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), command: 'run', token: 'old' }));
    expect(() => lockDir(dir, 'test')).toThrow(new RegExp(`held by process ${process.pid} on `));
    const twenty = new Date(Date.now() - 20_000);
    utimesSync(path, twenty, twenty);
    lockDir(dir, 'test').release();
    // a live but unrelated process (pid 1) whose lock is long untouched: its pid was reused
    writeFileSync(path, JSON.stringify({ pid: 1, host: hostname(), command: 'run' }));
    expect(() => lockDir(dir, 'test')).toThrow(/held by process 1 on /);
    utimesSync(path, old, old);
    lockDir(dir, 'test').release();
    // a lock that is a directory, long untouched, is moved aside and removed
    mkdirSync(path);
    utimesSync(path, old, old);
    lockDir(dir, 'test').release();
    // nothing staged is left next to it
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("another plan's directory", () => {
  it('run and --resume into it exit 2 and leave it byte-identical; --force replaces it', () => {
    const out = join(tmp(), 'a');
    expect(cli(['run', FAULTS, '--out', out, ...quiet, '--runs', '20']).code).toBe(0);
    mkdirSync(join(out, 'report'));
    writeFileSync(join(out, 'report', 'index.html'), '<p>mine</p>');
    writeFileSync(join(out, 'notes.txt'), 'a user file');
    const before = snapshot(out);
    for (const extra of [
      ['--seed', '5'],
      ['--seed', '5', '--resume'],
      ['--set', 'ticks=200'],
    ]) {
      const r = cli(['run', FAULTS, '--out', out, ...quiet, '--runs', '20', ...extra]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/holds the results of another plan/);
      expect(snapshot(out)).toEqual(before);
    }
    const r = cli(['run', FAULTS, '--out', out, ...quiet, '--runs', '20', '--seed', '5', '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'report'))).toBe(false);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('a user file');
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).masterSeed).toBe(5);
  });

  it('a disk full from the start: exit 2 naming --out, no directory or .parts left, earlier results kept', () => {
    const root = tmp();
    const fresh = join(root, 'new', 'out');
    const r = cli(['run', FAULTS, '--out', fresh, ...quiet, '--runs', '4'], {
      env: { BACKSTOP_TEST_FAULT: 'ENOSPC:0' },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--out .*out: cannot be written \(ENOSPC/);
    expect(readdirSync(root)).toEqual([]);
    const old = join(root, 'old');
    expect(cli(['run', FAULTS, '--out', old, ...quiet, '--runs', '4']).code).toBe(0);
    const before = snapshot(old);
    const again = cli(['run', FAULTS, '--out', old, ...quiet, '--runs', '4'], {
      env: { BACKSTOP_TEST_FAULT: 'ENOSPC:0' },
    });
    expect(again.code).toBe(2);
    expect(snapshot(old)).toEqual(before);
  });

  it("files it does not own are neither removed nor overwritten: a lone events.arrow or a garbage manifest; --force keeps a user's drafts", () => {
    for (const [name, text] of [
      ['events.arrow', 'x'],
      ['series.arrow', 'x'],
      ['manifest.json', 'not json'],
    ]) {
      const out = join(tmp(), 'u');
      mkdirSync(out);
      writeFileSync(join(out, name), text);
      const before = snapshot(out);
      const r = cli(['run', FAULTS, '--out', out, ...quiet, '--runs', '4']);
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(
        name === 'manifest.json'
          ? /holds a manifest\.json that cannot be read/
          : new RegExp(`holds results without a readable manifest\\.json \\(${name}\\)`),
      );
      expect(snapshot(out)).toEqual(before);
    }
    const out = join(tmp(), 'f');
    expect(cli(['run', FAULTS, '--out', out, ...quiet, '--runs', '4', '--report']).code).toBe(0);
    mkdirSync(join(out, 'report', 'drafts'));
    writeFileSync(join(out, 'report', 'drafts', 'paper.tex'), 'mine');
    writeFileSync(join(out, 'analysis.csv'), 'mine');
    const figures = join(out, 'report', 'figures');
    const ours = readdirSync(figures);
    expect(ours.length).toBeGreaterThan(0);
    writeFileSync(join(figures, 'my-plot.png'), 'mine');
    writeFileSync(join(figures, 'my-plot.svg'), 'mine');
    const r = cli(['run', FAULTS, '--out', out, ...quiet, '--runs', '4', '--seed', '3', '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'report', 'drafts', 'paper.tex'), 'utf8')).toBe('mine');
    expect(readFileSync(join(out, 'analysis.csv'), 'utf8')).toBe('mine');
    expect(existsSync(join(out, 'report', 'index.html'))).toBe(false);
    // the report's own figures go with it; a user's plots beside them stay
    expect(readdirSync(figures).sort()).toEqual(['my-plot.png', 'my-plot.svg']);
  });

  it('a directory whose .parts is a link is refused before anything is written', () => {
    const root = tmp();
    const out = join(root, 'o');
    mkdirSync(out);
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(root, 'elsewhere'), join(out, '.parts'));
    const r = cli(['run', FAULTS, '--out', out, ...quiet, '--runs', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.parts: is not a directory/);
    expect(readdirSync(join(root, 'elsewhere'))).toEqual([]);
  });
});

describe('the run time limit', () => {
  it('a run that never returns is recorded as timed out; the batch completes with exit 1 and every other run', () => {
    const out = join(tmp(), 'hang');
    const r = cli(['run', join(FIX, 'hang.json'), '--out', out, ...quiet, '--run-timeout', '1']);
    expect(r.code, r.stderr).toBe(1);
    const t = readArrow(join(out, 'runs.arrow'));
    expect(runIds(join(out, 'runs.arrow'))).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const seeds = Array.from(t.getChild('seed')!.toArray() as Float64Array);
    const errors = t.getChild('error')!.toArray() as (string | null)[];
    // the hanging strategy loops on seeds divisible by 7: exactly those runs time out, the rest are ok
    for (let i = 0; i < 24; i++) {
      if (seeds[i] % 7 === 0) expect(errors[i]).toMatch(/^timed out: still running after 1 s/);
      else expect(errors[i]).toBeNull();
    }
    expect(seeds.some((s) => s % 7 === 0)).toBe(true);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.failed).toBe(seeds.filter((s) => s % 7 === 0).length);
  });

  it('after SIGTERM a run that never returns is cut after the grace: exit 143, the finished runs kept', async () => {
    const out = join(tmp(), 'stop');
    const child = spawn(process.execPath, [BIN, 'run', join(FIX, 'hang.json'), '--out', out, ...quiet], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, BACKSTOP_STOP_GRACE_S: '1' },
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const parts = () => (existsSync(join(out, '.parts')) ? readdirSync(join(out, '.parts')) : []);
    const t0 = Date.now();
    // both workers are stuck once a run with a seed divisible by 7 started in each; wait for a part first
    while (!parts().some((f) => f.endsWith('.part')) && Date.now() - t0 < 30_000)
      await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    expect(await exited, err).toBe(143);
    expect(err).toMatch(/stopping after the runs in flight, which get 1 s/);
    expect(err).toMatch(/interrupted: \d+ of 24 runs done and kept/);
    expect(existsSync(join(out, LOCK_NAME))).toBe(false);
  });
});

/**
 * A folder with `e.json`, an experiment of `runs` runs whose traders include one of a plug-in strategy
 * module (`strategy.ts`, a copy of the test-only test-throw, which never throws at this seed modulus), and
 * `base` as the rest of its base config.
 */
function pluginExperiment(name: string, base: Record<string, unknown>, runs = 12, count = 100): string {
  const dir = tmp();
  copyFileSync(join(FIX, 'throwing-strategy.ts'), join(dir, 'strategy.ts'));
  const traders = {
    count,
    capital: { dist: 'uniform', min: 1000, max: 100000 },
    mix: [
      { strategy: 'noise', count: count - 1 },
      { strategy: 'test-throw', count: 1, params: { everySeed: 1000003 } },
    ],
  };
  const exp = { name, base: { ...base, agents: { traders }, strategies: ['./strategy.ts'] }, runs, seed: 3 };
  writeFileSync(join(dir, 'e.json'), JSON.stringify(exp));
  return dir;
}

describe('parts and plans', () => {
  /** A whole batch run as shard 0/1 keeps its parts (`merge` would read them), with complete results. */
  const shardRun = (exp: string, out: string, extra: string[] = []) =>
    cli(['run', exp, '--out', out, ...quiet, '--shard', '0/1', ...extra]);
  /** faults.json at 24 runs: 24 chunks of one run. */
  const faults24 = ['--runs', '24'];

  it('a FIFO at a part or a damaged plan.json: nothing blocks; --resume re-runs or refuses (exit 2), --force starts afresh', () => {
    const ref = join(tmp(), 'ref');
    expect(shardRun(FAULTS, ref, faults24).code).toBe(0);
    const out = join(tmp(), 'fifo');
    expect(shardRun(FAULTS, out, faults24).code).toBe(0);
    rmSync(join(out, 'runs.arrow'));
    rmSync(join(out, '.parts', partName(6)));
    execFileSync('mkfifo', [join(out, '.parts', partName(6))]);
    const r = shardRun(FAULTS, out, [...faults24, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    same(join(out, 'runs.arrow'), join(ref, 'runs.arrow'));
    for (const bad of ['{}', '[]', '{"hash":"abc","name":"faults"}']) {
      writeFileSync(join(out, '.parts', 'plan.json'), bad);
      const again = shardRun(FAULTS, out, [...faults24, '--resume']);
      expect(again.code, again.stderr).toBe(2);
      expect(again.stderr).toMatch(/part file\(s\) without a readable \.parts\/plan\.json/);
    }
    expect(shardRun(FAULTS, out, [...faults24, '--force']).code).toBe(0);
    same(join(out, 'runs.arrow'), join(ref, 'runs.arrow'));
  });

  it('a valid part copied over another chunk is run again: every run_id once, the same bytes', () => {
    const ref = join(tmp(), 'ref');
    expect(shardRun(FAULTS, ref, faults24).code).toBe(0);
    const out = join(tmp(), 'swap');
    expect(shardRun(FAULTS, out, faults24).code).toBe(0);
    copyFileSync(join(out, '.parts', partName(4)), join(out, '.parts', partName(5)));
    rmSync(join(out, 'runs.arrow'));
    const r = shardRun(FAULTS, out, [...faults24, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming: 23 of 24 runs already done/);
    same(join(out, 'runs.arrow'), join(ref, 'runs.arrow'));
    // and merge takes no part that is not its chunk's
    copyFileSync(join(out, '.parts', partName(4)), join(out, '.parts', partName(5)));
    const m = cli(['merge', out, '--out', join(tmp(), 'm')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/1 of 24 runs are missing \(1 chunks, first 5\)/);
  });

  it('an edited price CSV or strategy module: --resume refuses; --force re-runs it as an uninterrupted run would', () => {
    const csv = readFileSync(join(ROOT, 'data', 'eth_usd_coinbase_1h_2020-03-11_2020-03-14.csv'), 'utf8');
    const dir = pluginExperiment('edited', {
      ticks: 60,
      market: { index: { model: 'replay', file: './prices.csv' }, liquidity: { depthUsd: 4e6 } },
    });
    writeFileSync(join(dir, 'prices.csv'), csv);
    const out = join(dir, 'out');
    expect(shardRun(join(dir, 'e.json'), out).code).toBe(0);
    const edits: [string, string][] = [
      // the second price of the file, changed
      ['prices.csv', csv.replace(/^(.*\n.*\n[^,]*),[^\n]*/, '$1,150.5')],
      ['strategy.ts', `${readFileSync(join(dir, 'strategy.ts'), 'utf8')}\n// edited\n`],
    ];
    for (const [file, text] of edits) {
      writeFileSync(join(dir, file), text);
      rmSync(join(out, 'runs.arrow'), { force: true });
      const r = shardRun(join(dir, 'e.json'), out, ['--resume']);
      expect(r.code, `${file}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/holds the parts of another plan/);
      expect(readdirSync(out)).toEqual(['.parts', 'manifest.json']);
    }
    // with both edits: --force runs the changed plan afresh, as an uninterrupted run of it would
    expect(shardRun(join(dir, 'e.json'), out, ['--resume', '--force']).code).toBe(0);
    const ref = join(dir, 'ref');
    expect(shardRun(join(dir, 'e.json'), ref).code).toBe(0);
    same(join(out, 'runs.arrow'), join(ref, 'runs.arrow'));
    expect(runIds(join(out, 'runs.arrow'))).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("the plan covers the package version, and a part of one plan is not another's", async () => {
    const e = await resolveExperiment({ file: FAULTS, overrides: { runs: 4 } });
    const a = buildPlan(e, '0.1.0');
    const b = buildPlan(e, '0.1.1');
    expect(a.hash).not.toBe(b.hash);
    expect(Object.keys(a.inputs)).toEqual(['experiment faults.json']);
    const dir = tmp();
    expect(readPart(dir, a, 0)).toBeUndefined();
    // a real chunk body: run one shard and take its part
    const out = join(dir, 'o');
    expect(cli(['run', FAULTS, '--out', out, ...quiet, '--runs', '4', '--shard', '0/1']).code).toBe(0);
    const plan = JSON.parse(readFileSync(join(out, '.parts', 'plan.json'), 'utf8'));
    const part = readPart(join(out, '.parts'), plan, 0)!;
    expect(part).toBeDefined();
    writePart(dir, a, 0, part.slice());
    expect(readPart(dir, a, 0)).toBeDefined();
    expect(readPart(dir, b, 0)).toBeUndefined();
    expect(readPart(dir, { ...a, chunkRuns: a.chunkRuns + 1 }, 0)).toBeDefined(); // chunk 0 starts at 0 either way
    copyFileSync(join(dir, partName(0)), join(dir, partName(1)));
    expect(readPart(dir, a, 1)).toBeUndefined();
  });

  it('a price CSV edited while the batch runs: exit 2, no result written from the mixed parts', async () => {
    const dir = pluginExperiment(
      'mid-run',
      {
        ticks: 240,
        market: { index: { model: 'replay', file: './prices.csv' }, liquidity: { depthUsd: 4e6 } },
      },
      24,
      3000,
    );
    const csv = readFileSync(join(ROOT, 'data', 'eth_usd_coinbase_1h_2020-03-11_2020-03-14.csv'), 'utf8');
    writeFileSync(join(dir, 'prices.csv'), csv);
    const spec = { file: join(dir, 'e.json'), overrides: {} };
    const out = join(dir, 'out');
    let settled = false;
    const p = runBatch(spec, { out, workers: 1, log: () => {} }).finally(() => {
      settled = true;
    });
    p.catch(() => {});
    const parts = () => (existsSync(join(out, '.parts')) ? readdirSync(join(out, '.parts')) : []);
    while (!settled && !parts().some((f) => f.endsWith('.part'))) await new Promise((r) => setTimeout(r, 5));
    expect(settled).toBe(false);
    writeFileSync(join(dir, 'prices.csv'), csv.replace(/^(.*\n.*\n[^,]*),[^\n]*/, '$1,150.5'));
    await expect(p).rejects.toThrow(/market\.index \.\/prices\.csv changed while the batch ran/);
    expect(existsSync(join(out, 'runs.arrow'))).toBe(false);
    expect(parts().filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('a strategy module edited after the plan was made: the workers refuse to run it', async () => {
    const dir = pluginExperiment('mid-edit', { ticks: 30 }, 4);
    const spec = { file: join(dir, 'e.json'), overrides: {} };
    const resolved = await resolveExperiment(spec);
    const out = join(dir, 'out');
    // runBatch makes its plan before its first await; the workers load the module only after
    const p = runBatch(spec, { resolved, out, workers: 1, log: () => {} });
    writeFileSync(join(dir, 'strategy.ts'), `${readFileSync(join(dir, 'strategy.ts'), 'utf8')}\n// edited\n`);
    await expect(p).rejects.toThrow(/base\.strategies \.\/strategy\.ts changed since the batch started/);
    expect(existsSync(join(out, 'runs.arrow'))).toBe(false);
    expect(existsSync(join(out, LOCK_NAME))).toBe(false);
  });

  it('a TS experiment whose seed is drawn when it loads: every run uses the manifest seed', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'random.experiment.ts'),
      `import { defineExperiment } from 'backstop-sim';
export default defineExperiment({
  name: 'random-seed',
  base: {
    ticks: 30,
    agents: {
      traders: { count: 50, capital: { dist: 'uniform', min: 1000, max: 100000 }, mix: [{ strategy: 'noise', fraction: 1 }] },
    },
  },
  runs: 20,
  seed: Math.floor(Math.random() * 1e9),
});
`,
    );
    const out = join(dir, 'out');
    const r = cli(['run', join(dir, 'random.experiment.ts'), '--out', out, ...quiet]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const { deriveRunSeed } = await import('../src/rng.js');
    const seeds = Array.from(readArrow(join(out, 'runs.arrow')).getChild('seed')!.toArray() as Float64Array);
    expect(seeds).toEqual(Array.from({ length: 20 }, (_, i) => deriveRunSeed(m.masterSeed, 0, i, m.crn)));
  });
});

describe('temporary files', () => {
  it('are created exclusively: an existing file or link at the name is never opened', () => {
    const dir = tmp();
    const target = join(dir, 'outside');
    writeFileSync(target, 'keep');
    symlinkSync(target, join(dir, 'planted'));
    expect(() => openExclusive(join(dir, 'planted'))).toThrow(/EEXIST/);
    expect(readFileSync(target, 'utf8')).toBe('keep');
    // the final name a link: the rename replaces the link, the file it pointed to is kept
    writeFileAtomic(join(dir, 'planted'), 'new');
    expect(lstatSync(join(dir, 'planted')).isSymbolicLink()).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('keep');
    expect(readdirSync(dir).filter((n) => n.includes(TMP_MARK))).toEqual([]);
  });

  it('links planted at the fixed temporary names of earlier versions and at the result names write nothing outside', () => {
    const root = tmp();
    const out = join(root, 'o');
    const outside = join(root, 'outside');
    mkdirSync(join(out, '.parts'), { recursive: true });
    writeFileSync(outside, 'keep');
    const names = [
      'runs.arrow',
      'manifest.json',
      ...Array.from({ length: 50 }, (_, i) => `runs.arrow.tmp-${process.pid + i}`),
      `.parts/${partName(0)}.tmp`,
      `.parts/${partName(0)}`,
      '.parts/plan.json',
    ];
    for (const n of names) symlinkSync(outside, join(out, n));
    // the links at result names make the directory look like someone else's results: --force takes it over
    const r = cli(['run', FAULTS, '--out', out, ...quiet, '--runs', '4', '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(outside, 'utf8')).toBe('keep');
    expect(lstatSync(join(out, 'runs.arrow')).isFile()).toBe(true);
    expect(readdirSync(out).filter((n) => n.includes('.tmp'))).toEqual([]);
    // the report's fixed temporary name of earlier versions, and its final name
    mkdirSync(join(out, 'report'));
    symlinkSync(outside, join(out, 'report', '.index.html.tmp'));
    symlinkSync(outside, join(out, 'report', 'index.html'));
    const rep = cli(['report', out]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(readFileSync(outside, 'utf8')).toBe('keep');
    expect(lstatSync(join(out, 'report', 'index.html')).isFile()).toBe(true);
    // a link at the report's folder or its figures: refused, nothing written there
    mkdirSync(join(root, 'victim'));
    rmSync(join(out, 'report'), { recursive: true });
    symlinkSync(join(root, 'victim'), join(out, 'report'));
    const linked = cli(['report', out]);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toMatch(/report: exists and is not a directory \(a link or a file\)/);
    expect(readdirSync(join(root, 'victim'))).toEqual([]);
  });

  it("a killed process's leftovers are removed by the next run of that directory", () => {
    const out = join(tmp(), 'o');
    expect(cli(['run', FAULTS, '--out', out, ...quiet, '--runs', '8', '--shard', '0/1']).code).toBe(0);
    rmSync(join(out, 'runs.arrow'));
    const left = [
      `.runs.arrow${TMP_MARK}0123456789abcdef`,
      'runs.arrow.tmp-4242',
      `.parts/.${partName(3)}${TMP_MARK}00ff00ff00ff00ff`,
      `.parts/${partName(3)}.tmp`,
    ];
    for (const n of left) writeFileSync(join(out, n), 'x'.repeat(1000));
    // a user's files with names like the old temporaries are theirs
    const theirs = ['.notes.tmp', 'photo.tmp-2024', 'x.part.tmp', 'draft.json.tmp-1', '.parts/NOTES.tmp'];
    for (const n of theirs) writeFileSync(join(out, n), `mine: ${n}`);
    const r = cli(['run', FAULTS, '--out', out, ...quiet, '--runs', '8', '--shard', '0/1', '--resume']);
    expect(r.code, r.stderr).toBe(0);
    for (const n of left) expect(existsSync(join(out, n)), n).toBe(false);
    for (const n of theirs) expect(readFileSync(join(out, n), 'utf8'), n).toBe(`mine: ${n}`);
    // the lock's own staging and take-over names are leftovers too
    expect(removeLeftovers(out)).toEqual([]);
  });
});
