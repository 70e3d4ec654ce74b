/**
 * The report of each kind of design, opened in headless chromium at 1400 px: no axis or legend text cut
 * with "…", no figure taller than two screens (1800 px) or wider than the window, every axis with labels
 * has a title, a PNG beside every SVG; and what each design must show (heatmaps for two fields, main
 * effects and the strongest interaction for more, scatter with a smoother and a log axis for a Latin
 * hypercube, hours on the time axis, the game's payoff, venue-loss and equilibrium figures and tables).
 * Also the game table's regret column and the price of anarchy at 0/0.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortNames } from '../src/analysis/field-titles.js';
import { wrap } from '../src/analysis/figures.js';
import { gameTable } from '../src/cli.js';
import {
  analyze,
  type EquilibriaFile,
  equilibriaTable,
  formatPriceOfAnarchy,
  type GameDriver,
  logScaled,
  type PointEquilibria,
  type ProfileRun,
  payoffTable,
  priceOfAnarchy,
  report,
  reportFigures,
  runGame,
  strongestInteraction,
} from '../src/index.js';
import { browserFound, describeBrowser, inCI, launchChromium } from './chromium.js';
import {
  blackThursdayZip,
  grid,
  KEEPERS_CONFIG,
  lhs,
  liquidatorDriver,
  writeDesign,
} from './report-fixtures.js';

/**
 * A fake driver of a game of two roles: liquidators earn fee·10,000 − 50 when they liquidate, whatever
 * the traders do (their lines coincide across the traders' strategies); traders lose 100 holding, 20 idle.
 */
function driver2(): GameDriver {
  return {
    async run(jobs) {
      return jobs.map((j) => {
        const cfg = j.config as {
          venue: { liquidationFee: number };
          agents: { liquidators: { mix: { strategy: string }[] }; traders: { mix: { strategy: string }[] } };
        };
        const active = cfg.agents.liquidators.mix[0].strategy === 'hold';
        const holding = cfg.agents.traders.mix[0].strategy === 'hold';
        return j.seeds.map((seed): ProfileRun => {
          const noise = ((seed % 1000) / 1000 - 0.5) * 10;
          const l = active ? 0 : 1000;
          const group = (role: string, pnl: number, g: number) => ({
            group: g,
            strategy: 'x',
            role,
            count: 1,
            pnl,
            costs: 0,
            capital: 0,
            outsideOption: 0,
          });
          return {
            metrics: { loss: l, socialized_loss: l, unpaid: 0, open_deficit: 0, vault_return: 0 } as never,
            groups: [
              group('liquidators', active ? cfg.venue.liquidationFee * 10_000 - 50 + noise : 0, 0),
              group('traders', holding ? -100 + noise : -20, 1),
            ],
          };
        });
      });
    },
  };
}

const game = (sweep: Record<string, number[]>) => ({
  name: 'fake-game',
  base: { agents: { liquidators: { count: 1 } } },
  roles: {
    liquidators: [
      { strategy: 'hold', label: 'liquidate' },
      { strategy: 'noise', label: 'idle' },
    ],
  },
  runs: 12,
  seed: 3,
  sweep,
});

