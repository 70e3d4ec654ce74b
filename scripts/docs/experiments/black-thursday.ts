/** Generated docs of experiments/black-thursday.ts: English against Dutch auctions on 12 March 2020. */
import type { PointData, RunData } from '../collect.js';
import { runDocs, values } from '../define.js';
import { count, mean, para, pct, sig, sum, table, usd } from '../format.js';
import { lossOf } from '../loss.js';

const HOLE = 'waterfall.stages[0].hole';
const FAIL = 'market.congestion.failureRate';

/** The four arms: auction type (the Dutch stage's hole: 0 sends every vault to the English stage) × keeper failures. */
function arms(d: RunData) {
  const rates = [...new Set(d.points.map((p) => p.point[FAIL] as number))].sort((a, b) => b - a);
  const failing = rates[0];
  const at = (english: boolean, rate: number) =>
    d.points.find((p) => (p.point[HOLE] === 0) === english && p.point[FAIL] === rate)!;
  return {
    englishFail: at(true, failing),
    englishNever: at(true, 0),
    dutchFail: at(false, failing),
    dutchNever: at(false, 0),
  };
}

function stats(pt: PointData) {
  return {
    english: pt.point[HOLE] === 0,
    rate: pt.point[FAIL] as number,
    auctions: mean(values(pt, (m) => m.auctions)),
    // zero-bid wins over auctions, pooled over the runs
    zeroShare: sum(values(pt, (m) => m.zero_bid_auctions)) / sum(values(pt, (m) => m.auctions)),
    liquidated: mean(values(pt, (m) => m.liquidated_notional)),
    loss: mean(values(pt, lossOf)),
    unpaid: mean(values(pt, (m) => m.unpaid)),
    open: mean(values(pt, (m) => m.open_deficit)),
  };
}

/** Keeper failures at congestion level 1 (the congested hours): P = 1 − e^(−failureRate). */
function failLabel(rate: number): string {
  return rate === 0 ? 'never' : `${pct(1 - Math.exp(-rate))} at level 1`;
}

function compare(a: number, b: number): string {
  if (a === b) return 'the same as';
  const r = a / b;
  if (r > 0.9 && r < 1.1) return 'about the same as';
  return a > b ? 'more than' : 'less than';
}

function block(d: RunData, intro: string): string {
  const a = arms(d);
  const s = {
    ef: stats(a.englishFail),
    en: stats(a.englishNever),
    df: stats(a.dutchFail),
    dn: stats(a.dutchNever),
  };
  const vaults = d.points[0].config.agents.traders.count;
  const socialized = d.points.some((p) => values(p, (m) => m.socialized_loss).some((x) => x !== 0));
  const rows = [s.ef, s.en, s.df, s.dn].map((x) => [
    x.english ? 'English' : 'Dutch',
    failLabel(x.rate),
    sig(x.auctions),
    pct(x.zeroShare),
    usd(x.liquidated),
    usd(x.loss),
    usd(x.unpaid),
    usd(x.open),
  ]);
  return [
    para(
      `${intro} (${count(vaults)} vaults, ${count(d.experiment.runs)} runs per point; means over runs, the zero-bid ` +
        `share pooled over them${socialized ? '' : '; nothing is socialized, so loss = unpaid + open deficit'}):`,
    ),
    '',
    table(
      [
        'auctions',
        'keepers fail',
        'auctions run',
        'zero-bid share',
        'liquidated',
        'loss',
        'unpaid',
        'open deficit',
      ],
      rows,
      [false, false, true, true, true, true, true, true],
    ),
    '',
    para(
      `English auctions with failing keepers: ${pct(s.ef.zeroShare)} of auctions won with zero bids and a loss of ` +
        `${usd(s.ef.loss)}; Dutch auctions on the same path: ${pct(s.df.zeroShare)} and ${usd(s.df.loss)}. With ` +
        `keepers that never fail the English loss is ${usd(s.en.loss)}, ${compare(s.en.loss, s.ef.loss)} with ` +
        `failing keepers (${usd(s.ef.loss)}), and the zero-bid share is ${pct(s.en.zeroShare)}.`,
    ),
  ].join('\n');
}

export default runDocs({
  name: 'black-thursday',
  full: { cmd: 'run', args: ['--runs', '12'] },
  small: { cmd: 'run', args: ['--preset', 'small'] },
  question: 'English vs Dutch auctions on 12 Mar 2020',
  published: '36% zero bids; 5.67M DAI deficit',
  ours(d) {
    const a = arms(d);
    const ef = stats(a.englishFail);
    const df = stats(a.dutchFail);
    return `English, failing keepers: ${pct(ef.zeroShare)} zero bids, ${usd(ef.loss)} loss; Dutch: ${pct(df.zeroShare)}, ${usd(df.loss)}`;
  },
  fullBlock: (d) => block(d, `Full figures: \`${d.command}\``),
  smallBlock: (d) => block(d, `Small preset: \`${d.command}\``),
});
