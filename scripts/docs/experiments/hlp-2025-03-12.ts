/**
 * Generated docs of experiments/hlp-2025-03-12.ts: the HLP ETH whale of 12 March 2025 by mechanism. The whale
 * is the experiment's only trader, so `pnl_traders` is its PnL; the vault's PnL is its return times its
 * starting equity (it has no LPs coming or going).
 */
import type { PointData, RunData } from '../collect.js';
import { runDocs, values } from '../define.js';
import { count, mean, para, pct, signed, table, usd } from '../format.js';

const IMR = 'venue.tiers[0].imr';
const FLOOR = 'venue.withdrawMarginFloor';

/** Published (domain notes §4, press). */
const PUBLISHED = { vaultLoss: 4e6, whaleGain: 1.8e6, notional: 306e6 };

function label(p: PointData): string {
  const lev = Math.round(1 / (p.point[IMR] as number));
  const floor = p.point[FLOOR] as number;
  const rule = floor > 0 ? `withdrawals leave ${pct(floor)}` : 'withdrawals down to initial margin';
  return `${lev}x, ${rule}`;
}

function stats(p: PointData) {
  const vault = (p.config.waterfall.stages as { stage: string; initialUsd?: number }[]).find(
    (s) => s.stage === 'vault',
  )!;
  const v0 = vault.initialUsd ?? 0;
  const liquidated = values(p, (m) => m.liquidated_notional);
  return {
    label: label(p),
    day: (p.point[FLOOR] as number) === 0 && Math.round(1 / (p.point[IMR] as number)) === 50,
    liquidatedRuns: liquidated.filter((x) => x > 0).length,
    runs: p.runs.length,
    liquidated: mean(liquidated),
    shortfall: mean(values(p, (m) => m.shortfall)),
    vaultPnl: mean(values(p, (m) => m.vault_return * v0)),
    whale: mean(values(p, (m) => m.pnl_traders)),
  };
}

const within2 = (ours: number, published: number) =>
  ours > 0 && ours / published <= 2 && published / ours <= 2 ? 'yes' : 'no';

function block(d: RunData, intro: string): string {
  const rows = d.points.map(stats);
  const day = rows.find((r) => r.day)!;
  const fixed = rows.filter((r) => !r.day);
  return [
    para(
      `${intro} (${count(d.experiment.runs)} runs per rule; means over runs; the whale's PnL counts what it ` +
        'withdrew and what is left on the venue at the end):',
    ),
    '',
    table(
      ['measure', 'published', 'ours (rules of the day)', 'within 2×', 'set from the record or emerged'],
      [
        [
          'the whale’s position',
          `${usd(PUBLISHED.notional)} at 50x`,
          `${usd(PUBLISHED.notional)} at 50x`,
          '—',
          'set',
        ],
        [
          'vault loss',
          usd(PUBLISHED.vaultLoss),
          usd(-day.vaultPnl),
          within2(-day.vaultPnl, PUBLISHED.vaultLoss),
          'emerged (set mostly by the assumed book and unwinding)',
        ],
        [
          'whale gain',
          usd(PUBLISHED.whaleGain),
          signed(usd(day.whale)),
          within2(day.whale, PUBLISHED.whaleGain),
          'follows from the assumed 3% rise (what it withdraws at the top)',
        ],
        ['path, book, vault equity and unwinding', '—', 'input', '—', 'assumed (see the experiment file)'],
      ],
      [false, true, true, false, false],
    ),
    '',
    table(
      ['rules', 'runs liquidated', 'liquidated or taken over', 'shortfall', 'vault PnL', "whale's PnL"],
      rows.map((r) => [
        r.label,
        `${r.liquidatedRuns} of ${r.runs}`,
        usd(r.liquidated),
        usd(r.shortfall),
        signed(usd(r.vaultPnl)),
        signed(usd(r.whale)),
      ]),
      [false, true, true, true, true, true],
    ),
    '',
    para(
      `Under the rules of the day the whale withdraws down to initial margin at the top and is liquidated in ` +
        `${day.liquidatedRuns} of ${day.runs} runs: the vault's PnL is ${signed(usd(day.vaultPnl))} (published about ` +
        `${usd(-PUBLISHED.vaultLoss)}) and the whale's ${signed(usd(day.whale))} (published about +${usd(PUBLISHED.whaleGain)}). ` +
        fixed
          .map(
            (r) =>
              `With ${r.label}: liquidated in ${r.liquidatedRuns} of ${r.runs}, vault ${signed(usd(r.vaultPnl))}, whale ${signed(usd(r.whale))}.`,
          )
          .join(' '),
    ),
  ].join('\n');
}

export default runDocs({
  name: 'hlp-2025-03-12',
  full: { cmd: 'run', args: [] },
  small: { cmd: 'run', args: ['--preset', 'small'] },
  question: 'the HLP ETH whale of 12 Mar 2025 by mechanism',
  published: 'vault −4M, whale +1.8M',
  ours(d) {
    const day = d.points.map(stats).find((r) => r.day)!;
    return `rules of the day: vault ${signed(usd(day.vaultPnl))}, whale ${signed(usd(day.whale))}`;
  },
  fullBlock: (d) => block(d, `Full figures: \`${d.command}\``),
  smallBlock: (d) => block(d, `Small preset: \`${d.command}\``),
});