let root: string;
let browser: Browser;
const dirs = {
  grid: '',
  grid2: '',
  lhs: '',
  single: '',
  game: '',
  zip: '',
  lhs12: '',
  game2: '',
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'bs-report-browser-'));
  for (const k of Object.keys(dirs) as (keyof typeof dirs)[]) dirs[k] = join(root, k);
  // 3 × 2 × 2 × 3 = 36 points: more than the report draws one by one
  writeDesign(
    dirs.grid,
    'grid',
    grid({
      'market.index.sigma': [0.6, 1.2, 2.4],
      'waterfall.stages[0].buf': [1.1, 1.3],
      'waterfall.stages[0].curve.cut': [0.99, 0.997],
      'waterfall.stages[0].curve.step': [30, 60, 90],
    }),
    4,
  );
  writeDesign(
    dirs.grid2,
    'grid',
    grid({ 'market.index.sigma': [0.6, 1.2, 2.4], 'venue.insuranceFund': [0, 1e6] }),
    8,
  );
  writeDesign(
    dirs.lhs,
    'lhs',
    lhs(40, {
      'venue.insuranceFund': { min: 1e4, max: 1e7, log: true },
      'market.index.sigma': { min: 0.3, max: 2 },
    }),
    4,
  );
  writeDesign(dirs.single, 'none', [{}], 300, { series: true, name: 'baseline-like' });
  // as experiments/black-thursday.ts: five fields in a zip sweep, two of them sharing a last segment
  writeDesign(dirs.zip, 'zip', blackThursdayZip(), 2, {
    config: KEEPERS_CONFIG,
    name: 'black-thursday-like',
  });
  // 12 points of a Latin hypercube with a log range: 17-digit values, no common random numbers
  writeDesign(
    dirs.lhs12,
    'lhs',
    lhs(
      12,
      {
        'market.index.sigma': { min: 0.3, max: 2 },
        'venue.liquidationFee': { min: 0.001, max: 0.1, log: true },
      },
      7,
    ),
    3,
    { crn: false },
  );
  await runGame(
    {
      name: 'fake-two-roles',
      base: { agents: { liquidators: { count: 1 }, traders: { count: 1 } } },
      roles: {
        liquidators: [
          { strategy: 'hold', label: 'liquidate' },
          { strategy: 'noise', label: 'idle' },
        ],
        traders: [
          { strategy: 'hold', label: 'lev10' },
          { strategy: 'noise', label: 'flat' },
        ],
      },
      runs: 6,
      seed: 5,
      sweep: { 'venue.liquidationFee': [0.01, 0.1] },
    },
    { out: dirs.game2, driver: driver2() },
  );
  await runGame(game({ 'venue.liquidationFee': [0.001, 0.01, 0.05], 'venue.insuranceFund': [0, 1e6] }), {
    out: dirs.game,
    driver: liquidatorDriver((active, i) => (active ? 0 : 1000 + i)),
  });
  if (browserFound || inCI()) browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  // KEEP_REPORTS=1 keeps the fixtures' reports (their path is printed) to look at them
  if (process.env.KEEP_REPORTS) console.log(`reports kept under ${root}`);
  else rmSync(root, { recursive: true, force: true });
});

interface SvgCheck {
  id: string;
  width: number;
  height: number;
  /** Texts of axes, legends and headers that end in an ellipsis. */
  cut: string[];
  /** Axes that have tick labels but no title. */
  untitled: number;
  /** Axes with labels. */
  axes: number;
  /** Axis titles. */
  titles: string[];
  /** Legend labels. */
  legend: string[];
  /** Pairs of visible texts (axis titles and labels, legends, headers) whose boxes overlap. */
  overlaps: string[];
  /** Every visible text of axes, legends and headers. */
  texts: string[];
}

