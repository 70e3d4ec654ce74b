/**
 * A plug-in stage declares metrics of its own (`StageDef.metrics: [{ column, description, min?, max? }]`),
 * like a payer declares its who-paid column (issue 19): written as one file outside the repository, it gets
 * its columns in runs.arrow (with field metadata), its lines in `analyze` and in `list`, byte-identical
 * results on any number of workers and shards, and no edit anywhere else. A declaration that would clash,
 * or a value outside the declared range, is refused naming it.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, readArrow, tmp } from './cli-helpers.js';
import { pluginCrashBase } from './helpers.js';

const dir = tmp('bs-metric-plugin-');
const out = join(dir, 'out');

// a closer that watches the accounts handed to it, counts them and their notional, and passes them on
const WATCHER = `import { defineStage, z, type StageInstance, type VenueContext } from 'backstop-sim';

class Watcher implements StageInstance {
  constructor(
    private readonly sim: VenueContext,
    private readonly seen: number,
    private readonly notional: number,
    private readonly share: number,
  ) {}
  liquidate(id: number): boolean {
    const m = this.sim.metrics;
    m[this.seen] += 1;
    m[this.notional] += Math.abs(this.sim.accounts.qty[id]) * this.sim.mark;
    return false;
  }
  report(): void {
    // the share of the run's liquidations it saw first (it sees each account once per look)
    const m = this.sim.metrics;
    m[this.share] = m[this.seen] > 0 ? Math.min(1, this.sim.liquidations / m[this.seen]) : 0;
  }
}

export default defineStage({
  name: 'test-watcher',
  description: 'counts the accounts handed to it and passes them on',
  role: 'close',
  metrics: [
    'auctions',
    { column: 'watched_accounts', description: 'accounts handed to the watcher (count)', min: 0 },
    { column: 'watched_notional', description: 'notional of the accounts handed to the watcher (USD)', min: 0 },
    { column: 'watched_share', description: 'liquidations per account watched (fraction)', min: 0, max: 1 },
  ],
  params: z.strictObject({}),
  build: ({ sim, metric }) =>
    new Watcher(sim, metric('watched_accounts'), metric('watched_notional'), metric('watched_share')),
});
`;

const experiment = {
  name: 'watcher',
  description: 'a crash venue with a watching stage before the market',
  base: {
    strategies: ['./watcher.ts'],
    ...pluginCrashBase(-0.3),
    waterfall: { stages: [{ stage: 'test-watcher' }, { stage: 'market' }, { stage: 'insurance-fund' }] },
  },
  // the second point lists an English auction instead of the watcher: its columns are 0 there
  sweep: { grid: { 'waterfall.stages[0].stage': ['test-watcher', 'english-auction'] } },
  runs: 6,
  seed: 9,
};

let run: ReturnType<typeof cli>;
beforeAll(() => {
  writeFileSync(join(dir, 'watcher.ts'), WATCHER);
  writeFileSync(join(dir, 'watcher.json'), JSON.stringify(experiment, null, 2));
  run = cli(['run', join(dir, 'watcher.json'), '--out', out, '--quiet', '--workers', '2']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a stage with metrics of its own, written as one file outside the repository', () => {
  it('gets its columns in runs.arrow after the fixed metrics, described in their field metadata', () => {
    expect(run.code, run.stderr).toBe(0);
    const t = readArrow(join(out, 'runs.arrow'));
    const names = t.schema.fields.map((x) => x.name);
    const at = names.indexOf('conservation_error');
    expect(names.slice(at + 1, at + 4)).toEqual(['watched_accounts', 'watched_notional', 'watched_share']);
    const meta = (n: string) => t.schema.fields.find((x) => x.name === n)!.metadata;
    expect(meta('watched_accounts').get('description')).toBe('accounts handed to the watcher (count)');
    expect(meta('watched_accounts').get('unit')).toBe('count');
    expect(meta('watched_accounts').get('min')).toBe('0');
    expect(meta('watched_notional').get('unit')).toBe('USD');
    expect(meta('watched_share').get('max')).toBe('1');
    expect(meta('watched_share').get('stage_metric')).toBe('1');
    // not a payer: the who-paid figure does not take it
    expect(meta('watched_accounts').get('payer')).toBeUndefined();
    let watched = 0;
    for (const r of t) {
      const row = r.toJSON() as Record<string, number>;
      expect(row.status).toBe('ok');
      if (row.point_id === 1) {
        // a run that does not list the stage
        expect(row.watched_accounts).toBe(0);
        expect(row.watched_notional).toBe(0);
        continue;
      }
      // every account the watcher saw went on to the market stage, whose closes are the liquidations
      expect(row.watched_accounts).toBeGreaterThanOrEqual(row.liquidations);
      expect(row.watched_notional).toBeGreaterThanOrEqual(row.liquidated_notional * 0.5);
      expect(row.watched_share).toBeCloseTo(Math.min(1, row.liquidations / row.watched_accounts), 12);
      watched += row.watched_accounts;
    }
    expect(watched).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.columns.metrics.slice(-3)).toEqual([
      'watched_accounts',
      'watched_notional',
      'watched_share',
    ]);
  });

  it('gives the same bytes on one worker, and from two shards merged', () => {
    const file = join(dir, 'watcher.json');
    const one = join(dir, 'one');
    expect(cli(['run', file, '--out', one, '--quiet', '--workers', '1']).code).toBe(0);
    expect(readFileSync(join(one, 'runs.arrow')).equals(readFileSync(join(out, 'runs.arrow')))).toBe(true);
    const shards = [0, 1].map((i) => join(dir, `shard-${i}`));
    for (const [i, s] of shards.entries())
      expect(cli(['run', file, '--out', s, '--quiet', '--shard', `${i}/2`]).code).toBe(0);
    const merged = join(dir, 'merged');
    const m = cli(['merge', ...shards, '--out', merged]);
    expect(m.code, m.stderr).toBe(0);
    expect(readFileSync(join(merged, 'runs.arrow')).equals(readFileSync(join(out, 'runs.arrow')))).toBe(true);
  });

  it('is analysed like every metric, its interval inside the declared range', () => {
    const r = cli(['analyze', out, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout);
    const g0 = a.groups[0].metrics;
    expect(g0.watched_accounts.estimate).toBeGreaterThan(0);
    expect(g0.watched_share.low).toBeGreaterThanOrEqual(0);
    expect(g0.watched_share.high).toBeLessThanOrEqual(1);
    expect(a.groups[1].metrics.watched_accounts.estimate).toBe(0);
    const text = cli(['analyze', out]);
    expect(text.stdout).toMatch(/\nwatched_accounts +/);
  });

  it('is listed with its description by `list --module`', () => {
    const r = cli(['list', '--module', join(dir, 'watcher.ts')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      '    metrics: auctions, watched_accounts (its own: accounts handed to the watcher (count)), watched_notional',
    );
    const j = JSON.parse(cli(['list', '--module', join(dir, 'watcher.ts'), '--format', 'json']).stdout);
    const s = j.stages.find((x: { name: string }) => x.name === 'test-watcher');
    expect(s.metrics[0]).toBe('auctions');
    expect(s.metrics[1]).toEqual({
      column: 'watched_accounts',
      description: 'accounts handed to the watcher (count)',
      min: 0,
    });
  });

  it('a value outside its declared range fails the run, naming the metric', () => {
    // the same stage, recording the notional with the wrong sign
    writeFileSync(join(dir, 'negative.ts'), WATCHER.replace('* this.sim.mark;', '* -this.sim.mark;'));
    const file = join(dir, 'negative.json');
    const e = structuredClone(experiment) as Record<string, unknown> & { base: Record<string, unknown> };
    delete e.sweep;
    e.runs = 1;
    e.base.strategies = ['./negative.ts'];
    writeFileSync(file, JSON.stringify(e));
    const r = cli(['run', file, '--out', join(dir, 'negative'), '--quiet']);
    expect(r.code).toBe(1);
    const t = readArrow(join(dir, 'negative', 'runs.arrow'));
    const row = [...t][0].toJSON() as Record<string, string>;
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(
      /metric watched_notional is -\d.*outside the range its stage declares \(0 to ∞\)/,
    );
  });

  it('a declaration that would clash, or is malformed, is refused naming it (exit 2)', () => {
    const bad = (name: string, metrics: string) => {
      const file = join(dir, `${name}.ts`);
      writeFileSync(
        file,
        WATCHER.replace("name: 'test-watcher'", `name: '${name}'`).replace(
          /metrics: \[\n[\s\S]*?\n {2}\],\n/,
          `metrics: ${metrics},\n`,
        ),
      );
      return cli(['list', '--module', file]);
    };
    const fixed = bad('fixed', "[{ column: 'liquidations', description: 'x (count)' }]");
    expect(fixed.code).toBe(2);
    expect(fixed.stderr).toMatch(/metrics\[0\]\.column: 'liquidations' is already a column of runs\.arrow/);
    const payer = bad('payer', "[{ column: 'paid_by_vault', description: 'x (USD)' }]");
    expect(payer.code).toBe(2);
    expect(payer.stderr).toMatch(/metrics\[0\]\.column: 'paid_by_vault' is already a column/);
    const unknown = bad('unknown', "['loss']");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/metrics\[0\]: "loss" is not a metric a stage contributes \(auctions, /);
    const twice = bad('twice', "[{ column: 'a_b', description: 'x' }, { column: 'a_b', description: 'x' }]");
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/metrics\[1\]\.column: 'a_b' is listed twice/);
    const range = bad('range', "[{ column: 'a_b', description: 'x', min: 1, max: 0, unit: 'x' }]");
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/metrics\[0\]\.unit is not a field of a metric/);
    expect(range.stderr).toMatch(/metrics\[0\]: min \(1\) must be below max \(0\)/);
    const nodesc = bad('nodesc', "[{ column: 'a_b' }]");
    expect(nodesc.code).toBe(2);
    expect(nodesc.stderr).toMatch(/metrics\[0\]\.description must say what the metric holds/);
  });

  it('a swept field named like a stage metric column is refused (exit 2), naming the field', () => {
    // a stage whose metric is called like the config's `ticks`, which the experiment sweeps
    writeFileSync(
      join(dir, 'ticker.ts'),
      WATCHER.replace("column: 'watched_share'", "column: 'ticks'").replace(
        "metric('watched_share')",
        "metric('ticks')",
      ),
    );
    const file = join(dir, 'swept.json');
    const e = structuredClone(experiment) as Record<string, unknown> & { base: Record<string, unknown> };
    e.base.strategies = ['./ticker.ts'];
    e.sweep = { grid: { ticks: [100, 120] } };
    writeFileSync(file, JSON.stringify(e));
    const r = cli(['run', file, '--out', join(dir, 'swept'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "sweep.grid.ticks: 'ticks' is also the metric column (metrics[].column) of stage 'test-watcher'",
    );
  });

  it('a JavaScript (.mjs) plug-in outside any project that installs backstop-sim loads too, in the workers as well', () => {
    // plain JavaScript: counts the accounts handed to it, as the watcher does
    writeFileSync(
      join(dir, 'watcher.mjs'),
      `import { defineStage, z } from 'backstop-sim';
export default defineStage({
  name: 'test-watcher-js',
  description: 'counts the accounts handed to it (JavaScript)',
  role: 'close',
  metrics: [{ column: 'watched_accounts', description: 'accounts handed to the watcher (count)', min: 0 }],
  params: z.strictObject({}),
  build: ({ sim, metric }) => {
    const k = metric('watched_accounts');
    return { liquidate: () => { sim.metrics[k] += 1; return false; } };
  },
});
`,
    );
    const l = cli(['list', '--module', join(dir, 'watcher.mjs')]);
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toContain('test-watcher-js [close]');
    const file = join(dir, 'js.json');
    const e = structuredClone(experiment) as Record<string, unknown> & { base: Record<string, unknown> };
    delete e.sweep;
    e.base.strategies = ['./watcher.mjs'];
    e.base.waterfall = { stages: [{ stage: 'test-watcher-js' }, { stage: 'market' }] };
    writeFileSync(file, JSON.stringify(e));
    const r = cli(['run', file, '--out', join(dir, 'js'), '--quiet', '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    const rows = [...readArrow(join(dir, 'js', 'runs.arrow'))].map(
      (x) => x.toJSON() as Record<string, number>,
    );
    expect(rows.some((x) => x.watched_accounts > 0)).toBe(true);
  });
});
