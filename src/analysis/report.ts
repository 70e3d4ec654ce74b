/**
 * `report(dir)`: writes `dir/report/` — figures as SVG (Vega-Lite rendered in Node) and an `index.html`
 * that shows them inline with the summary tables. Self-contained: no scripts, no network, opens from the
 * file system.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Analysis, analyze, lossColumn } from './analyze.js';
import { readArrowFile } from './arrow-io.js';
import {
  type BandRow,
  equilibriumMapFigure,
  type Figure,
  lossDistributionFigure,
  lossTailFigure,
  renderSvg,
  seriesFigure,
  sweepFigure,
  whoPaidFigure,
} from './figures.js';
import type { EquilibriaFile } from './game-run.js';
import { fmtNumber } from './render.js';

/** Options of {@link report}. */
export interface ReportOptions {
  /** Where to write (default `dir/report`). */
  out?: string;
  /** Sample runs drawn in the time-series figure (6). */
  sampleRuns?: number;
  /** Series drawn in the time-series figure (mark, insurance_fund, vault_equity, open_interest, when present). */
  series?: string[];
}

/** What {@link report} wrote. */
export interface ReportResult {
  /** The report directory. */
  dir: string;
  /** Path of index.html. */
  index: string;
  /** The figures written, as paths of their SVG files. */
  figures: string[];
}

const PAYERS: [string, string][] = [
  ['paid_by_insurance_fund', 'insurance fund'],
  ['paid_by_vault', 'vault'],
  ['paid_by_adl', 'ADL'],
  ['socialized_loss', 'socialized'],
  ['unpaid', 'unpaid'],
  ['open_deficit', 'still open at the end'],
];