/** Renders a report at 1400 px and measures every figure's SVG. */
async function inspect(index: string): Promise<{ figures: SvgCheck[]; errors: string[]; html: string }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  try {
    await page.goto(pathToFileURL(index).href, { waitUntil: 'load' });
    const figures = await page.$$eval('figure.figure', (els) =>
      els.map((el) => {
        const svg = el.querySelector('svg')!;
        const box = svg.getBoundingClientRect();
        const texts = [
          ...svg.querySelectorAll(
            'g.role-axis text, g.role-legend text, g.role-column-header text, g.role-row-header text, g.role-title text',
          ),
        ].map((t) => t.textContent ?? '');
        const axes = [...svg.querySelectorAll('g.role-axis')].filter((a) =>
          [...a.querySelectorAll('g.role-axis-label text')].some((t) => (t.textContent ?? '').trim() !== ''),
        );
        // a title broken into lines is a text of tspans: its lines joined with spaces
        const lines = (t: Element) => {
          const spans = [...t.querySelectorAll('tspan')];
          return (spans.length ? spans.map((x) => x.textContent ?? '') : [t.textContent ?? ''])
            .join(' ')
            .trim();
        };
        const titleOf = (a: Element) =>
          [...a.querySelectorAll('g.role-axis-title text')].map(lines).join(' ');
        return {
          id: el.id,
          width: box.width,
          height: box.height,
          cut: texts.filter((t) => /…\s*$/.test(t) || t.includes('…')),
          untitled: axes.filter((a) => titleOf(a) === '').length,
          axes: axes.length,
          titles: axes.map(titleOf),
          legend: [...svg.querySelectorAll('g.role-legend-label text')].map((t) => t.textContent ?? ''),
          ...(() => {
            // every visible text of axes, legends and headers, with its box on the page
            const boxes = [
              ...svg.querySelectorAll(
                'g.role-axis-title text, g.role-axis-label text, g.role-legend-title text, g.role-legend-label text, g.role-column-header text, g.role-row-header text, g.role-column-title text, g.role-row-title text, g.role-title text',
              ),
            ]
              .filter((t) => (t.textContent ?? '').trim() !== '' && getComputedStyle(t).opacity !== '0')
              .filter((t) => t.getAttribute('opacity') !== '0' && t.closest('[opacity="0"]') === null)
              .map((t) => ({ text: lines(t), r: t.getBoundingClientRect() }));
            const overlaps: string[] = [];
            for (let i = 0; i < boxes.length; i++)
              for (let j = i + 1; j < boxes.length; j++) {
                const [a, b] = [boxes[i].r, boxes[j].r];
                const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
                const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
                if (w > 1 && h > 1) overlaps.push(`${boxes[i].text} | ${boxes[j].text}`);
              }
            return { overlaps, texts: boxes.map((b) => b.text) };
          })(),
        };
      }),
    );
    return { figures, errors, html: await page.content() };
  } finally {
    await page.close();
  }
}

/** The common checks of every report. */
async function checkReport(dir: string, expected: string[]) {
  const r = await report(dir);
  const names = r.figures.map((f) => f.split('/').pop()!.replace('.svg', ''));
  expect(names).toEqual(expected);
  for (const f of r.figures) {
    const png = readFileSync(f.replace(/\.svg$/, '.png'));
    expect(png.subarray(0, 8).toString('hex'), `${f} is a PNG`).toBe('89504e470d0a1a0a');
    expect(png.length, f).toBeGreaterThan(5000);
  }
  const { figures, errors, html } = await inspect(r.index);
  expect(errors).toEqual([]);
  expect(figures.map((f) => f.id)).toEqual(expected.map((n) => `fig-${n}`));
  for (const f of figures) {
    expect(f.cut, `${f.id}: text cut with an ellipsis`).toEqual([]);
    expect(f.height, `${f.id} height`).toBeLessThanOrEqual(1800);
    expect(f.height, `${f.id} height`).toBeGreaterThan(100);
    // the page's column is 1340 px: a figure wider scrolls
    expect(f.width, `${f.id} width`).toBeLessThanOrEqual(1360);
    expect(f.overlaps, `${f.id}: texts drawn over each other`).toEqual([]);
    // no swept value printed with more than 4 significant digits (17-digit floats of a design)
    for (const t of f.texts)
      for (const v of t.match(/\d+\.\d+/g) ?? [])
        expect(
          v.replace('.', '').replace(/^0+/, '').length,
          `${f.id}: a long number in "${t}"`,
        ).toBeLessThanOrEqual(4);
    expect(f.axes, `${f.id} has axes`).toBeGreaterThan(0);
    expect(f.untitled, `${f.id}: axes without a title (${f.titles.join(' | ')})`).toBe(0);
    for (const t of f.titles)
      expect(t, `${f.id}: an axis titled with a dotted config path`).not.toMatch(/\w\.\w+\.\w/);
  }
  // tables after the figures, each collapsible
  expect(html.lastIndexOf('<figure')).toBeLessThan(html.indexOf('<table'));
  expect(html.match(/<table/g)?.length).toBe(
    html.match(/<details[^>]*><summary>[^<]*<\/summary><table/g)?.length,
  );
  return { figures, html };
}

