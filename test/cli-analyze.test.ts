import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, renderAnalysis } from '../src/index.js';
import { writeFixture } from './analysis-fixture.js';
import { cli, readArrow, tmp } from './cli-helpers.js';

const dir = tmp('bs-cli-analyze-');
const out = join(dir, 'baseline');
let start: ReturnType<typeof cli>;
beforeAll(() => {
  // what `npm start` runs, at the small preset
  start = cli(['run', 'baseline', '--preset', 'small', '--analyze', '--report', '--out', out, '--quiet']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --analyze --report (npm start at the small preset)', () => {
  it('leaves runs.arrow, manifest.json, series.arrow and report/index.html, and prints the analysis table', () => {
    expect(start.code, start.stderr).toBe(0);
    for (const f of ['runs.arrow', 'manifest.json', 'series.arrow', 'report/index.html'])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(start.stdout).toMatch(/Loss and insolvency/);
    expect(start.stdout).toMatch(/Participation/);
    expect(start.stderr).toMatch(/report: \d+ figures → .*report\/index\.html/);
    const figs = readdirSync(join(out, 'report', 'figures'));
    expect(figs).toContain('series.svg');
    // every role of the default is in the venue
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    for (const role of ['traders', 'liquidators', 'lps', 'arbitrageurs', 'marketMakers'])
      expect(m.config.agents[role].count, role).toBeGreaterThan(0);
    expect(m.config.waterfall.stages.map((s: { stage: string }) => s.stage)).toEqual([
      'takeover',
      'vault',
      'market',
      'insurance-fund',
      'adl',
      'socialized',
    ]);
  });
});

describe('baseline: the direction of its result', () => {
  it('the crash makes a shortfall that goes down the configured order: the vault, first of the payers, pays first', () => {
    const t = readArrow(join(out, 'runs.arrow'));
    let withShortfall = 0;
    let total = 0;
    let byVault = 0;
    for (const r of t) {
      const row = r as Record<string, number>;
      const paid =
        row.paid_by_insurance_fund + row.paid_by_vault + row.paid_by_adl + row.socialized_loss + row.unpaid;
      expect(Math.abs(row.shortfall - paid)).toBeLessThanOrEqual(1e-9 * Math.max(1, row.shortfall));
      if (row.shortfall > 0) withShortfall++;
      total += row.shortfall;
      byVault += row.paid_by_vault;
      // a payer later in the order (fund, ADL, socialized) pays only in a run where the vault paid
      if (row.paid_by_insurance_fund + row.paid_by_adl + row.socialized_loss > 0)
        expect(row.paid_by_vault).toBeGreaterThan(0);
    }
    expect(withShortfall).toBeGreaterThan(t.numRows / 2);
    expect(byVault).toBeGreaterThan(0.5 * total);
  });
});

describe('analyze', () => {
  it('prints the table by default', () => {
    const r = cli(['analyze', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^baseline: 50 runs \(0 failed\) in 1 group/);
  });

  it('writes csv, json and arrow to --out', () => {
    for (const format of ['csv', 'json', 'arrow']) {
      const f = join(dir, `a.${format}`);
      const r = cli(['analyze', out, '--format', format, '--out', f]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      if (format === 'csv') expect(readFileSync(f, 'utf8').split('\n')[0]).toMatch(/^group,section,name/);
      if (format === 'json') expect(JSON.parse(readFileSync(f, 'utf8')).groups).toHaveLength(1);
      if (format === 'arrow') expect(readArrow(f).numRows).toBeGreaterThan(10);
    }
  });

  it('groups --by a column; an unknown one exits 2 naming it', () => {
    const r = cli(['analyze', out, '--by', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--by nope: no such column in runs\.arrow/);
    expect(r.stdout).toBe('');
    // a metric is a column but no grouping: groups are values of swept fields
    const m = cli(['analyze', out, '--by', 'loss']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/--by loss: not a swept field; swept fields: /);
    expect(m.stdout).toBe('');
  });

  it("--level, --compare and --reference reach the library: the json is analyze()'s with the same options", () => {
    const fx = join(dir, 'fixture');
    writeFixture(fx); // three sweep points: comparisons exist
    const opts = { level: 0.9, compare: ['loss', 'unpaid'], reference: 'previous' as const };
    const r = cli([
      'analyze',
      fx,
      '--format',
      'json',
      '--level',
      '0.9',
      '--compare',
      'loss,unpaid',
      '--reference',
      'previous',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(renderAnalysis(analyze(fx, opts), 'json'));
    const a = JSON.parse(r.stdout);
    expect(a.level).toBe(0.9);
    expect(new Set(a.comparisons.map((c: { metric: string }) => c.metric))).toEqual(
      new Set(['loss', 'unpaid']),
    );
    // previous: point 2 against point 1, not against point 0
    expect(a.comparisons.map((c: { reference: string }) => c.reference)).toEqual(
      analyze(fx, opts).comparisons.map((c) => c.reference),
    );
    expect(a.comparisons.at(-1).reference).not.toBe(a.comparisons[0].reference);
    // all: every metric of the file
    const all = JSON.parse(cli(['analyze', fx, '--format', 'json', '--compare', 'all']).stdout);
    expect(new Set(all.comparisons.map((c: { metric: string }) => c.metric))).toEqual(new Set(all.metrics));
    // the table says the level
    expect(cli(['analyze', fx, '--level', '0.99']).stdout).toMatch(/intervals: 99%/);
  });

  it('a bad --level, --compare or --reference exits 2 naming it and what is allowed, printing nothing', () => {
    const cases: [string[], RegExp][] = [
      [['--level', '1.5'], /--level: must be a number between 0 and 1 \(exclusive\)/],
      [['--level', '95'], /--level: must be a number between 0 and 1/],
      [['--level', 'abc'], /--level/],
      [['--compare', 'nope'], /--compare nope: no such metric in runs\.arrow; metrics: loss, /],
      [['--compare', ','], /--compare: expected names separated by commas/],
      [['--reference', 'last'], /--reference.*Allowed choices are first, previous/],
    ];
    for (const [args, re] of cases) {
      const r = cli(['analyze', out, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stdout).toBe('');
    }
  });

  it('refuses an --out file that exists unless --force (it would replace runs.arrow itself)', () => {
    const before = readFileSync(join(out, 'runs.arrow'));
    const r = cli(['analyze', out, '--format', 'csv', '--out', join(out, 'runs.arrow')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: .*runs\.arrow exists; give another file, or --force to replace it/);
    expect(readFileSync(join(out, 'runs.arrow')).equals(before)).toBe(true);
    const f = join(dir, 'again.csv');
    expect(cli(['analyze', out, '--format', 'csv', '--out', f]).code).toBe(0);
    expect(cli(['analyze', out, '--format', 'csv', '--out', f, '--force']).code).toBe(0);
  });

  it('refuses an --out that is a directory, writing nothing', () => {
    const r = cli(['analyze', out, '--format', 'csv', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: .* is a directory/);
  });

  it('report --out writes elsewhere', () => {
    const r = cli(['report', out, '--out', join(dir, 'rep')]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'rep', 'index.html'))).toBe(true);
    // its own report is rewritten
    expect(cli(['report', out, '--out', join(dir, 'rep')]).code).toBe(0);
  });

  it('report --out never overwrites an index.html backstop-sim did not write (exit 2, nothing written)', () => {
    const site = join(dir, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), '<html>my page</html>');
    const r = cli(['report', out, '--out', site]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/index\.html: exists and is not a backstop-sim report/);
    expect(readFileSync(join(site, 'index.html'), 'utf8')).toBe('<html>my page</html>');
    expect(readdirSync(site)).toEqual(['index.html']);
  });
});

describe('--help of every command is complete', () => {
  for (const [cmd, flags] of [
    ['analyze', ['--by', '--format', '--out']],
    ['game', ['--out', '--runs', '--seed', '--workers', '--preset', '--quiet', '--set']],
    ['report', ['--out', '--sample-runs']],
    ['run', ['--analyze', '--report']],
  ] as const) {
    it(cmd, () => {
      const r = cli([cmd, '--help']);
      expect(r.code).toBe(0);
      for (const f of flags) expect(r.stdout).toContain(f);
    });
  }
});
