/** Generated docs of experiments/clipper-sweep.ts: Clipper terms across volatilities, ETH-B's against Gauntlet's. */
import type { PointData, RunData } from '../collect.js';
import { runDocs, values } from '../define.js';
import { count, mean, para, param, table, usd } from '../format.js';
import { lossOf } from '../loss.js';

const F = {
  sigma: 'market.index.sigma',
  buf: 'waterfall.stages[0].buf',
  cut: 'waterfall.stages[0].curve.cut',
  step: 'waterfall.stages[0].curve.step',
  cusp: 'waterfall.stages[0].cusp',
  tail: 'waterfall.stages[0].tail',
} as const;
type Terms = { buf: number; cut: number; step: number; cusp: number; tail: number };
const ETH_B: Terms = { buf: 1.3, cut: 0.99, step: 90, cusp: 0.4, tail: 8400 };
const GAUNTLET: Terms = { buf: 1.1, cut: 0.997, step: 30, cusp: 0.6, tail: 5200 };

const termsOf = (p: PointData): Terms => ({
  buf: p.point[F.buf] as number,
  cut: p.point[F.cut] as number,
  step: p.point[F.step] as number,
  cusp: p.point[F.cusp] as number,
  tail: p.point[F.tail] as number,
});
const same = (a: Terms, b: Terms) =>
  a.buf === b.buf && a.cut === b.cut && a.step === b.step && a.cusp === b.cusp && a.tail === b.tail;
const termsText = (t: Terms) =>
  `buf ${param(t.buf)}, cut ${param(t.cut)} every ${param(t.step)} s, cusp ${param(t.cusp)}, tail ${param(t.tail)} s`;

function bySigma(d: RunData) {
  const sigmas = [...new Set(d.points.map((p) => p.point[F.sigma] as number))].sort((a, b) => a - b);
  return sigmas.map((sigma) => {
    const pts = d.points.filter((p) => p.point[F.sigma] === sigma);
    const loss = (p: PointData) => mean(values(p, lossOf));
    const g = pts.find((p) => same(termsOf(p), GAUNTLET))!;
    const e = pts.find((p) => same(termsOf(p), ETH_B))!;
    const losses = pts.map(loss);
    const least = Math.min(...losses);
    const most = Math.max(...losses);
    return {
      sigma,
      grid: pts.length,
      gauntlet: loss(g),
      ethB: loss(e),
      least,
      atLeast: losses.filter((l) => l === least).length,
      below: losses.filter((l) => l < loss(g)).length,
      most,
      worst: pts.filter((p) => loss(p) === most).map(termsOf),
      keepers: [mean(values(g, (m) => m.pnl_liquidators)), mean(values(e, (m) => m.pnl_liquidators))],
      liquidated: [
        mean(values(g, (m) => m.liquidated_notional)),
        mean(values(e, (m) => m.liquidated_notional)),
      ],
    };
  });
}

function block(d: RunData, intro: string): string {
  const rows = bySigma(d);
  const hi = rows[rows.length - 1];
  const vaults = d.points[0].config.agents.traders.count;
  const points = d.points.length;
  const lines = [
    para(
      `${intro} (${count(vaults)} vaults, ${count(points)} points, ${count(d.experiment.runs)} run(s) per point; ` +
        `means over runs; the grid columns over the ${count(rows[0].grid)} terms at each σ):`,
    ),
    '',
    table(
      [
        'σ',
        "loss, Gauntlet's terms",
        "loss, ETH-B's",
        'least in the grid',
        'most in the grid',
        "keepers' PnL, Gauntlet / ETH-B",
        'liquidated, Gauntlet / ETH-B',
      ],
      rows.map((r) => [
        param(r.sigma),
        usd(r.gauntlet),
        usd(r.ethB),
        `${usd(r.least)} (${count(r.atLeast)} of ${count(r.grid)})`,
        usd(r.most),
        `${usd(r.keepers[0])} / ${usd(r.keepers[1])}`,
        `${usd(r.liquidated[0])} / ${usd(r.liquidated[1])}`,
      ]),
      [false, true, true, true, true, true, true],
    ),
    '',
    para(
      `At σ ${param(hi.sigma)} the loss is ${usd(hi.gauntlet)} under Gauntlet's terms and ${usd(hi.ethB)} under ` +
        `ETH-B's, and keepers earn ${usd(hi.keepers[0])} against ${usd(hi.keepers[1])}. ` +
        (hi.below === 0
          ? `No terms in the grid leave less loss than Gauntlet's at σ ${param(hi.sigma)} (${count(hi.atLeast)} of ${count(hi.grid)} tie for the least, ${usd(hi.least)}). `
          : `${count(hi.below)} of the ${count(hi.grid)} terms in the grid leave less loss than Gauntlet's at σ ${param(hi.sigma)}; the least is ${usd(hi.least)}. `) +
        `The most loss at σ ${param(hi.sigma)}, ${usd(hi.most)}, comes with ${hi.worst.map(termsText).join('; ')}. ` +
        `Liquidated notional (throughput) is ${usd(hi.liquidated[0])} under Gauntlet's terms and ${usd(hi.liquidated[1])} under ETH-B's.`,
    ),
  ];
  return lines.join('\n');
}

export default runDocs({
  name: 'clipper-sweep',
  full: { cmd: 'run', args: ['--runs', '8'] },
  small: { cmd: 'run', args: ['--preset', 'small'] },
  question: 'Clipper terms across volatilities',
  published: 'Gauntlet: buf 1.10, cut 0.997/30 s, cusp 0.6, tail 5,200',
  ours(d) {
    const hi = bySigma(d).at(-1)!;
    const rank =
      hi.below === 0
        ? `least loss of the grid at σ ${param(hi.sigma)}`
        : `${count(hi.below)} of ${count(hi.grid)} terms leave less loss at σ ${param(hi.sigma)}`;
    return `Gauntlet's terms: ${rank} (${usd(hi.gauntlet)} vs ETH-B ${usd(hi.ethB)})`;
  },
  record(d) {
    const hi = bySigma(d).at(-1)!;
    return [
      [
        "Gauntlet's recommended Clipper terms",
        termsText(GAUNTLET),
        'swept with ETH-B’s and a grid',
        'set from the record',
      ],
      [
        `their loss against the grid at σ ${param(hi.sigma)}`,
        'the best of Gauntlet’s simulations',
        hi.below === 0 ? 'least of the grid' : `${count(hi.below)} of ${count(hi.grid)} terms lose less`,
        'emerged',
      ],
      ['the path, keepers and vaults', '—', 'input', 'assumed (see the experiment file)'],
    ];
  },
  fullBlock: (d) => block(d, `Full figures: \`${d.command}\``),
  smallBlock: (d) => block(d, `Small preset: \`${d.command}\``),
});