const titlesOf = (figures: SvgCheck[], id: string) => figures.find((f) => f.id === `fig-${id}`)!.titles;

describeBrowser('report figures in headless chromium at 1400 px', () => {
  it('a grid of 36 points over four fields: marginal box plots, main effects, the strongest interaction, who paid per field', async () => {
    const { figures, html } = await checkReport(dirs.grid, [
      'loss-distribution',
      'loss-tail',
      'effects-loss',
      'effects-insolvency',
      'interaction-loss',
      'who-paid',
    ]);
    // swept fields titled from the schema with units, the metric from the metadata table
    const effects = titlesOf(figures, 'effects-loss');
    expect(effects).toContain('sigma: annualised volatility (1/sqrt(year))');
    expect(effects.some((t) => /^step: length of a step \(seconds\)$/.test(t))).toBe(true);
    expect(effects.some((t) => t === 'mean venue loss (USD)')).toBe(true);
    // the fixture's interaction is between its first two fields
    expect(html).toMatch(/Strongest two-field interaction: mean venue loss \(USD\) over sigma × buf/);
    // the key table has the full paths; the tail shows three points, not 36
    expect(html).toContain('waterfall.stages[0].curve.step');
    const tail = figures.find((f) => f.id === 'fig-loss-tail')!;
    expect(tail.height).toBeLessThan(600);
    // the fixture's loss grows with sigma: one line per value of it, the other fields pooled
    expect(tail.legend).toEqual(['sigma=0.6', 'sigma=1.2', 'sigma=2.4']);
    expect(html).toContain('4 runs per point, master seed 42, common random numbers across points');
  });

  it('a grid of two fields: heatmaps of the mean loss and P(insolvency)', async () => {
    const { figures } = await checkReport(dirs.grid2, [
      'loss-distribution',
      'loss-tail',
      'heatmap-loss',
      'heatmap-insolvency',
      'who-paid',
    ]);
    expect(titlesOf(figures, 'heatmap-loss')).toEqual([
      'sigma: annualised volatility (1/sqrt(year))',
      'insuranceFund: insurance fund at the start (USD, at most 1e15)',
    ]);
  });

  it('a Latin hypercube of 40 points: scatter with a quadratic fit (not a robust smoother), no lines joining points, a log axis for the log range', async () => {
    const { figures, html } = await checkReport(dirs.lhs, [
      'loss-distribution',
      'loss-tail',
      'scatter-loss',
      'scatter-insolvency',
      'who-paid',
    ]);
    expect(titlesOf(figures, 'scatter-loss')).toContain(
      'insuranceFund: insurance fund at the start (USD, at most 1e15), log scale',
    );
    expect(
      titlesOf(figures, 'scatter-loss').some((t) => t.startsWith('sigma') && !t.includes('log scale')),
    ).toBe(true);
    expect(html).toContain('with a quadratic least-squares fit');
    expect(html).toContain('not robust: every point counts');
    expect(html).not.toContain('LOESS');
    // no field has few values: the tail of the least, median and largest mean-loss points; the least
    // had no loss in the fixture, so it is named in the caption instead of drawn
    const tail = figures.find((f) => f.id === 'fig-loss-tail')!;
    expect(tail.legend.map((t) => t.split(':')[0])).toEqual(['median mean loss', 'largest mean loss']);
    expect(html).toContain('the sweep points with the least, the median and the largest mean loss of 40');
    expect(html).toContain('not drawn, no run had a loss: least mean loss: ');
    // dots and one smoother per panel: no line joins the points
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(pathToFileURL(join(dirs.lhs, 'report', 'index.html')).href);
      const marks = await page.$eval('#fig-scatter-loss svg', (svg) => ({
        lines: svg.querySelectorAll('g.mark-line.role-mark path').length,
        dots: svg.querySelectorAll('g.mark-symbol.role-mark path').length,
      }));
      expect(marks).toEqual({ lines: 2, dots: 2 * 40 });
    } finally {
      await page.close();
    }
  });

  it('one point with series (as baseline): a histogram with room above the zero bar, time in hours, series titled with units', async () => {
    const { figures } = await checkReport(dirs.single, [
      'loss-distribution',
      'loss-tail',
      'who-paid',
      'series',
    ]);
    const series = titlesOf(figures, 'series');
    expect(series).toContain('time since the start (hours)');
    expect(series).toContain('mark price (USD)');
    expect(series).toContain('open interest (USD)');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(pathToFileURL(join(dirs.single, 'report', 'index.html')).href);
      // 720 ticks of 60 s: the time axis ends at 12 hours
      const hours = await page.$$eval(
        '#fig-series g.role-axis[aria-label^="X-axis"] g.role-axis-label text',
        (ts) => ts.map((t) => Number((t.textContent ?? '').replace(/,/g, ''))).filter(Number.isFinite),
      );
      expect(Math.max(...hours)).toBe(12);
      // the tallest bar (the zero-loss runs) ends below the top of the plot
      const { top, plotTop } = await page.$eval('#fig-loss-distribution svg', (svg) => {
        const bars = [...svg.querySelectorAll('g.role-mark path')].map((p) => p.getBoundingClientRect());
        const bg = svg
          .querySelector('g.mark-group path.background, path.background')!
          .getBoundingClientRect();
        return { top: Math.min(...bars.map((b) => b.top)), plotTop: bg.top };
      });
      expect(top).toBeGreaterThan(plotTop + 5);
    } finally {
      await page.close();
    }
  });

  it("a game with a mechanism sweep: payoff against the parameter, the venue's loss, the equilibrium map and the CLI's tables", async () => {
    const { figures, html } = await checkReport(dirs.game, [
      'game-payoffs',
      'game-venue-loss',
      'equilibrium-map',
    ]);
    expect(titlesOf(figures, 'game-payoffs').some((t) => /payoff per agent/.test(t))).toBe(true);
    expect(titlesOf(figures, 'game-venue-loss')).toContain('mean venue loss (USD)');
    const eq = JSON.parse(readFileSync(join(dirs.game, 'equilibria.json'), 'utf8')) as EquilibriaFile;
    for (const h of [...equilibriaTable(eq).head, ...payoffTable(eq).head])
      expect(html.includes(`<th>${h}</th>`), h).toBe(true);
    expect(html).toContain('Equilibria per sweep point');
    // cells big enough to read: the map's cells at least 60 px wide
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(pathToFileURL(join(dirs.game, 'report', 'index.html')).href);
      const widths = await page.$$eval('#fig-equilibrium-map g.mark-rect.role-mark path', (ps) =>
        ps.map((p) => p.getBoundingClientRect().width),
      );
      expect(widths.length).toBe(2 * 3 * 2);
      expect(Math.min(...widths)).toBeGreaterThanOrEqual(60);
    } finally {
      await page.close();
    }
  });
});