const SWEEP_METRICS: [string, string][] = [
  ['loss', 'mean loss (USD)'],
  ['shortfall', 'mean shortfall (USD)'],
];

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function htmlTable(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const ci = (e: number, lo: number, hi: number) =>
  Number.isFinite(lo) ? `${fmtNumber(e)} [${fmtNumber(lo)}, ${fmtNumber(hi)}]` : fmtNumber(e);
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toPrecision(3)}%` : '–');

/** The figures of a results directory (data read from runs.arrow, series.arrow and equilibria.json). */
export function reportFigures(dir: string, a: Analysis, opts: ReportOptions = {}): Figure[] {
  const figs: Figure[] = [];
  const t = readArrowFile(join(dir, 'runs.arrow'));
  const C = t.columns;
  const status = C.status as (string | null)[] | undefined;
  const groupOfRow: string[] = new Array(t.rows);
  const label = new Map<string, string>();
  for (const g of a.groups) label.set(JSON.stringify(a.by.map((f) => g.key[f] ?? null)), g.label);
  for (let i = 0; i < t.rows; i++)
    groupOfRow[i] = label.get(JSON.stringify(a.by.map((f) => C[f][i] ?? null))) ?? 'all';

  // loss distribution and tail
  const losses: { group: string; loss: number }[] = [];
  const lossOf = lossColumn(C, t.rows);
  for (let i = 0; i < t.rows; i++) {
    if (status && status[i] !== 'ok') continue;
    const l = lossOf[i];
    if (Number.isFinite(l)) losses.push({ group: groupOfRow[i], loss: l });
  }
  figs.push(lossDistributionFigure(losses));
  const tail: { group: string; loss: number; exceedance: number }[] = [];
  for (const g of a.groups) {
    const xs = losses
      .filter((l) => l.group === g.label)
      .map((l) => l.loss)
      .sort((x, y) => x - y);
    const n = xs.length;
    for (let i = 0; i < n; i++)
      if (xs[i] > 0 && (i === n - 1 || xs[i + 1] !== xs[i])) {
        // P(L ≥ x_i) with ties: the share of runs at or above the first of equal values
        let j = i;
        while (j > 0 && xs[j - 1] === xs[i]) j--;
        tail.push({ group: g.label, loss: xs[i], exceedance: (n - j) / n });
      }
  }
  const tf = lossTailFigure(tail);
  if (tail.length === 0) tf.title += ' — no run had a loss';
  figs.push(tf);

  // metrics against each swept field, other fields pooled
  for (const f of a.fields) {
    const by = analyze(dir, { by: [f], level: a.level, compare: [] });
    const numeric = by.groups.every((g) => typeof g.key[f] === 'number');
    const rows: BandRow[] = [];
    for (const g of by.groups) {
      const x = g.key[f] as number | string;
      for (const [m, name] of SWEEP_METRICS) {
        const s = g.metrics[m];
        rows.push({ x, metric: name, estimate: s.estimate, low: s.low, high: s.high });
      }
      rows.push({
        x,
        metric: 'P(insolvency)',
        estimate: g.insolvency.estimate,
        low: g.insolvency.low,
        high: g.insolvency.high,
      });
    }
    figs.push(sweepFigure(f, rows, numeric));
  }

  // who paid
  const paid: { group: string; payer: string; amount: number; order: number }[] = [];
  for (const g of a.groups)
    PAYERS.forEach(([m, payer], order) => {
      paid.push({ group: g.label, payer, amount: Math.max(0, g.metrics[m]?.estimate ?? 0), order });
    });
  const wp = whoPaidFigure(paid);
  if (a.groups.every((g) => !(g.metrics.shortfall.estimate > 0))) wp.title += ' — no shortfall in any run';
  figs.push(wp);

  // time series of sample runs
  const seriesPath = join(dir, 'series.arrow');
  if (existsSync(seriesPath)) {
    const s = readArrowFile(seriesPath);
    const want = (opts.series ?? ['mark', 'insurance_fund', 'vault_equity', 'open_interest']).filter(
      (c) => c in s.columns,
    );
    const runIds = s.columns.run_id as Float64Array;
    const ticks = s.columns.tick as Float64Array;
    const sample = [...new Set(runIds)].slice(0, opts.sampleRuns ?? 6);
    const keep = new Set(sample);
    const rows: { run: string; tick: number; series: string; value: number }[] = [];
    for (let i = 0; i < s.rows; i++) {
      if (!keep.has(runIds[i])) continue;
      for (const c of want) {
        const v = (s.columns[c] as Float64Array)[i];
        if (Number.isFinite(v)) rows.push({ run: String(runIds[i]), tick: ticks[i], series: c, value: v });
      }
    }
    if (rows.length) figs.push(seriesFigure(rows));
  }

  // equilibrium map
  const eqPath = join(dir, 'equilibria.json');
  if (existsSync(eqPath))
    figs.push(...gameFigures(JSON.parse(readFileSync(eqPath, 'utf8')) as EquilibriaFile));
  return figs;
}

/** The figures of a game (equilibria.json): the equilibrium map. */
function gameFigures(eq: EquilibriaFile): Figure[] {
  const rows = eq.points.flatMap((p) =>
    p.profiles.map((s) => ({
      point: p.label,
      profile: s.label,
      regret: s.regret,
      equilibrium: s.equilibrium,
    })),
  );
  return rows.length ? [equilibriumMapFigure(rows)] : [];
}

function summaryTables(a: Analysis): string {
  const parts: string[] = [];
  parts.push(
    '<h2>Loss and insolvency</h2>',
    htmlTable(
      [
        'group',
        'runs',
        'failed',
        'P(insolvency) [95% CI]',
        'mean loss [95% CI]',
        'VaR95',
        'ES95',
        'VaR99',
        'ES99',
      ],
      a.groups.map((g) => [
        g.label,
        String(g.ok),
        String(g.failed),
        `${pct(g.insolvency.estimate)} [${pct(g.insolvency.low)}, ${pct(g.insolvency.high)}]`,
        ci(g.metrics.loss.estimate, g.metrics.loss.low, g.metrics.loss.high),
        fmtNumber(g.risk[0].var),
        fmtNumber(g.risk[0].es),
        fmtNumber(g.risk[1].var),
        fmtNumber(g.risk[1].es),
      ]),
    ),
  );
  const roles = a.groups.flatMap((g) =>
    g.roles.map((r) => [
      g.label,
      r.role,
      r.agents === null ? '–' : fmtNumber(r.agents),
      r.outsideOption === null ? '–' : fmtNumber(r.outsideOption),
      ci(r.excess.estimate, r.excess.low, r.excess.high),
      r.perAgent ? ci(r.perAgent.estimate, r.perAgent.low, r.perAgent.high) : '–',
    ]),
  );
  if (roles.length)
    parts.push(
      '<h2>Participation: PnL − outside option (USD)</h2>',
      htmlTable(['group', 'role', 'agents', 'outside option', 'whole role', 'per agent'], roles),
    );
  if (a.comparisons.length)
    parts.push(
      '<h2>Paired differences on common random numbers</h2>',
      htmlTable(
        ['metric', 'group', 'reference', 'pairs', 'mean difference [95% CI]'],
        a.comparisons.map((c) => [
          c.metric,
          c.group,
          c.reference,
          String(c.difference.n),
          ci(c.difference.estimate, c.difference.low, c.difference.high),
        ]),
      ),
    );
  return parts.join('\n');
}

function gameTables(eq: EquilibriaFile): string {
  const rows = eq.points.map((p) => [
    p.label,
    p.pure.join('; ') || '(none)',
    p.mixed
      ? Object.entries(p.mixed.mix)
          .map(([r, x]) => `${r}: ${x.map((v, i) => `${eq.strategies[r][i]} ${v.toFixed(2)}`).join(', ')}`)
          .join('; ')
      : '–',
    p.best ?? '–',
    p.priceOfAnarchy === null ? '–' : p.priceOfAnarchy.toPrecision(3),
    p.anarchyGap === null ? '–' : fmtNumber(p.anarchyGap),
  ]);
  return `<h2>Equilibria</h2>${htmlTable(
    [
      'sweep point',
      'pure equilibria',
      'mixed (replicator)',
      'best for the venue',
      'price of anarchy',
      'loss gap (USD)',
    ],
    rows,
  )}`;
}

/**
 * Writes the report of a results directory: `report/figures/*.svg` and `report/index.html` (figures
 * inline, summary tables, the equilibria when equilibria.json exists). Figures: the loss distribution
 * and its tail; the loss, shortfall and probability of insolvency against each swept field with 95%
 * intervals; who paid the shortfall (stacked shares); time series of sample runs when series.arrow
 * exists; the equilibrium map when equilibria.json exists. A directory written by `game` alone (equilibria.json,
 * no runs.arrow) gets the equilibrium map and the game's tables.
 *
 * @throws Error when neither runs.arrow nor equilibria.json is there
 */
