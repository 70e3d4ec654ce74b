/**
 * Generated docs of experiments/adl-policies.ts: ADL policies in a 10-October-2025-like cascade. The burden
 * figures come from the events (`deleverage`: USD seized from a winner; `liquidation`), as in
 * test/experiments-adl-policies.test.ts.
 */
import { EVENT_KINDS, mixCounts } from '../../../src/index.js';
import type { PointData, RunData } from '../collect.js';
import { runDocs, values } from '../define.js';
import { count, mean, para, param, pct, seconds, sig, table, usd } from '../format.js';
import { lossOf } from '../loss.js';

const POLICY = 'waterfall.stages[2].policy';
const CLOSE = 'waterfall.stages[2].close';
const DELEVERAGE = EVENT_KINDS.indexOf('deleverage');
const LIQUIDATION = EVENT_KINDS.indexOf('liquidation');

/** Published (domain notes §4, data/hyperliquid_*_2025-10-10.csv). */
const PUBLISHED = { adlShare: '27.6%', firstAdl: '61.7 s' };

function label(p: PointData): string {
  const policy = p.point[POLICY] as string;
  const close = p.point[CLOSE] as string;
  if (policy === 'queue')
    return close === 'whole' ? 'production-like queue (closes whole)' : 'queue, only what is needed';
  return policy;
}

/** Trader groups (mix entries): label and the account ids' group. */
function groups(p: PointData) {
  const t = p.config.agents.traders;
  const counts = mixCounts(t.count, t.mix);
  const of = new Int32Array(t.count);
  let i = 0;
  counts.forEach((c, k) => {
    of.fill(k, i, i + c);
    i += c;
  });
  const labels = t.mix.map((m) => {
    const params = m.params as { side?: string; leverage?: number };
    return `${param(params.leverage ?? 0)}x ${params.side ?? ''}s`;
  });
  const leverage = t.mix.map((m) => (m.params as { leverage?: number }).leverage ?? 0);
  const shorts = t.mix
    .map((m, k) => ((m.params as { side?: string }).side === 'short' ? k : -1))
    .filter((k) => k >= 0);
  /** Position in `shorts` of the lowest-leverage short group (the large accounts the published queue hit). */
  const lowest = shorts.reduce((best, k, i) => (leverage[k] < leverage[shorts[best]] ? i : best), 0);
  return { of, labels, shorts, lowest };
}

function burden(p: PointData, g: ReturnType<typeof groups>) {
  const dt = p.config.dtSeconds;
  const perRun = p.runs.map((r) => {
    const e = r.events!;
    const seized = new Map<number, number>();
    let first = -1;
    let firstLiq = -1;
    for (let j = 0; j < e.kind.length; j++) {
      if (e.kind[j] === DELEVERAGE) {
        seized.set(e.account[j], (seized.get(e.account[j]) ?? 0) + e.amount[j]);
        if (first < 0) first = e.tick[j];
      } else if (e.kind[j] === LIQUIDATION && firstLiq < 0) firstLiq = e.tick[j];
    }
    const v = [...seized.values()].sort((a, b) => b - a);
    const total = v.reduce((a, b) => a + b, 0);
    const share = (k: number) => {
      let mine = 0;
      for (const [a, x] of seized) if (a < g.of.length && g.of[a] === k) mine += x;
      return total > 0 ? mine / total : 0;
    };
    return {
      hit: seized.size,
      top10: total > 0 ? v.slice(0, 10).reduce((a, b) => a + b, 0) / total : 0,
      groups: g.shorts.map(share),
      delay: first >= 0 && firstLiq >= 0 ? (first - firstLiq) * dt : Number.NaN,
    };
  });
  return {
    hit: mean(perRun.map((r) => r.hit)),
    top10: mean(perRun.map((r) => r.top10)),
    groups: g.shorts.map((_, i) => mean(perRun.map((r) => r.groups[i]))),
    delays: perRun.map((r) => r.delay).filter((x) => Number.isFinite(x)),
  };
}

function stats(d: RunData) {
  const g = groups(d.points[0]);
  return {
    g,
    rows: d.points.map((p) => {
      const liquidated = mean(values(p, (m) => m.liquidated_notional));
      const adl = mean(values(p, (m) => m.adl_notional));
      return {
        label: label(p),
        whole: p.point[CLOSE] === 'whole',
        policy: p.point[POLICY] as string,
        liquidated,
        adl,
        adlShare: adl / (liquidated + adl),
        shortfall: mean(values(p, (m) => m.shortfall)),
        fund: mean(values(p, (m) => m.paid_by_insurance_fund)),
        paidByAdl: mean(values(p, (m) => m.paid_by_adl)),
        overshoot: mean(values(p, (m) => m.adl_overshoot)),
        loss: mean(values(p, lossOf)),
        unpaid: mean(values(p, (m) => m.unpaid)),
        ...burden(p, g),
      };
    }),
  };
}

const range = (xs: number[], f: (x: number) => string) => {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return f(lo) === f(hi) ? f(lo) : `${f(lo)}–${f(hi)}`;
};