describeBrowser('reports of realistic designs at 1400 px', () => {
  it('a zip sweep of five fields (as black-thursday): per-point figures, P1… with a key, no main effects or interaction, unique short names', async () => {
    const { figures, html } = await checkReport(dirs.zip, [
      'loss-distribution',
      'loss-tail',
      'points-loss',
      'points-insolvency',
      'who-paid',
    ]);
    // the point labels are ids; the key maps them to every field's value
    const box = figures.find((f) => f.id === 'fig-loss-distribution')!;
    expect(box.texts).toEqual(expect.arrayContaining(['P1', 'P6']));
    expect(html).toContain('Key of the sweep points');
    expect(html).toContain('<td>P3</td><td>1000000000000</td><td>6</td><td>6</td><td>3</td><td>27</td>');
    // the fields move together: said so, and nothing pools over one of them
    expect(html).toContain('move together (a zip sweep)');
    expect(html).not.toContain('Strongest two-field interaction');
    expect(html).not.toContain('other swept fields pooled');
    // short names tell the two gas ceilings and the two counts apart, the key names the strategy
    for (const n of [
      'liquidators[0].maxGasUsd',
      'liquidators[3].maxGasUsd',
      'liquidators[2].count',
      'liquidators.count',
    ])
      expect(html).toContain(`<td>${n}</td>`);
    expect(html).not.toMatch(/<td>\d\.(params|count)/);
    expect(html).toMatch(
      /<td>agents\.liquidators\.mix\[3\]\.params\.maxGasUsd<\/td><td>[^<]*\(strategy dutch-taker\)<\/td>/,
    );
    expect(html).toContain('2 runs per point');
  });

  it('a Latin hypercube of 12 points, 17-digit values, no common random numbers: points with intervals, no smoother, rounded labels', async () => {
    const { figures, html } = await checkReport(dirs.lhs12, [
      'loss-distribution',
      'loss-tail',
      'scatter-loss',
      'scatter-insolvency',
      'who-paid',
    ]);
    expect(html).toContain('no smoother: with 12 points (fewer than 20)');
    expect(html).not.toContain('common random numbers across points');
    expect(titlesOf(figures, 'scatter-loss')).toContain(
      'liquidationFee: liquidation fee (fraction of closed notional), log scale',
    );
    // the sweep point labels: rounded to 4 significant digits
    const wp = figures.find((f) => f.id === 'fig-who-paid')!;
    const labels = wp.texts.filter((t) => t.startsWith('sigma='));
    expect(labels.length).toBe(12);
    for (const l of labels) expect(l).toMatch(/^sigma=[\d.]+, liquidationFee=[\d.e-]+$/);
    for (const l of labels)
      for (const v of l.match(/[\d.]+(e-?\d+)?/g)!)
        expect(v.replace(/e.*/, '').replace('.', '').replace(/^0+/, '').length).toBeLessThanOrEqual(4);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(pathToFileURL(join(dirs.lhs12, 'report', 'index.html')).href);
      const marks = await page.$eval('#fig-scatter-loss svg', (svg) => ({
        lines: svg.querySelectorAll('g.mark-line.role-mark path').length,
        dots: svg.querySelectorAll('g.mark-symbol.role-mark path').length,
        rules: svg.querySelectorAll('g.mark-rule.role-mark line').length,
      }));
      expect(marks).toEqual({ lines: 0, dots: 2 * 12, rules: 2 * 12 });
    } finally {
      await page.close();
    }
  });

  it("a game of two roles: the other roles' strategies told apart by dash and shape, coinciding lines set apart", async () => {
    const { figures } = await checkReport(dirs.game2, ['game-payoffs', 'game-venue-loss', 'equilibrium-map']);
    const payoffs = figures.find((f) => f.id === 'fig-game-payoffs')!;
    expect(payoffs.legend).toEqual(
      expect.arrayContaining(['traders=lev10', 'traders=flat', 'liquidators=liquidate', 'liquidators=idle']),
    );
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(pathToFileURL(join(dirs.game2, 'report', 'index.html')).href);
      const { lines, dots } = await page.$eval('#fig-game-payoffs svg', (svg) => ({
        lines: [...svg.querySelectorAll('g.mark-line.role-mark path')].map((p) => ({
          stroke: p.getAttribute('stroke'),
          dash: p.getAttribute('stroke-dasharray') ?? '',
        })),
        dots: [...svg.querySelectorAll('g.mark-symbol.role-mark path')].map((p) => {
          const r = p.getBoundingClientRect();
          return {
            x: Math.round(r.left + r.width / 2),
            y: Math.round(r.top + r.height / 2),
            d: p.getAttribute('d'),
          };
        }),
      }));
      // 4 profiles × 2 roles: 8 lines; lines of one colour (one strategy) differ in dash
      expect(lines.length).toBe(8);
      const byColour = new Map<string, Set<string>>();
      for (const l of lines) byColour.set(l.stroke!, (byColour.get(l.stroke!) ?? new Set()).add(l.dash));
      for (const [c, dashes] of byColour) expect(dashes.size, `lines of ${c}`).toBe(2);
      // the liquidators' payoff does not depend on the traders: equal points, drawn side by side
      expect(dots.length).toBe(2 * 8);
      const at = new Set(dots.map((d) => `${d.x},${d.y}`));
      expect(at.size).toBe(dots.length);
    } finally {
      await page.close();
    }
  });
});

