/**
 * Renderers of an {@link Analysis}: a readable terminal table, and csv, json and Arrow for tools. csv and
 * Arrow hold the same long table (one row per group and statistic, see {@link analysisRows}).
 */

import { resultFileMeta } from '../version.js';
import type { Analysis, FieldValue } from './analyze.js';
import { arrowFileBytes, type WriteColumn } from './arrow-io.js';

/** Output formats of {@link renderAnalysis}. */
export type AnalysisFormat = 'table' | 'csv' | 'json' | 'arrow';

/** One row of the long table written as csv and Arrow. */
export interface AnalysisRow {
  /** Label of the group. */
  group: string;
  /** The group's value of each grouping field. */
  key: Record<string, FieldValue>;
  /** `metric`, `insolvency`, `var`, `es`, `role` (payoff − outside option, whole role), `role_per_agent` or `paired`. */
  section: string;
  /** Metric, role, or (for var/es) the level as `95`/`99`. */
  name: string;
  /** For `paired`: the reference group's label; otherwise empty. */
  reference: string;
  /** Observations used. */
  n: number;
  /** Independent units behind the interval: distinct seeds (runs that share a seed share random numbers). */
  clusters: number;
  /** Point estimate. */
  estimate: number;
  /** Lower end of the interval (NaN when none). */
  ci_low: number;
  /** Upper end of the interval (NaN when none). */
  ci_high: number;
  /** Standard deviation (metrics), else NaN. */
  sd: number;
  /** Median (metrics), else NaN. */
  p50: number;
  /** 95th percentile (metrics), else NaN. */
  p95: number;
  /** 99th percentile (metrics), else NaN. */
  p99: number;
}

/** Flattens an analysis into the long table used by csv and Arrow output. */
export function analysisRows(a: Analysis): AnalysisRow[] {
  const rows: AnalysisRow[] = [];
  const NaN_ = Number.NaN;
  const base = (g: Analysis['groups'][number]) => ({
    group: g.label,
    key: g.key,
    reference: '',
    clusters: g.clusters,
  });
  for (const g of a.groups) {
    for (const m of a.metrics) {
      const s = g.metrics[m];
      rows.push({
        ...base(g),
        section: 'metric',
        name: m,
        n: s.n,
        estimate: s.estimate,
        ci_low: s.low,
        ci_high: s.high,
        sd: s.sd,
        p50: s.p50,
        p95: s.p95,
        p99: s.p99,
      });
    }
    const q = { sd: NaN_, p50: NaN_, p95: NaN_, p99: NaN_ };
    rows.push({
      ...base(g),
      section: 'insolvency',
      name: 'p_insolvency',
      n: g.insolvency.n,
      estimate: g.insolvency.estimate,
      ci_low: g.insolvency.low,
      ci_high: g.insolvency.high,
      ...q,
    });
    for (const r of g.risk) {
      const name = String(Math.round(r.level * 100));
      const common = { ...base(g), name, n: g.ok, ci_low: NaN_, ci_high: NaN_, ...q };
      rows.push({ ...common, section: 'var', estimate: r.var });
      rows.push({ ...common, section: 'es', estimate: r.es });
    }
    for (const r of g.roles) {
      rows.push({
        ...base(g),
        section: 'role',
        name: r.role,
        n: r.excess.n,
        estimate: r.excess.estimate,
        ci_low: r.excess.low,
        ci_high: r.excess.high,
        ...q,
        sd: r.excess.sd,
      });
      if (r.perAgent)
        rows.push({
          ...base(g),
          section: 'role_per_agent',
          name: r.role,
          n: r.perAgent.n,
          estimate: r.perAgent.estimate,
          ci_low: r.perAgent.low,
          ci_high: r.perAgent.high,
          ...q,
        });
    }
    if (g.adl) {
      const x = g.adl;
      const one = (name: string, estimate: number, lo = NaN_, hi = NaN_) =>
        rows.push({ ...base(g), section: 'adl', name, n: x.runs, estimate, ci_low: lo, ci_high: hi, ...q });
      one('fills', x.fills);
      one('accounts_hit', x.accountsHit);
      one('median_leverage', x.medianLeverage);
      one('median_pnl', x.medianPnl);
      one('profitable_share', x.profitableShare);
      one('top10_share', x.top10Share);
      one('top1pct_share', x.top1PctShare);
      one('book_share', x.bookShare);
      const d = x.firstDelaySeconds;
      rows.push({
        ...base(g),
        section: 'adl',
        name: 'first_adl_delay_s',
        n: d.n,
        clusters: d.clusters,
        estimate: d.estimate,
        ci_low: d.low,
        ci_high: d.high,
        ...q,
        sd: d.sd,
      });
    }
  }
  const keyOf = new Map(a.groups.map((g) => [g.label, g.key]));
  for (const c of a.comparisons)
    rows.push({
      group: c.group,
      key: keyOf.get(c.group) ?? {},
      section: 'paired',
      name: c.metric,
      reference: c.reference,
      n: c.difference.n,
      clusters: c.difference.clusters,
      estimate: c.difference.estimate,
      ci_low: c.difference.low,
      ci_high: c.difference.high,
      sd: c.difference.sd,
      p50: NaN_,
      p95: NaN_,
      p99: NaN_,
    });
  return rows;
}

