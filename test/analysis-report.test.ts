import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, readArrowFile, report, reportFigures, runGame } from '../src/index.js';
import { writeFixture } from './analysis-fixture.js';
import { itBrowser, launchChromium } from './chromium.js';
import { liquidatorDriver } from './report-fixtures.js';

/** The report's equilibrium map from a fake driver: payoffs by a formula, so no simulation runs. */
const fakeDriver = liquidatorDriver((active, i) => (active ? 0 : 1000 + i));

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bs-report-'));
  writeFixture(dir, { series: true });
  await runGame(
    {
      name: 'fake',
      base: { agents: { liquidators: { count: 1 } } },
      roles: {
        liquidators: [
          { strategy: 'hold', label: 'liquidate' },
          { strategy: 'noise', label: 'idle' },
        ],
      },
      runs: 20,
      seed: 3,
      sweep: { 'venue.liquidationFee': [0.001, 0.01, 0.05] },
    },
    { out: dir, driver: fakeDriver },
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report', () => {
  let r: Awaited<ReturnType<typeof report>>;
  let names: (string | undefined)[];
  it('writes SVG figures and an index.html that needs nothing from the network', async () => {
    r = await report(dir);
    names = r.figures.map((f) => f.split('/').pop());
    expect(names).toEqual([
      'loss-distribution.svg',
      'loss-tail.svg',
      'effects-loss.svg',
      'effects-insolvency.svg',
      'who-paid.svg',
      'series.svg',
      'game-payoffs.svg',
      'game-venue-loss.svg',
      'equilibrium-map.svg',
    ]);
    for (const f of r.figures) expect(readFileSync(f, 'utf8')).toMatch(/^<svg[^>]*class="marks"/);
    const html = readFileSync(r.index, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  itBrowser('a headless chromium renders the index.html with every figure and no errors', async () => {
    expect(r, 'the report was written by the test before').toBeDefined();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('requestfailed', (q) => errors.push(`request failed: ${q.url()}`));
      page.on('request', (q) => requests.push(q.url()));
      await page.goto(pathToFileURL(r.index).href, { waitUntil: 'load' });
      const figures = await page.$$eval('figure.figure', (els) =>
        els.map((el) => {
          const svg = el.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return {
            id: el.id,
            width: box?.width ?? 0,
            height: box?.height ?? 0,
            marks: svg
              ? svg.querySelectorAll(
                  'g.role-mark > path, g.role-mark > g, g.role-mark > text, g.role-mark > line',
                ).length
              : 0,
          };
        }),
      );
      expect(figures.map((f) => f.id)).toEqual(names.map((n) => `fig-${n!.replace('.svg', '')}`));
      for (const f of figures) {
        expect(f.width, f.id).toBeGreaterThan(100);
        expect(f.height, f.id).toBeGreaterThan(50);
        expect(f.marks, f.id).toBeGreaterThan(0);
      }
      expect(await page.$$eval('table', (t) => t.length)).toBeGreaterThanOrEqual(3);
      expect(errors).toEqual([]);
      expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it("the who-paid bar and the analysis table are runs.arrow's column means", () => {
    const a = analyze(dir);
    const t = readArrowFile(join(dir, 'runs.arrow'));
    const C = t.columns as Record<string, ArrayLike<number | null>>;
    const status = t.columns.status as (string | null)[];
    const meanOf = (col: string, point: number) => {
      let s = 0;
      let n = 0;
      for (let i = 0; i < t.rows; i++)
        if (status[i] === 'ok' && C.point_id[i] === point) {
          s += C[col][i] as number;
          n++;
        }
      return s / n;
    };
    const wp = reportFigures(dir, a).find((f) => f.name === 'who-paid')!;
    const rows = (
      wp.spec as unknown as { data: { values: { group: string; payer: string; amount: number }[] } }
    ).data.values;
    const payers: [string, string][] = [
      ['paid_by_insurance_fund', 'insurance fund'],
      ['paid_by_vault', 'vault'],
      ['paid_by_adl', 'ADL'],
      ['socialized_loss', 'socialized'],
      ['unpaid', 'unpaid'],
      ['open_deficit', 'still open at the end'],
    ];
    a.groups.forEach((g, p) => {
      for (const [col, payer] of payers) {
        // the bars are labelled with the short name of the swept field and its value for display (1e6)
        const bar = rows.find(
          (r) =>
            r.group.startsWith('insuranceFund=') &&
            Number(r.group.slice('insuranceFund='.length)) === g.key['venue.insuranceFund'] &&
            r.payer === payer,
        )!;
        expect(bar.amount).toBeCloseTo(meanOf(col, p), 6);
        expect(g.metrics[col].estimate).toBeCloseTo(meanOf(col, p), 6);
      }
      expect(g.metrics.loss.estimate).toBeCloseTo(meanOf('loss', p), 6);
    });
  });
});

describe('loss distribution per point', () => {
  it('draws every run as a dot when a point has fewer than MIN_BOX_RUNS runs, box plots otherwise', async () => {
    const { boxFigure, MIN_BOX_RUNS } = await import('../src/analysis/figures.js');
    const rows = (k: number) =>
      ['P1', 'P2'].flatMap((group) => Array.from({ length: k }, (_, i) => ({ group, loss: i * 1000 })));
    const few = boxFigure(rows(MIN_BOX_RUNS - 1), 'venue loss (USD)', 'sweep point', ['P1', 'P2']);
    const many = boxFigure(rows(MIN_BOX_RUNS), 'venue loss (USD)', 'sweep point', ['P1', 'P2']);
    expect((few.spec as { mark: { type: string } }).mark.type).toBe('point');
    expect(few.note).toMatch(/every run drawn/);
    expect((many.spec as { mark: { type: string } }).mark.type).toBe('boxplot');
  });
});
