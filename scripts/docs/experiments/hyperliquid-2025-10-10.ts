/**
 * Generated docs of experiments/hyperliquid-2025-10-10.ts: the 10 October 2025 cascade reproduced by
 * mechanism. Who ADL hit comes from the events (the account's leverage and PnL before each ADL fill) through
 * `adlOutcomesOf`, the function `analyze` uses; the per-minute comparison reads the two files in data/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/experiment/resolve.js';
import { adlOutcomesOf, EVENT_KINDS } from '../../../src/index.js';
import type { PointData, RunData } from '../collect.js';
import { runDocs, values } from '../define.js';
import { count, mean, para, pct, seconds, sig, table, usd } from '../format.js';
import { lossOf } from '../loss.js';

const POLICY = 'waterfall.stages[0].policy';
const PRICE = 'waterfall.stages[0].price';
const DELEVERAGE = EVENT_KINDS.indexOf('deleverage');
const LIQUIDATION = EVENT_KINDS.indexOf('liquidation');
const TAKEOVER = EVENT_KINDS.indexOf('takeover');

/** Published (domain notes §4; data/README.md §2). */
const PUBLISHED = {
  adlShare: 2.1e9 / 7.61e9,
  firstAdlSeconds: 61.7,
  medianLeverage: 0.15,
  overshoot: '45–52M vs ~3M',
};

/** The record's per-minute files (minute starts 21:15 … 21:27). */
function observed() {
  const dir = join(packageRoot(), 'data');
  const rows = (f: string) =>
    readFileSync(join(dir, f), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
  const liq = rows('hyperliquid_liquidation_fill_counts_per_minute_2025-10-10.csv');
  const adl = rows('hyperliquid_adl_notional_per_minute_2025-10-10.csv');
  return {
    minutes: liq.map((r) => r[0].slice(11, 16)),
    liquidations: liq.map((r) => Number(r[1])),
    adl: adl.map((r) => Number(r[1])),
  };
}

const label = (p: PointData) => {
  const policy = p.point[POLICY] as string;
  const price = p.point[PRICE] as string;
  return price === 'bankruptcy' ? `${policy}, at the bankruptcy price` : `${policy}, previous oracle`;
};

/** The shock's first tick: the crash starts there, and the record's clock (21:15:00) with it. */
const crashTick = (p: PointData) => p.config.market.shocks[0].atTick;

/** Per-minute forced closes (liquidations and takeovers, counts) and ADL notional, from the crash on. */
function perMinute(p: PointData, minutes: number) {
  const dt = p.config.dtSeconds;
  const t0 = crashTick(p);
  const liq = new Float64Array(minutes);
  const adl = new Float64Array(minutes);
  for (const r of p.runs) {
    const e = r.events!;
    for (let j = 0; j < e.kind.length; j++) {
      const m = Math.floor(((e.tick[j] - t0) * dt) / 60);
      if (m < 0 || m >= minutes) continue;
      const k = e.kind[j];
      if (k === LIQUIDATION || k === TAKEOVER) liq[m]++;
      else if (k === DELEVERAGE) adl[m] += Math.abs(e.size[j] * e.price[j]);
    }
  }
  return { liq, adl };
}

const shares = (xs: ArrayLike<number>) => {
  const t = Array.from(xs).reduce((a, b) => a + b, 0);
  return Array.from(xs, (x) => (t > 0 ? x / t : 0));
};
/** Total-variation distance between two per-minute shapes (0: the same shape, 1: disjoint). */
const tv = (a: number[], b: number[]) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0) / 2;

function stats(d: RunData) {
  return d.points.map((p) => {
    const liquidated = mean(values(p, (m) => m.liquidated_notional));
    const adl = mean(values(p, (m) => m.adl_notional));
    const who = adlOutcomesOf(
      p.runs.map((r) => r.events!),
      p.config.dtSeconds,
      { fromTick: crashTick(p) },
    );
    return {
      p,
      label: label(p),
      production: p.point[POLICY] === 'queue' && p.point[PRICE] === 'previous-oracle',
      liquidated,
      adl,
      adlShare: adl / (liquidated + adl),
      overshoot: mean(values(p, (m) => m.adl_overshoot)),
      loss: mean(values(p, lossOf)),
      vault: mean(values(p, (m) => m.vault_return)),
      who,
    };
  });
}