function block(d: RunData, intro: string): string {
  const { g, rows } = stats(d);
  const prod = rows.find((r) => r.whole)!;
  const queue = rows.find((r) => !r.whole && r.policy === 'queue')!;
  const proRata = rows.find((r) => r.policy === 'pro-rata')!;
  const risk = rows.find((r) => r.policy === 'risk-aware-pro-rata')!;
  const needed = rows.filter((r) => !r.whole);
  const lowLev = g.lowest;
  const delays = rows.flatMap((r) => r.delays);
  const accounts = d.points[0].config.agents.traders.count;
  const money = table(
    [
      'policy',
      'liquidated',
      'ADL',
      'ADL share',
      'shortfall',
      'fund paid',
      'ADL paid',
      'overshoot',
      'loss',
      'of it unpaid',
    ],
    rows.map((r) => [
      r.label,
      usd(r.liquidated),
      usd(r.adl),
      pct(r.adlShare),
      usd(r.shortfall),
      usd(r.fund),
      usd(r.paidByAdl),
      usd(r.overshoot),
      usd(r.loss),
      usd(r.unpaid),
    ]),
    [false, true, true, true, true, true, true, true, true, true],
  );
  const who = table(
    [
      'policy',
      'accounts hit',
      'top-10 share',
      ...g.shorts.map((k) => `${g.labels[k]}' share`),
      'first ADL after first liquidation',
    ],
    rows.map((r) => [
      r.label,
      sig(r.hit),
      pct(r.top10),
      ...r.groups.map(pct),
      r.delays.length ? seconds(mean(r.delays)) : '—',
    ]),
    [false, true, true, ...g.shorts.map(() => true), true],
  );
  const text = [
    `Forced closes under the production-like queue are ${usd(prod.liquidated)} liquidated plus ${usd(prod.adl)} ADL, ` +
      `so ADL is ${pct(prod.adlShare)} of them (published ${PUBLISHED.adlShare}). Overshoot is ${usd(prod.overshoot)} ` +
      `under the production-like queue and ${range(
        needed.map((r) => r.overshoot),
        usd,
      )} under the policies that ` +
      `reduce only what is needed. Under the production-like queue the insurance fund pays ${usd(prod.fund)} of the ` +
      `${usd(prod.shortfall)} shortfall, against ${usd(queue.fund)} of ${usd(queue.shortfall)} under the queue that ` +
      `reduces only what is needed; winners give up ${usd(prod.paidByAdl + prod.overshoot)} under the ` +
      `production-like queue (ADL paid plus overshoot) and ${range(
        needed.map((r) => r.paidByAdl + r.overshoot),
        usd,
      )} under the others. The loss is ${range(
        rows.map((r) => r.loss),
        usd,
      )} under every policy, ${range(
        rows.map((r) => r.unpaid),
        usd,
      )} of it unpaid.`,
    `Concentration: the 10 most-hit accounts bear ${pct(queue.top10)} of the ADL burden under the queue ` +
      `(${pct(prod.top10)} closing whole winners) and ${pct(proRata.top10)} under pro-rata; the queue hits ` +
      `${sig(queue.hit)} accounts, pro-rata ${sig(proRata.hit)}.` +
      ` Who is hit: the ${g.labels[g.shorts[lowLev]]} bear ${pct(queue.groups[lowLev])} of the burden under the ` +
      `queue, ${pct(proRata.groups[lowLev])} under pro-rata and ${pct(risk.groups[lowLev])} under risk-aware pro-rata.`,
    `Timing: the first ADL comes ${range(delays, seconds)} after the first liquidation (published ${PUBLISHED.firstAdl}).`,
  ];
  return [
    para(
      `${intro} (${count(accounts)} accounts, ${count(d.experiment.runs)} runs per policy; means over runs; shares ` +
        "of the ADL burden (USD seized) per run, then averaged; a policy's delay is the mean over its runs):",
    ),
    '',
    money,
    '',
    who,
    '',
    para(text.join(' ')),
  ].join('\n');
}

export default runDocs({
  name: 'adl-policies',
  full: { cmd: 'run', args: ['--runs', '8'] },
  // the pro-rata policies log an event per winner per shortfall (gigabytes over the full run)
  eventKinds: ['deleverage', 'liquidation'],
  small: { cmd: 'run', args: ['--preset', 'small'] },
  question: 'ADL policy in a 10-Oct-2025-like cascade',
  published: 'queue overshoot 45–52M vs ~3M; 27.6% of forced closes ADL; first ADL +61.7 s',
  ours(d) {
    const { rows } = stats(d);
    const prod = rows.find((r) => r.whole)!;
    const needed = rows.filter((r) => !r.whole);
    return (
      `production-like queue overshoot ${usd(prod.overshoot)} vs ${range(
        needed.map((r) => r.overshoot),
        usd,
      )}; ` + `${pct(prod.adlShare)} ADL; first ADL +${range(prod.delays, seconds)}`
    );
  },
  record(d) {
    const { rows } = stats(d);
    const prod = rows.find((r) => r.whole)!;
    const needed = rows.filter((r) => !r.whole);
    return [
      ['ADL share of forced closes', PUBLISHED.adlShare, pct(prod.adlShare), 'emerged'],
      ['first ADL after the first liquidation', PUBLISHED.firstAdl, range(prod.delays, seconds), 'emerged'],
      [
        'overshoot, production queue vs the others',
        '45–52M vs ~3M',
        `${usd(prod.overshoot)} vs ${range(
          needed.map((r) => r.overshoot),
          usd,
        )}`,
        'emerged',
      ],
      [
        'the crash, book and population',
        '—',
        'input',
        'assumed (a stylised cascade; see hyperliquid-2025-10-10)',
      ],
    ];
  },
  fullBlock: (d) => block(d, `Full figures: \`${d.command}\``),
  smallBlock: (d) => block(d, `Small preset: \`${d.command}\``),
});