export async function report(dir: string, opts: ReportOptions = {}): Promise<ReportResult> {
  const eqPath = join(dir, 'equilibria.json');
  const gameOnly = !existsSync(join(dir, 'runs.arrow')) && existsSync(eqPath);
  const a = gameOnly ? null : analyze(dir);
  const eq = existsSync(eqPath) ? (JSON.parse(readFileSync(eqPath, 'utf8')) as EquilibriaFile) : null;
  const out = opts.out ?? join(dir, 'report');
  const figDir = join(out, 'figures');
  mkdirSync(figDir, { recursive: true });
  const figs = a ? reportFigures(dir, a, opts) : eq ? gameFigures(eq) : [];
  const written: string[] = [];
  const sections: string[] = [];
  for (const f of figs) {
    const svg = await renderSvg(f.spec);
    const p = join(figDir, `${f.name}.svg`);
    writeFileSync(p, svg);
    written.push(p);
    sections.push(
      `<figure id="fig-${esc(f.name)}" class="figure">${svg}<figcaption>${esc(f.title)} — <a href="figures/${esc(
        f.name,
      )}.svg">SVG</a></figcaption></figure>`,
    );
  }
  const title = `backstop-sim report: ${a?.experiment ?? eq?.experiment ?? dir}`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
figure { margin: 1.5rem 0; overflow-x: auto; }
figcaption { font-size: 0.9rem; color: #555; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
${
  a
    ? `<p>${a.groups.reduce((s, g) => s + g.runs, 0)} runs in ${a.groups.length} group(s)${
        a.by.length ? ` by ${esc(a.by.join(', '))}` : ''
      }. Loss = socialized loss + unpaid (USD). Intervals are 95%: t-intervals for means, Wilson for probabilities.
VaR is the lower empirical quantile of the loss; ES the mean of the worst (1 − α) share.</p>
${summaryTables(a)}`
    : `<p>An empirical game: ${eq ? eq.points.length : 0} sweep point(s), ${eq?.runs ?? 0} runs per profile. Payoffs are PnL − outside option per agent (USD); loss = socialized loss + unpaid (USD).</p>`
}
${eq ? gameTables(eq) : ''}
<h2>Figures</h2>
${sections.join('\n')}
</body>
</html>
`;
  const index = join(out, 'index.html');
  const tmp = join(out, '.index.html.tmp');
  writeFileSync(tmp, html);
  renameSync(tmp, index);
  return { dir: out, index, figures: written };
}