describe('report helpers', () => {
  it('short names are unique and readable; titles keep the name with its description', () => {
    const names = shortNames([
      'waterfall.stages[0].hole',
      'agents.liquidators.mix[0].params.maxGasUsd',
      'agents.liquidators.mix[3].params.maxGasUsd',
      'agents.liquidators.mix[2].count',
      'agents.liquidators.count',
    ]);
    expect([...names.values()]).toEqual([
      'hole',
      'liquidators[0].maxGasUsd',
      'liquidators[3].maxGasUsd',
      'liquidators[2].count',
      'liquidators.count',
    ]);
    expect(wrap('sigma: annualised volatility (1/sqrt(year))', 200)).toEqual([
      'sigma: annualised volatility',
      '(1/sqrt(year))',
    ]);
  });

  it('the interaction is only sought among crossed pairs; one run per point is singular', () => {
    const C = { a: [1, 1, 2, 2], b: [1, 1, 2, 2], c: [1, 2, 1, 2] };
    const loss = Float64Array.from([0, 10, 30, 0]);
    const got = strongestInteraction(['a', 'b', 'c'], C, [0, 1, 2, 3], loss);
    // (a, b) moves together: only (a, c) and (b, c) are crossed
    expect(got?.pairs).toBe(2);
    expect(got?.fields).not.toEqual(['a', 'b']);
    expect(strongestInteraction(['a', 'b'], C, [0, 1, 2, 3], loss)).toBeNull();
    const one = join(root, 'one-run');
    writeDesign(one, 'grid', grid({ 'market.index.sigma': [0.6, 1.2] }), 1);
    const figs = reportFigures(one, analyze(one));
    expect(figs[0].note).toContain('2 sweep points (grid), 1 run per point,');
  });
});