const range = (xs: number[], f: (x: number) => string) => {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return f(lo) === f(hi) ? f(lo) : `${f(lo)}–${f(hi)}`;
};
const lev = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${sig(x)}x`);
const delay = (r: ReturnType<typeof stats>[number]) =>
  r.who && r.who.firstDelaySeconds.n > 0 ? seconds(r.who.firstDelaySeconds.estimate) : '—';

function block(d: RunData, intro: string): string {
  const rows = stats(d);
  const prod = rows.find((r) => r.production)!;
  const others = rows.filter((r) => !r.production);
  const best = others.reduce((a, b) => (b.overshoot < a.overshoot ? b : a));
  const obs = observed();
  const M = obs.minutes.length;
  const sim = perMinute(prod.p, M);
  const oL = shares(obs.liquidations);
  const oA = shares(obs.adl);
  const sL = shares(sim.liq);
  const sA = shares(sim.adl);
  const accounts = d.points[0].config.agents.traders.count;
  const money = table(
    ['ADL rule', 'liquidated', 'ADL', 'ADL share', 'overshoot', 'loss', 'vault return'],
    rows.map((r) => [
      r.label,
      usd(r.liquidated),
      usd(r.adl),
      pct(r.adlShare),
      usd(r.overshoot),
      usd(r.loss),
      pct(r.vault),
    ]),
    [false, true, true, true, true, true, true],
  );
  const who = table(
    [
      'ADL rule',
      'accounts hit',
      'median leverage of those hit',
      'in profit',
      'top-10 share',
      'top-1% share',
      'first ADL after the first forced close',
    ],
    rows.map((r) => [
      r.label,
      r.who ? sig(r.who.accountsHit) : '0',
      lev(r.who?.medianLeverage),
      r.who ? pct(r.who.profitableShare) : '—',
      r.who ? pct(r.who.top10Share) : '—',
      r.who ? pct(r.who.top1PctShare) : '—',
      delay(r),
    ]),
    [false, true, true, true, true, true, true],
  );
  const minutes = table(
    [
      'minute (UTC)',
      'liquidation fills, observed',
      'forced closes, ours',
      'ADL notional, observed',
      'ADL notional, ours',
    ],
    obs.minutes.map((m, i) => [m, pct(oL[i]), pct(sL[i]), pct(oA[i]), pct(sA[i])]),
    [false, true, true, true, true],
  );
  const record = table(
    ['measure', 'published', 'ours (production rule)', 'set from the record or emerged'],
    [
      ['ADL share of forced closes', pct(PUBLISHED.adlShare), pct(prod.adlShare), 'emerged'],
      ['first ADL after the first liquidation', seconds(PUBLISHED.firstAdlSeconds), delay(prod), 'emerged'],
      [
        'median leverage of the deleveraged',
        lev(PUBLISHED.medianLeverage),
        lev(prod.who?.medianLeverage),
        'emerged',
      ],
      [
        "overshoot, production vs the best alternative's",
        PUBLISHED.overshoot,
        `${usd(prod.overshoot)} vs ${usd(best.overshoot)}`,
        'emerged',
      ],
      ['per-minute shape, liquidations (TV distance)', '0 (itself)', sig(tv(oL, sL)), 'emerged'],
      ['per-minute shape, ADL notional (TV distance)', '0 (itself)', sig(tv(oA, sA)), 'emerged'],
      ['crash: −15% over 21:15–21:21', 'majors −10% to −20%', 'input', 'set from the record'],
      ['margin: 40x, maintenance half of initial', 'Hyperliquid', 'input', 'set from the record'],
      [
        'waterfall: sliced market orders, HLP below 2/3 MM, ADL at the previous oracle',
        'Hyperliquid',
        'input',
        'set from the record',
      ],
      ['population, book depth, vault capital', '—', 'input', 'assumed (see the experiment file)'],
    ],
    [false, true, true, false],
  );
  const text = [
    `Under the production rule forced closes are ${usd(prod.liquidated)} liquidated or taken over plus ` +
      `${usd(prod.adl)} ADL: ADL is ${pct(prod.adlShare)} of them (published ${pct(PUBLISHED.adlShare)}), ` +
      `${range(
        rows.map((r) => r.adlShare),
        pct,
      )} under every rule. The first ADL comes ${delay(prod)} after the first forced close of the crash ` +
      `(published ${seconds(PUBLISHED.firstAdlSeconds)}). The accounts ADL hit have a median leverage of ` +
      `${lev(prod.who?.medianLeverage)} under the queue and ${range(
        others.filter((r) => r.who && r.p.point[POLICY] !== 'queue').map((r) => r.who!.medianLeverage),
        (x) => lev(x),
      )} under the pro-rata policies (published ${lev(PUBLISHED.medianLeverage)}). Winners give up ` +
      `${usd(prod.overshoot)} beyond the bankrupt accounts' deficits at the previous oracle price, ` +
      `${usd(best.overshoot)} under ${best.label}: in this model the overshoot comes from the ADL price, ` +
      'not from the allocation policy (every policy at the previous oracle price closes the same units at the ' +
      'same price). The vault returns ' +
      `${pct(prod.vault)}.`,
  ];
  return [
    para(
      `${intro} (${count(accounts)} accounts, ${count(d.experiment.runs)} runs per rule; means over runs; ` +
        'who was hit per run from the events, then over the runs with ADL; per-minute shares pooled over the ' +
        "production rule's runs, minutes counted from the crash's start at 21:15:00):",
    ),
    '',
    record,
    '',
    money,
    '',
    who,
    '',
    minutes,
    '',
    para(text.join(' ')),
  ].join('\n');
}

export default runDocs({
  name: 'hyperliquid-2025-10-10',
  full: { cmd: 'run', args: ['--runs', '8'] },
  eventKinds: ['deleverage', 'liquidation', 'takeover'],
  small: { cmd: 'run', args: ['--preset', 'small'] },
  question: '10 Oct 2025 by mechanism: ADL as a closer',
  published: '27.6% ADL; first ADL +61.7 s; median leverage hit 0.15x; overshoot 45–52M vs ~3M',
  ours(d) {
    const rows = stats(d);
    const prod = rows.find((r) => r.production)!;
    const best = rows.filter((r) => !r.production).reduce((a, b) => (b.overshoot < a.overshoot ? b : a));
    return (
      `${pct(prod.adlShare)} ADL; first ADL +${delay(prod)}; median leverage hit ` +
      `${lev(prod.who?.medianLeverage)}; overshoot ${usd(prod.overshoot)} vs ${usd(best.overshoot)}`
    );
  },
  fullBlock: (d) => block(d, `Full figures: \`${d.command}\``),
  smallBlock: (d) => block(d, `Small preset: \`${d.command}\``),
});
