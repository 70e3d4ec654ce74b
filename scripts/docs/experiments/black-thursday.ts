/** Generated docs of experiments/black-thursday.ts: English against Dutch auctions on 12 March 2020. */
import type { PointData, RunData } from '../collect.js';
import { runDocs, values } from '../define.js';
import { count, mean, para, pct, sig, sum, table, usd } from '../format.js';
import { lossOf } from '../loss.js';

const HOLE = 'waterfall.stages[0].hole';
/** The default keepers' gas ceiling (USD; 0: none), swept for English bidders and Dutch takers alike. */
const CEILING = 'agents.liquidators.mix[0].params.maxGasUsd';

/** Published (domain notes §4). */
const PUBLISHED = { zeroShare: 0.36, deficit: 5.67e6, zeroBidUsd: 8.32e6 };

/** The zero-bid bots' count (swept in the last points). */
const BOTS = 'agents.liquidators.mix[2].count';

/** The four arms at the base bot count: auction type (the Dutch stage's hole: 0 sends every vault to the English stage) × keepers. */
function arms(d: RunData) {
  const base = d.points[0].point[BOTS];
  const at = (english: boolean, failing: boolean) =>
    d.points.find(
      (p) =>
        p.point[BOTS] === base &&
        (p.point[HOLE] === 0) === english &&
        (p.point[CEILING] as number) > 0 === failing,
    )!;
  return {
    englishFail: at(true, true),
    englishNever: at(true, false),
    dutchFail: at(false, true),
    dutchNever: at(false, false),
  };
}

function stats(pt: PointData) {
  return {
    english: pt.point[HOLE] === 0,
    ceiling: pt.point[CEILING] as number,
    auctions: mean(values(pt, (m) => m.auctions)),
    // zero-bid wins over auctions, pooled over the runs
    zeroShare: sum(values(pt, (m) => m.zero_bid_auctions)) / sum(values(pt, (m) => m.auctions)),
    liquidated: mean(values(pt, (m) => m.liquidated_notional)),
    zeroValue: mean(values(pt, (m) => m.zero_bid_value)),
    loss: mean(values(pt, lossOf)),
    unpaid: mean(values(pt, (m) => m.unpaid)),
    open: mean(values(pt, (m) => m.open_deficit)),
  };
}

/** How the default keepers fail: priced out above their gas ceiling (as on the day), or not at all. */
function failLabel(ceiling: number): string {
  return ceiling > 0
    ? `priced out above ${sig(ceiling)} USD of gas (as on the day)`
    : 'keep bidding at any gas';
}

const within2 = (ours: number, published: number) =>
  ours > 0 && ours / published <= 2 && published / ours <= 2 ? 'yes' : 'no';

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
    failLabel(x.ceiling),
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
        'default keepers',
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
      'The zero-bid bots are an assumption the outcome follows (English, default keepers priced out; each bot ' +
        'carries one transaction at a time under congestion):',
    ),
    '',
    table(
      ['zero-bid bots', 'zero-bid share', 'loss'],
      d.points
        .filter((p) => p.point[HOLE] === 0 && (p.point[CEILING] as number) > 0)
        .sort((x, y) => (x.point[BOTS] as number) - (y.point[BOTS] as number))
        .map((p) => {
          const x = stats(p);
          return [String(p.point[BOTS]), pct(x.zeroShare), usd(x.loss)];
        }),
      [true, true, true],
    ),
    '',
    table(
      [
        'measure',
        'published',
        'ours (English, as on the day)',
        'within 2×',
        'set from the record or emerged',
      ],
      [
        ['flip auctions', '≈ 3,500–4,000', sig(s.ef.auctions), '—', 'set (one 50-ETH lot per vault)'],
        [
          'zero-bid share',
          pct(PUBLISHED.zeroShare),
          pct(s.ef.zeroShare),
          within2(s.ef.zeroShare, PUBLISHED.zeroShare),
          'emerged',
        ],
        ['deficit', usd(PUBLISHED.deficit), usd(s.ef.loss), within2(s.ef.loss, PUBLISHED.deficit), 'emerged'],
        ['gas at the peak', 'about 6× calm', '6× calm from 10:00 UTC', '—', 'set'],
        [
          'ETH won at zero bids (value at the index when won)',
          usd(PUBLISHED.zeroBidUsd),
          usd(s.ef.zeroValue),
          within2(s.ef.zeroValue, PUBLISHED.zeroBidUsd),
          'emerged',
        ],
        ["keepers' software, DAI, counts", '—', 'input', '—', 'assumed (see the experiment file)'],
      ],
      [false, true, true, false, false],
    ),
    '',
    para(
      `English auctions with the default keepers priced out by gas, as on the day: ${pct(s.ef.zeroShare)} of auctions ` +
        `won with zero bids and a loss of ${usd(s.ef.loss)} (published ${pct(PUBLISHED.zeroShare)} and ` +
        `${usd(PUBLISHED.deficit)}); Dutch auctions on the same path: ${pct(s.df.zeroShare)} and ${usd(s.df.loss)}. ` +
        `With the default keepers bidding at any gas the English loss is ${usd(s.en.loss)}, ` +
        `${compare(s.en.loss, s.ef.loss)} with them priced out (${usd(s.ef.loss)}), and the zero-bid share is ` +
        `${pct(s.en.zeroShare)}.`,
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
    return `English, keepers priced out by gas: ${pct(ef.zeroShare)} zero bids, ${usd(ef.loss)} loss; Dutch: ${pct(df.zeroShare)}, ${usd(df.loss)}`;
  },
  fullBlock: (d) => block(d, `Full figures: \`${d.command}\``),
  smallBlock: (d) => block(d, `Small preset: \`${d.command}\``),
});