describe('log-scaled ranges of a space-filling design', () => {
  it('are told from the points: log-stratified is log, linear is not', () => {
    const pts = lhs(30, { a: { min: 1e3, max: 1e7, log: true }, b: { min: 1e3, max: 1e7 } });
    expect(logScaled(pts.map((p) => p.a))).toBe(true);
    expect(logScaled(pts.map((p) => p.b))).toBe(false);
    expect(logScaled([0, 1, 10, 100])).toBe(false);
  });
});

describe('game tables: regret column and price of anarchy', () => {
  /** Two roles, two strategies each: b's own regret differs from the profile's (a's) regret. */
  const point = (): PointEquilibria => {
    const mi = (estimate: number) => ({ estimate, low: estimate - 1, high: estimate + 1, se: 0.5, n: 10 });
    const venue = (loss: number) => ({
      insolvency: { estimate: loss > 0 ? 1 : 0, low: 0, high: 1, n: 10 },
      loss: mi(loss),
      lpReturn: null,
    });
    // payoffs (a, b): a gains 8 by switching x→y in (x,u); b is at its best in (x,u)
    const pay: Record<string, [number, number]> = {
      'x,u': [1, 5],
      'x,v': [2, 3],
      'y,u': [9, 4],
      'y,v': [3, 1],
    };
    const profiles = Object.entries(pay).map(([k, [pa, pb]]) => {
      const [sa, sb] = k.split(',');
      return {
        label: `a=${sa},b=${sb}`,
        profile: { a: sa, b: sb },
        payoffs: { a: mi(pa), b: mi(pb) },
        regret: 0,
        equilibrium: false,
        venue: venue(0),
        failed: 0,
        errors: [],
      };
    });
    profiles[0].regret = 8;
    return {
      pointId: 0,
      point: {},
      label: 'all',
      profiles,
      pure: [],
      mixed: null,
      best: 'a=x,b=u',
      priceOfAnarchy: null,
      anarchyGap: 0,
    } as unknown as PointEquilibria;
  };
  const file = (): EquilibriaFile => ({
    experiment: 'two-roles',
    roles: ['a', 'b'],
    strategies: { a: ['x', 'y'], b: ['u', 'v'] },
    runs: 10,
    seed: 1,
    fields: [],
    level: 0.95,
    points: [point()],
  });

  it("the regret column is each role's own regret; the profile regret is its own column", () => {
    const t = payoffTable(file());
    const col = t.head.indexOf("role's regret (USD)");
    const prof = t.head.indexOf('profile regret (USD)');
    const row = (profile: string, role: string) => t.rows.find((r) => r[1] === profile && r[2] === role)!;
    expect(Number(row('a=x,b=u', 'a')[col])).toBe(8); // 9 − 1
    expect(Number(row('a=x,b=u', 'b')[col])).toBe(0); // 5 is b's best against x
    expect(Number(row('a=x,b=u', 'b')[prof])).toBe(8);
    expect(Number(row('a=y,b=v', 'b')[col])).toBe(3); // 4 − 1
    expect(Number(row('a=y,b=v', 'a')[col])).toBe(0); // 3 > 2
  });

  it('0/0: no loss in any profile gives a null price of anarchy, printed "n/a (no loss)"', async () => {
    const t = {
      roles: ['r'],
      strategies: { r: ['s', 't'] },
      profiles: [
        { profile: { r: 's' }, payoffs: { r: { mean: 1, se: 0 } }, venueCost: 0 },
        { profile: { r: 't' }, payoffs: { r: { mean: 0, se: 0 } }, venueCost: 0 },
      ],
    };
    const poa = priceOfAnarchy(
      t,
      [{ label: 'r=s', profile: { r: 's' }, regret: 0, equilibrium: true } as never],
      null,
    );
    expect(poa.ratio).toBeNull();
    expect(poa.gap).toBe(0);
    expect(formatPriceOfAnarchy(point())).toBe('n/a (no loss)');
    // a zero-loss best profile under a lossy equilibrium is undefined, not "no loss"
    expect(formatPriceOfAnarchy({ ...point(), anarchyGap: 5 })).toBe('–');
    // end to end: a game whose every run has zero loss
    const out = join(root, 'no-loss');
    const eq = await runGame(game({ 'venue.liquidationFee': [0.001, 0.05] }), {
      out,
      driver: liquidatorDriver(() => 0),
    });
    const json = JSON.parse(readFileSync(join(out, 'equilibria.json'), 'utf8')) as EquilibriaFile;
    for (const p of json.points) {
      expect(p.priceOfAnarchy).toBeNull();
      expect(p.anarchyGap).toBe(0);
    }
    const text = gameTable(eq);
    expect(text).toContain('n/a (no loss)');
    expect(equilibriaTable(eq).rows.map((r) => r[4])).toEqual(['n/a (no loss)', 'n/a (no loss)']);
  });
});
