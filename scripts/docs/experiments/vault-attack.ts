/**
 * Generated docs of experiments/vault-attack.ts: the JELLY pattern against the backstop vault. The index
 * peak and the vault's lowest equity come from the per-tick series (`--series 1`).
 */
import type { PointData, RunData } from '../collect.js';
import { pointAt, runDocs, values } from '../define.js';
import { count, mean, para, paramUsd, pct, signed, table, times, usd } from '../format.js';
import { lossOf } from '../loss.js';

const DEPTH = 'market.liquidity.depthUsd';
const CAP = 'waterfall.stages[0].maxPositionUsd';
const SETTLE = 'waterfall.stages[4].atTick';

function seriesOf(p: PointData, name: 'index' | 'vault_equity', f: (xs: Float64Array) => number): number {
  return mean(
    p.runs.map((r) => {
      const s = r.series?.[name];
      if (!s?.length) throw new Error('docs: vault-attack needs the per-tick series (--series 1)');
      return f(s);
    }),
  );
}
const max = (xs: Float64Array) => xs.reduce((a, b) => Math.max(a, b), -Infinity);
const min = (xs: Float64Array) => xs.reduce((a, b) => Math.min(a, b), Infinity);

function stats(p: PointData) {
  const p0 = p.config.market.index.p0 as number;
  const settles = p.point[SETTLE] !== 'never';
  return {
    depth: p.point[DEPTH] as number,
    cap: p.point[CAP] as number,
    settles,
    settleTick: settles ? Number(p.point[SETTLE]) : Number.NaN,
    // the point's own value (a column of 'never' and ticks is written as text)
    settleValue: p.point[SETTLE],
    peak: seriesOf(p, 'index', max) / p0,
    vaultMin: seriesOf(p, 'vault_equity', min),
    drawdown: mean(values(p, (m) => m.vault_max_drawdown)),
    vaultReturn: mean(values(p, (m) => m.vault_return)),
    paidByVault: mean(values(p, (m) => m.paid_by_vault)),
    attacker: mean(values(p, (m) => m.pnl_traders)),
    loss: mean(values(p, lossOf)),
  };
}

/** The vault's starting capital (its stage's `initialUsd`). */
function vaultStart(d: RunData): number {
  const v = d.points[0].config.waterfall.stages.find((s) => s.stage === 'vault');
  if (typeof v?.initialUsd !== 'number')
    throw new Error('docs: vault-attack: no vault stage with initialUsd');
  return v.initialUsd;
}

function block(d: RunData, intro: string): string {
  const all = d.points.map(stats);
  const depths = [...new Set(all.map((s) => s.depth))].sort((a, b) => a - b);
  const thin = depths[0];
  const capValue = Math.max(...all.map((s) => s.cap));
  const settled0 = all.filter((s) => s.settles).sort((a, b) => a.settleTick - b.settleTick)[0];
  const at = (depth: number, cap: number, settle: boolean) =>
    stats(
      pointAt(d, {
        [DEPTH]: depth,
        [CAP]: cap,
        [SETTLE]: settle ? settled0.settleValue : 'never',
      }),
    );
  const open = at(thin, 0, false);
  const capped = at(thin, capValue, false);
  const settled = at(thin, 0, true);
  const vault0 = vaultStart(d);
  const rows = all.map((s) => [
    paramUsd(s.depth),
    s.cap ? paramUsd(s.cap) : 'none',
    s.settles ? `tick ${count(s.settleTick)}` : 'never',
    times(s.peak),
    usd(s.vaultMin),
    pct(s.drawdown),
    pct(s.vaultReturn),
    usd(s.paidByVault),
    usd(s.attacker),
    usd(s.loss),
  ]);
  const openAt = depths.slice(1).map((x) => `${pct(at(x, 0, false).drawdown)} on the ${paramUsd(x)} book`);
  return [
    para(
      `${intro} (${count(d.experiment.runs)} runs per point; means over runs; the attacker's PnL after it sold its spot back):`,
    ),
    '',
    table(
      [
        'book depth (per 1%)',
        'OI cap',
        'settlement',
        'index peak',
        "vault's lowest equity",
        'vault drawdown',
        'vault return',
        'paid by vault',
        "attacker's PnL",
        'loss',
      ],
      rows,
      [true, true, false, true, true, true, true, true, true, true],
    ),
    '',
    para(
      `On the ${paramUsd(thin)} book, without a cap or a settlement, the index peaks at ${times(open.peak)} its start ` +
        `(${signed(pct(open.peak - 1))}) and the vault's equity falls from ${paramUsd(vault0)} to ${usd(open.vaultMin)}, ` +
        `an unrealized loss of ${usd(vault0 - open.vaultMin)}. Settled at the pre-attack price at tick ` +
        `${count(settled0.settleTick)}, the vault ends at ${pct(settled.vaultReturn)} instead of ${pct(open.vaultReturn)}, ` +
        `and the attacker's PnL is ${signed(usd(settled.attacker))} instead of ${signed(usd(open.attacker))}. ` +
        `A ${paramUsd(capValue)} cap on takeovers takes the vault's drawdown from ${pct(open.drawdown)} to ` +
        `${pct(capped.drawdown)}; the vault still pays ${usd(capped.paidByVault)} of shortfall. Without a cap or ` +
        `settlement the drawdown is ${openAt.join(' and ')}.`,
    ),
  ].join('\n');
}

export default runDocs({
  name: 'vault-attack',
  full: { cmd: 'run', args: ['--series', '1'] },
  small: { cmd: 'run', args: ['--preset', 'small', '--series', '1'] },
  question: 'the JELLY pattern against the vault',
  published: 'push +400–500%; vault −12M unrealized; settled',
  ours(d) {
    const all = d.points.map(stats);
    const thin = Math.min(...all.map((s) => s.depth));
    const open = stats(pointAt(d, { [DEPTH]: thin, [CAP]: 0, [SETTLE]: 'never' }));
    const first = all.filter((s) => s.settles).sort((a, b) => a.settleTick - b.settleTick)[0];
    const settled = stats(pointAt(d, { [DEPTH]: thin, [CAP]: 0, [SETTLE]: first.settleValue }));
    const vault0 = vaultStart(d);
    return (
      `push ${signed(pct(open.peak - 1))}; vault ${usd(open.vaultMin - vault0)} unrealized (of ${paramUsd(vault0)}); ` +
      `settlement: ${pct(settled.vaultReturn)} instead of ${pct(open.vaultReturn)}`
    );
  },
  record(d) {
    const all = d.points.map(stats);
    const thin = Math.min(...all.map((s) => s.depth));
    const open = stats(pointAt(d, { [DEPTH]: thin, [CAP]: 0, [SETTLE]: 'never' }));
    const vault0 = vaultStart(d);
    return [
      ['the bait short taken over', '4–6M', '5M', 'set from the record'],
      [
        'the spot push',
        '+400–500%',
        `${signed(pct(open.peak - 1))} (thinnest book)`,
        'follows from the spot bought and the assumed spot depth',
      ],
      [
        "the vault's unrealized loss at the peak",
        'about 12M',
        `${usd(vault0 - open.vaultMin)} (of ${paramUsd(vault0)})`,
        'emerged',
      ],
      [
        'settlement at a chosen price',
        'delisted and settled',
        'swept: never, or at tick 100 at the pre-attack price',
        'set from the record',
      ],
    ];
  },
  fullBlock: (d) => block(d, `Full figures: \`${d.command}\``),
  smallBlock: (d) => block(d, `Small preset: \`${d.command}\``),
});