const NUM_COLS = ['n', 'clusters', 'estimate', 'ci_low', 'ci_high', 'sd', 'p50', 'p95', 'p99'] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The long table as csv (RFC 4180; empty cells for missing values). */
export function analysisCsv(a: Analysis): string {
  const head = [...a.by, 'group', 'section', 'name', 'reference', ...NUM_COLS];
  const lines = [head.map(csvCell).join(',')];
  for (const r of analysisRows(a))
    lines.push(
      [...a.by.map((f) => r.key[f]), r.group, r.section, r.name, r.reference, ...NUM_COLS.map((c) => r[c])]
        .map(csvCell)
        .join(','),
    );
  return `${lines.join('\n')}\n`;
}

/** The long table as an Arrow IPC file. Grouping fields keep their type (numbers as Float64, else Utf8). */
export function analysisArrow(a: Analysis): Uint8Array {
  const rows = analysisRows(a);
  const cols: WriteColumn[] = [];
  for (const f of a.by) {
    const numeric = rows.every((r) => typeof r.key[f] === 'number' || r.key[f] === null);
    cols.push(
      numeric
        ? { name: f, type: 'f64', values: rows.map((r) => r.key[f] as number | null) }
        : { name: f, type: 'utf8', values: rows.map((r) => (r.key[f] === null ? null : String(r.key[f]))) },
    );
  }
  for (const c of ['group', 'section', 'name', 'reference'] as const)
    cols.push({ name: c, type: 'utf8', values: rows.map((r) => r[c]) });
  cols.push({ name: 'n', type: 'i32', values: rows.map((r) => r.n) });
  cols.push({ name: 'clusters', type: 'i32', values: rows.map((r) => r.clusters) });
  for (const c of NUM_COLS.slice(2)) cols.push({ name: c, type: 'f64', values: rows.map((r) => r[c]) });
  return arrowFileBytes(cols, resultFileMeta(a.experiment, 'analysis'));
}

/** The analysis as pretty JSON (non-finite numbers become null). */
export function analysisJson(a: Analysis): string {
  return `${JSON.stringify(a, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

/** Formats a number for people: 4 significant digits, k/M/B suffixes from 10,000 up, '–' for none. */
export function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const ax = Math.abs(x);
  if (ax === 0) return '0';
  if (ax >= 1e9) return `${(x / 1e9).toPrecision(4)}B`;
  if (ax >= 1e6) return `${(x / 1e6).toPrecision(4)}M`;
  if (ax >= 1e4) return `${(x / 1e3).toPrecision(4)}k`;
  if (ax < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

function fmtCi(est: number, low: number, high: number): string {
  if (!Number.isFinite(low)) return fmtNumber(est);
  return `${fmtNumber(est)} [${fmtNumber(low)}, ${fmtNumber(high)}]`;
}

function fmtPct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toPrecision(3)}%` : '–';
}

