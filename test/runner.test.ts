import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC as flechetteRead } from '@uwdata/flechette';
import { describe, expect, it } from 'vitest';
import { resolveExperiment } from '../src/experiment/resolve.js';
import { METRIC_NAMES, simulate } from '../src/index.js';
import { crc32, crc32Js } from '../src/runner/parts.js';
import { BIN, cli, FIX, ROOT, readArrow, tmp } from './cli-helpers.js';

const SWEEP = join(FIX, 'sweep.json');
const FAILING = join(FIX, 'failing.experiment.ts');
const same = (a: string, b: string) => expect(readFileSync(a).equals(readFileSync(b))).toBe(true);

describe('runner: part checksums', () => {
  it('CRC-32 is the IEEE one, in JavaScript and through zlib alike', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32(check)).toBe(0xcbf43926); // the standard check value
    expect(crc32Js(check)).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const bytes = new Uint8Array(100_003).map((_, i) => Math.imul(i, 2654435761) >>> 24);
    expect(crc32Js(bytes)).toBe(crc32(bytes));
    expect(crc32Js(bytes.subarray(7, 9000))).toBe(crc32(bytes.subarray(7, 9000)));
  });
});

describe('runner: determinism', () => {
  const ref = tmp();
  it('writes runs, series and events byte-identically with 1 and 2 workers', () => {
    const two = tmp();
    const a = cli(['run', SWEEP, '--workers', '1', '--out', ref, '--series', '30', '--events', '--quiet']);
    expect(a.code, a.stderr).toBe(0);
    const b = cli(['run', SWEEP, '--workers', '2', '--out', two, '--series', '30', '--events', '--quiet']);
    expect(b.code, b.stderr).toBe(0);
    for (const f of ['runs.arrow', 'series.arrow', 'events.arrow']) same(join(ref, f), join(two, f));
    expect(existsSync(join(ref, '.parts'))).toBe(false);
  });

  it('merges shards 0/2 and 1/2 (one by index, one from the array-job variable) into the unsharded files', () => {
    const s0 = tmp();
    const s1 = tmp();
    const merged = tmp();
    expect(
      cli(['run', SWEEP, '--shard', '0/2', '--out', s0, '--series', '30', '--events', '--quiet']).code,
    ).toBe(0);
    const r1 = cli(
      ['run', SWEEP, '--shard', 'auto/2', '--out', s1, '--series', '30', '--events', '--quiet'],
      {
        env: { SLURM_ARRAY_TASK_ID: '1' },
      },
    );
    expect(r1.code, r1.stderr).toBe(0);
    // a shard alone is only its share
    expect(readArrow(join(s0, 'runs.arrow')).numRows + readArrow(join(s1, 'runs.arrow')).numRows).toBe(60);
    // one shard cannot be merged alone
    const half = cli(['merge', s0, '--out', join(merged, 'half')]);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/runs are missing/);
    const m = cli(['merge', s0, s1, '--out', merged]);
    expect(m.code, m.stderr).toBe(0);
    for (const f of ['runs.arrow', 'series.arrow', 'events.arrow']) same(join(ref, f), join(merged, f));
    const manifest = JSON.parse(readFileSync(join(merged, 'manifest.json'), 'utf8'));
    expect(manifest.ok).toBe(60);
    expect(manifest.shards).toHaveLength(2);
  });

  it('after kill -9 mid-batch and --resume (a truncated part included) the files equal an uninterrupted run', async () => {
    const args = [
      'run',
      'baseline',
      '--preset',
      'small',
      '--runs',
      '120',
      '--set',
      'agents.traders.count=4000',
      '--quiet',
    ];
    const full = tmp();
    expect(cli([...args, '--out', full, '--workers', '2']).code).toBe(0);
    const out = tmp();
    const child = spawn(process.execPath, [BIN, ...args, '--out', out, '--workers', '2'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const parts = join(out, '.parts');
    const count = () =>
      existsSync(parts) ? readdirSync(parts).filter((f) => f.endsWith('.part')).length : 0;
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
    while (count() < 4) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const have = count();
    expect(have).toBeGreaterThanOrEqual(4);
    expect(have).toBeLessThan(120);
    expect(existsSync(join(out, 'runs.arrow'))).toBe(false);
    // a torn part (as after a machine crash) is detected by its footer and run again
    truncateSync(join(parts, readdirSync(parts).filter((f) => f.endsWith('.part'))[0]), 40);
    const r = cli([...args, '--out', out, '--workers', '2', '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming: \d+ of 120 runs already done/);
    same(join(full, 'runs.arrow'), join(out, 'runs.arrow'));
    // resuming a finished batch does nothing
    const again = cli([...args, '--out', out, '--resume']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already complete/);
  });
});

describe('runner: failures', () => {
  it('records a run that throws (status, seed, message) and goes on; exit code 1', () => {
    const out = tmp();
    const r = cli(['run', FAILING, '--out', out, '--workers', '2', '--quiet']);
    expect(r.code).toBe(1);
    const t = readArrow(join(out, 'runs.arrow'));
    expect(t.numRows).toBe(24);
    let failed = 0;
    for (const row of t) {
      const seed = row.seed as number;
      if (seed % 4 === 0) {
        failed++;
        expect(row.status).toBe('failed');
        expect(row.error).toBe(`test-throw: refusing seed ${seed}`);
        expect(row.shortfall).toBeNull();
      } else {
        expect(row.status).toBe('ok');
        expect(row.error).toBeNull();
        expect(Number.isFinite(row.shortfall)).toBe(true);
      }
    }
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(24);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toMatchObject({
      ok: 24 - failed,
      failed,
    });
  });

  it('a run that creates money is failed, naming conservation and the tick; exit code 1', () => {
    const out = tmp();
    const r = cli(['run', join(FIX, 'money-printer.json'), '--out', out, '--workers', '1', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /failed run 0 \(seed \d+\): invariant broken \(conservation\).*first broken at tick 3/,
    );
    const t = readArrow(join(out, 'runs.arrow'));
    expect(t.numRows).toBe(3);
    for (const row of t) {
      expect(row.status).toBe('failed');
      expect(row.error).toMatch(/^invariant broken \(conservation\): all money changed by 1000000/);
      expect(row.loss).toBeNull();
    }
  });

  it('--fail-fast stops at the first failure and writes no result files', () => {
    const out = tmp();
    const r = cli(['run', FAILING, '--out', out, '--workers', '1', '--fail-fast', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fail-fast.*refusing seed/);
    expect(existsSync(join(out, 'runs.arrow'))).toBe(false);
  });

  it('replaces a crashed worker and records only the crashing runs as failed', () => {
    const out = tmp();
    const r = cli([
      'run',
      FAILING,
      '--out',
      out,
      '--workers',
      '2',
      '--quiet',
      '--set',
      'agents.traders.mix[1].params.crash=true',
    ]);
    expect(r.code).toBe(1);
    const t = readArrow(join(out, 'runs.arrow'));
    expect(t.numRows).toBe(24);
    for (const row of t) {
      const crashed = (row.seed as number) % 4 === 0;
      expect(row.status).toBe(crashed ? 'failed' : 'ok');
      if (crashed) expect(row.error).toMatch(/^worker crashed/);
    }
  });
});

describe('runner: results', () => {
  const out = tmp();
  it('runs.arrow is read by an independent Arrow reader (flechette): names, types and values', async () => {
    const r = cli(['run', SWEEP, '--out', out, '--workers', '2', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const t = flechetteRead(readFileSync(join(out, 'runs.arrow')));
    expect(t.names).toEqual([
      'run_id',
      'point_id',
      'run',
      'seed',
      'venue.liquidationFee',
      'agents.traders.mix[1].params.leverage',
      'status',
      'error',
      ...METRIC_NAMES,
    ]);
    expect(t.numRows).toBe(60);
    const rows = t.toArray();
    // every value is a plain number or string (Int32/Float64/Utf8: no BigInt)
    for (const v of Object.values(rows[0])) expect(typeof v === 'bigint').toBe(false);
    const exp = await resolveExperiment({ file: SWEEP, overrides: {} });
    for (const k of [0, 17, 31, 59]) {
      const row = rows[k];
      expect(row.run_id).toBe(k);
      expect(row.point_id).toBe(Math.floor(k / 15));
      expect(row.run).toBe(k % 15);
      expect(row['venue.liquidationFee']).toBe(exp.points[row.point_id]['venue.liquidationFee']);
      const direct = simulate(exp.configs[row.point_id], { seed: row.seed, baseDir: FIX });
      for (const m of METRIC_NAMES) expect(row[m], m).toBe(direct.metrics[m]);
    }
    // common random numbers: run i has the same seed at every point
    expect(rows[3].seed).toBe(rows[18].seed);
  });

  it('holds the who-paid identity in every row, and conservation_error is at rounding level', () => {
    const t = readArrow(join(out, 'runs.arrow'));
    let shortfalls = 0;
    for (const r of t) {
      const paid = r.paid_by_insurance_fund + r.paid_by_vault + r.paid_by_adl + r.socialized_loss + r.unpaid;
      expect(Math.abs(r.shortfall - paid)).toBeLessThanOrEqual(1e-9 * Math.max(1, r.shortfall));
      // the fixture's fund is 0.5% of all collateral, so collateral = fund / 0.005; money in the system ≈ 2×
      const money = (2 * r.insurance_fund_start) / 0.005;
      expect(Math.abs(r.conservation_error)).toBeLessThanOrEqual(1e-9 * money);
      if (r.shortfall > 0) shortfalls++;
    }
    expect(shortfalls).toBeGreaterThan(0);
  });

  it("runs a user's own TypeScript experiment outside the repo, importing from 'backstop-sim', with 2 workers", async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = tmp('backstop-user-');
    writeFileSync(
      join(dir, 'mine.ts'),
      `import { defineExperiment, defineStrategy, registerStrategy, z } from 'backstop-sim';
registerStrategy(defineStrategy({
  name: 'user-long', role: 'traders', description: 'opens a long', params: z.strictObject({ leverage: z.number().default(8) }),
  init(g, sim) { for (let i = g.first; i < g.first + g.count; i++) sim.openAtLeverage(i, g.params.leverage, 1); },
  act() {},
}));
export default defineExperiment({
  name: 'mine',
  base: { ticks: 120, market: { shocks: [{ atTick: 10, change: -0.3, durationSeconds: 600 }] },
    agents: { traders: { count: 50, mix: [{ strategy: 'user-long', fraction: 1 }] } } },
  sweep: { zip: { 'agents.traders.mix[0].params.leverage': [2, 12] } },
  runs: 6,
});
`,
    );
    const out = join(dir, 'out');
    const r = cli(['run', 'mine.ts', '--workers', '2', '--out', out, '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const t = readArrow(join(out, 'runs.arrow'));
    expect(t.numRows).toBe(12);
    const rows = t.toArray();
    expect(rows[0].liquidations).toBe(0);
    expect(rows[11].liquidations).toBe(50);
  });
});
