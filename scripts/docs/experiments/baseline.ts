/** Generated docs of experiments/baseline.ts: who pays for a crash's shortfall, down the full waterfall. */
import { type MetricName, meanInterval, wilsonInterval } from '../../../src/index.js';
import type { RunData } from '../collect.js';
import { runDocs, values } from '../define.js';
import { andList, count, mean, para, pct, table, usd, withInterval } from '../format.js';
import { lossOf } from '../loss.js';

/** Who paid the shortfall: metric, and what the text calls it. */
const PAYERS: [MetricName, string, string][] = [
  ['paid_by_vault', 'the vault', 'vault'],
  ['socialized_loss', 'socialized loss', 'socialized'],
  ['paid_by_insurance_fund', 'the insurance fund', 'fund'],
  ['paid_by_adl', 'ADL', 'ADL'],
  ['unpaid', 'nobody (unpaid)', 'unpaid'],
];

function figures(d: RunData) {
  const pt = d.points[0];
  const loss = values(pt, lossOf);
  const n = loss.length;
  const shortfall = mean(values(pt, (m) => m.shortfall));
  const payers = PAYERS.map(([k, long, short]) => {
    const v = mean(values(pt, (m) => m[k]));
    return { long, short, value: v, share: shortfall > 0 ? v / shortfall : 0 };
  }).sort((a, b) => b.value - a.value);
  return {
    runs: n,
    traders: pt.config.agents.traders.count,
    insolvency: wilsonInterval(loss.filter((l) => l > 0).length, n),
    // the part of the shortfall no backstop absorbed (socialized or unpaid), without what is still open
    unabsorbed: wilsonInterval(
      values(pt, (m) => m.socialized_loss + m.unpaid).filter((l) => l > 0).length,
      n,
    ),
    loss: meanInterval(loss, 0.95, { min: 0 }),
    socialized: mean(values(pt, (m) => m.socialized_loss)),
    unpaid: mean(values(pt, (m) => m.unpaid)),
    open: mean(values(pt, (m) => m.open_deficit)),
    shortfall: meanInterval(
      values(pt, (m) => m.shortfall),
      0.95,
      { min: 0 },
    ),
    payers,
    vaultReturn: mean(values(pt, (m) => m.vault_return)),
    lps: mean(values(pt, (m) => m.pnl_lps)),
  };
}

/** Payers that paid more than dust (a cent on average): the ones the text names. */
function paying(f: ReturnType<typeof figures>) {
  return f.payers.filter((p) => p.value >= 0.01);
}

function block(d: RunData, intro: string): string {
  const f = figures(d);
  const rows = [
    ['P(loss > 0)', withInterval(f.insolvency, pct)],
    ['P(socialized or unpaid > 0)', withInterval(f.unabsorbed, pct)],
    ['loss', withInterval(f.loss, usd)],
    ['— socialized', usd(f.socialized)],
    ['— unpaid', usd(f.unpaid)],
    ['— open deficit', usd(f.open)],
    ['shortfall', withInterval(f.shortfall, usd)],
    ...f.payers.map((p) => [`— paid by ${p.long}`, `${usd(p.value)} (${pct(p.share)})`]),
    ['vault return', pct(f.vaultReturn)],
    ["LPs' PnL", usd(f.lps)],
  ];
  const payers = paying(f).map((p) => `${p.long} ${usd(p.value)}`);
  // the parts of the loss, those above dust (a cent on average)
  const parts = (
    [
      [f.socialized, 'socialized'],
      [f.unpaid, 'unpaid'],
      [f.open, 'of negative equity still open at the end'],
    ] as const
  )
    .filter(([v]) => v >= 0.01)
    .map(([v, what]) => `${usd(v)} ${what}`);
  return [
    para(
      `${intro} (${count(f.runs)} runs, ${count(f.traders)} traders; means over runs, 95% intervals: t for means (on the log scale, as a loss is never negative), ` +
        'Wilson for probabilities):',
    ),
    '',
    table(['figure', 'value'], rows, [false, true]),
    '',
    para(
      `The probability of a loss is ${withInterval(f.insolvency, pct)}, and of some shortfall being socialized or left ` +
        `unpaid ${withInterval(f.unabsorbed, pct)}. The mean loss is ${withInterval(f.loss, usd)}` +
        (parts.length ? `: ${andList(parts)}` : '') +
        `. The mean shortfall is ${withInterval(f.shortfall, usd)} USD, paid by ${andList(payers)}. ` +
        `The vault returns ${pct(f.vaultReturn)} on average (its LPs' PnL ${usd(f.lps)}).`,
    ),
  ].join('\n');
}

export default runDocs({
  name: 'baseline',
  full: { cmd: 'run', args: [], display: 'npm start' },
  small: { cmd: 'run', args: ['--preset', 'small'] },
  question: "who pays for a crash's shortfall?",
  published: '— (no event)',
  ours(d) {
    const f = figures(d);
    const shares = paying(f).map((p) => `${p.short} ${pct(p.share)}`);
    return (
      `${count(f.runs)} runs: P(loss > 0) ${withInterval(f.insolvency, pct)}; mean loss ${usd(f.loss.estimate)}; ` +
      `mean shortfall ${usd(f.shortfall.estimate)} paid by ${shares.join(', ')}`
    );
  },
  record(d) {
    const f = figures(d);
    return [
      [
        'a crash on a stylised venue',
        '— (no published event)',
        'input',
        'assumed (the venue is a design case)',
      ],
      [
        'P(loss > 0), who pays the shortfall',
        '—',
        `${withInterval(f.insolvency, pct)}; ${paying(f)
          .map((p) => `${p.short} ${pct(p.share)}`)
          .join(', ')}`,
        'emerged',
      ],
    ];
  },
  fullBlock: (d) =>
    block(
      d,
      `Full figures: \`${d.command}\`, which runs \`node bin/backstop-sim.js run baseline --analyze --report\``,
    ),
  smallBlock: (d) => block(d, `Small preset: \`${d.command}\``),
  readme: {
    'readme:baseline': (d) => {
      const f = figures(d);
      const shares = paying(f).map((p) => `${p.long} ${pct(p.share)}`);
      return para(
        `What it finds on this code (${count(f.runs)} runs; generated, see ` +
          '[experiments/README.md](experiments/README.md#baseline)): a loss (socialized + unpaid + open deficit) ' +
          `in ${withInterval(f.insolvency, pct)} of runs, ${usd(f.loss.estimate)} USD on average; a mean shortfall ` +
          `of ${usd(f.shortfall.estimate)} USD, paid by ${andList(shares)}.`,
      );
    },
  },
});