/** Lays out rows as an aligned text table (first row: header; numbers right-aligned). */
export function textTable(rows: string[][]): string {
  if (rows.length === 0) return '';
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  const numeric = rows[0].map((_, j) => rows.slice(1).every((r) => /^[-–\d[]/.test(r[j] ?? '–')));
  const line = (r: string[]) =>
    r
      .map((c, j) => (numeric[j] && j > 0 ? c.padStart(w[j]) : c.padEnd(w[j])))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), w.map((x) => '─'.repeat(x)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The readable terminal report: loss and insolvency, participation, paired differences, metrics. */
export function analysisTable(a: Analysis): string {
  const pct = Math.round(a.level * 100);
  const out: string[] = [];
  const runs = a.groups.reduce((s, g) => s + g.runs, 0);
  const failed = a.groups.reduce((s, g) => s + g.failed, 0);
  out.push(
    `${a.experiment ?? a.dir}: ${runs} runs (${failed} failed) in ${a.groups.length} group${a.groups.length === 1 ? '' : 's'}` +
      (a.by.length ? ` by ${a.by.join(', ')}` : ''),
    `intervals: ${pct}%; loss = ${a.lossTerms.join(' + ')} (USD)`,
  );
  const pooled = a.groups.some((g) => g.clusters < g.ok);
  if (pooled)
    out.push(
      'runs that share random numbers (one seed) are pooled in a group: every interval is cluster-robust over the seed, on the number of seeds',
    );
  out.push('', 'Loss and insolvency');
  out.push(
    textTable([
      [
        'group',
        pooled ? 'runs (seeds)' : 'runs',
        'P(insolvency)',
        'mean loss',
        'VaR95',
        'ES95',
        'VaR99',
        'ES99',
      ],
      ...a.groups.map((g) => [
        g.label,
        pooled ? `${g.ok} (${g.clusters})` : String(g.ok),
        `${fmtPct(g.insolvency.estimate)} [${fmtPct(g.insolvency.low)}, ${fmtPct(g.insolvency.high)}]`,
        fmtCi(g.metrics.loss.estimate, g.metrics.loss.low, g.metrics.loss.high),
        fmtNumber(g.risk[0].var),
        fmtNumber(g.risk[0].es),
        fmtNumber(g.risk[1].var),
        fmtNumber(g.risk[1].es),
      ]),
    ]),
  );
  const roleRows = a.groups.flatMap((g) =>
    g.roles.map((r) => [
      g.label,
      r.role,
      r.agents === null ? '–' : fmtNumber(r.agents),
      r.outsideOption === null ? '–' : fmtNumber(r.outsideOption),
      fmtCi(r.excess.estimate, r.excess.low, r.excess.high),
      r.perAgent ? fmtCi(r.perAgent.estimate, r.perAgent.low, r.perAgent.high) : '–',
    ]),
  );
  if (roleRows.length) {
    out.push('', 'Participation: PnL − outside option (USD; > 0: staying in pays)');
    out.push(
      textTable([['group', 'role', 'agents', 'outside option', 'whole role', 'per agent'], ...roleRows]),
    );
  }
  if (a.comparisons.length) {
    out.push(
      '',
      a.crn === false
        ? 'Paired differences, runs matched by run index (group − reference; these runs do not share random numbers across points)'
        : 'Paired differences on common random numbers (group − reference)',
    );
    out.push(
      textTable([
        ['metric', 'group', 'reference', 'pairs', 'mean difference'],
        ...a.comparisons.map((c) => [
          c.metric,
          c.group,
          c.reference,
          String(c.difference.n),
          fmtCi(c.difference.estimate, c.difference.low, c.difference.high),
        ]),
      ]),
    );
  }
  const adlRows = a.groups
    .filter((g) => g.adl)
    .map((g) => {
      const x = g.adl!;
      const d = x.firstDelaySeconds;
      return [
        g.label,
        String(x.runs),
        fmtNumber(x.accountsHit),
        `${fmtNumber(x.medianLeverage)}x`,
        fmtPct(x.profitableShare),
        fmtPct(x.top10Share),
        fmtPct(x.top1PctShare),
        fmtPct(x.bookShare),
        d.n ? fmtCi(d.estimate, d.low, d.high) : '–',
      ];
    });
  if (adlRows.length) {
    out.push('', 'Who ADL hit (events.arrow; per run, then over runs with ADL)');
    out.push(
      textTable([
        [
          'group',
          'runs',
          'accounts hit',
          'median leverage',
          'in profit',
          'top-10 share',
          'top-1% share',
          "book's share",
          'first ADL after the first forced close (s)',
        ],
        ...adlRows,
      ]),
    );
  }
  const shown = a.metrics.filter((m) =>
    a.groups.some((g) => g.metrics[m].max !== 0 || g.metrics[m].min !== 0),
  );
  out.push('', 'Metrics (mean with interval, quantiles over ok runs)');
  out.push(
    textTable([
      ['metric', 'group', 'mean', 'p50', 'p95', 'p99'],
      ...shown.flatMap((m) =>
        a.groups.map((g) => {
          const s = g.metrics[m];
          return [
            m,
            g.label,
            fmtCi(s.estimate, s.low, s.high),
            fmtNumber(s.p50),
            fmtNumber(s.p95),
            fmtNumber(s.p99),
          ];
        }),
      ),
    ]),
  );
  const zero = a.metrics.length - shown.length;
  if (zero) out.push(`(${zero} metric${zero === 1 ? '' : 's'} zero in every run not shown)`);
  out.push(
    '',
    'How the intervals are made',
    `- means: ${a.methods.mean}`,
    `- P(insolvency): ${a.methods.probability}`,
  );
  if (a.comparisons.length) out.push(`- paired differences: ${a.methods.comparison}`);
  return `${out.join('\n')}\n`;
}

/**
 * Renders an analysis: `table` (default) for a terminal, `csv`, `json`, or `arrow` (bytes of an Arrow IPC
 * file). csv and Arrow hold {@link analysisRows}; json the whole {@link Analysis}.
 */
export function renderAnalysis(a: Analysis, format: 'arrow'): Uint8Array;
export function renderAnalysis(a: Analysis, format?: 'table' | 'csv' | 'json'): string;
export function renderAnalysis(a: Analysis, format?: AnalysisFormat): string | Uint8Array;
export function renderAnalysis(a: Analysis, format: AnalysisFormat = 'table'): string | Uint8Array {
  switch (format) {
    case 'csv':
      return analysisCsv(a);
    case 'json':
      return analysisJson(a);
    case 'arrow':
      return analysisArrow(a);
    default:
      return analysisTable(a);
  }
}
