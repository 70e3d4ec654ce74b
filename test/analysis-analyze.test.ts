import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, meanInterval, renderAnalysis, sortedCopy, tailRisk, wilsonInterval } from '../src/index.js';
import { FUNDS, fixtureShortfall, RUNS, writeFixture } from './analysis-fixture.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bs-analyze-'));
  writeFixture(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loss of the fixture at insurance fund f, run r. */
const lossAt = (f: number, r: number) => Math.max(0, fixtureShortfall(r) - f);

describe('analyze on a fixture directory', () => {
  it('groups by sweep point with counts, loss statistics and Wilson insolvency', () => {
    const a = analyze(dir);
    expect(a.experiment).toBe('fixture');
    expect(a.fields).toEqual(['venue.insuranceFund']);
    expect(a.groups.map((g) => g.label)).toEqual(FUNDS.map((f) => `venue.insuranceFund=${f}`));
    expect(a.groups.map((g) => [g.runs, g.ok, g.failed])).toEqual([
      [100, 100, 0],
      [100, 99, 1],
      [100, 100, 0],
    ]);
    FUNDS.forEach((f, p) => {
      const runs = Array.from({ length: RUNS }, (_, r) => r).filter((r) => !(p === 1 && r === 7));
      const losses = runs.map((r) => lossAt(f, r));
      const g = a.groups[p];
      // one run per seed at a point: the ordinary interval, on the log scale since a loss is ≥ 0
      const mi = meanInterval(losses, 0.95, { min: 0 });
      expect(g.metrics.loss.estimate).toBeCloseTo(mi.estimate, 6);
      expect(g.metrics.loss.low).toBeCloseTo(mi.low, 6);
      expect(g.metrics.loss.high).toBeCloseTo(mi.high, 6);
      expect(g.clusters).toBe(losses.length);
      const k = losses.filter((l) => l > 0).length;
      expect(g.insolvency).toMatchObject(wilsonInterval(k, losses.length));
      const s = sortedCopy(losses);
      expect(g.risk[0]).toEqual(tailRisk(s, 0.95));
      expect(g.risk[1]).toEqual(tailRisk(s, 0.99));
      expect(g.metrics.shortfall.n).toBe(losses.length);
    });
    // more insurance fund, less loss
    expect(a.groups[2].metrics.loss.estimate).toBeLessThan(a.groups[0].metrics.loss.estimate);
  });

  it('payoff against the outside option per role, from the manifest config', () => {
    const a = analyze(dir);
    const tr = a.groups[0].roles.find((r) => r.role === 'traders')!;
    expect(tr.agents).toBe(100);
    // 100 × 10,000 × 0.05 × (1440 min / 525,600 min a year)
    expect(tr.outsideOption).toBeCloseTo((100 * 10_000 * 0.05 * 1440) / 525_600, 9);
    const expected = meanInterval(
      Array.from(
        { length: RUNS },
        (_, r) => -fixtureShortfall(r) + 5000 + (r % 10) * 100 - tr.outsideOption!,
      ),
    );
    expect(tr.excess.estimate).toBeCloseTo(expected.estimate, 6);
    expect(tr.perAgent!.estimate).toBeCloseTo(expected.estimate / 100, 6);
    // market makers have no agents in the config: the book's PnL is not a participation question
    expect(a.groups[0].roles.map((r) => r.role)).toEqual(['traders']);
  });

  it('paired comparisons match runs by index (the failed run drops out of its pair)', () => {
    const a = analyze(dir);
    const c = a.comparisons.find((x) => x.metric === 'loss' && x.group === 'venue.insuranceFund=1000000')!;
    expect(c.reference).toBe('venue.insuranceFund=0');
    expect(c.difference.n).toBe(99);
    const d = Array.from({ length: RUNS }, (_, r) => r)
      .filter((r) => r !== 7)
      .map((r) => lossAt(1e6, r) - lossAt(0, r));
    const mi = meanInterval(d);
    expect(c.difference.estimate).toBeCloseTo(mi.estimate, 6);
    expect(c.difference.high).toBeCloseTo(mi.high, 6);
    expect(c.difference.high).toBeLessThan(0);
    const prev = analyze(dir, { reference: 'previous' }).comparisons.find(
      (x) => x.metric === 'loss' && x.group === 'venue.insuranceFund=3000000',
    )!;
    expect(prev.reference).toBe('venue.insuranceFund=1000000');
  });

  it('--by pools points; an unknown field is an error naming the swept fields', () => {
    const a = analyze(dir, { by: [] });
    expect(a.groups).toHaveLength(1);
    expect(a.groups[0].runs).toBe(300);
    expect(a.groups[0].label).toBe('all');
    expect(() => analyze(dir, { by: ['venue.nope'] })).toThrow(/venue\.nope.*venue\.insuranceFund/);
    expect(() => analyze(join(dir, 'missing'))).toThrow(/no runs\.arrow/);
  });

  it('renders a terminal table, csv, json and arrow', () => {
    const a = analyze(dir);
    const table = renderAnalysis(a, 'table');
    expect(table).toContain('Loss and insolvency');
    expect(table).toContain('P(insolvency)');
    expect(table).toContain('Participation');
    expect(table).toContain('Paired differences');
    expect(table).toMatch(/metrics? zero in every run not shown/);
    const csv = renderAnalysis(a, 'csv');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'venue.insuranceFund,group,section,name,reference,n,clusters,estimate,ci_low,ci_high,sd,p50,p95,p99',
    );
    expect(lines.some((l) => l.startsWith('0,venue.insuranceFund=0,insolvency,p_insolvency,,100,'))).toBe(
      true,
    );
    const json = JSON.parse(renderAnalysis(a, 'json'));
    expect(json.groups[1].failed).toBe(1);
    const t = tableFromIPC(renderAnalysis(a, 'arrow'));
    expect(t.numRows).toBe(lines.length - 1);
    expect(t.schema.fields.map((f) => f.name)).toEqual(lines[0].split(','));
    expect(t.schema.metadata.get('backstop-sim:table')).toBe('analysis');
    expect(t.schema.metadata.get('backstop-sim:version')).toMatch(/^\d+\.\d+\.\d+/);
    // one run per seed at a sweep point: as many seeds as runs behind each metric row
    const loss0 = t.toArray().find((r) => r.section === 'metric' && r.name === 'loss');
    expect(loss0.clusters).toBe(loss0.n);
    const row = t
      .toArray()
      .find((r) => r.section === 'var' && r.name === '95' && r.group === 'venue.insuranceFund=0');
    expect(row.estimate).toBe(a.groups[0].risk[0].var);
  });
});
