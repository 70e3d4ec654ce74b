/** Generated docs of experiments/lp-run.ts: the LP withdrawal game against lock-up and withdrawal delay. */
import { wilsonInterval } from '../../../src/index.js';
import type { GameData } from '../collect.js';
import { gameDocs, gamePoints, type ProfileAt, profileOf } from '../define.js';
import { andList, count, duration, mean, para, pct, signed, table, usd, withInterval } from '../format.js';
import { lossOf } from '../loss.js';

const LOCK = 'waterfall.stages[0].lockupSeconds';
const DELAY = 'waterfall.stages[0].withdrawalDelaySeconds';
const ROLE = 'lps';

function stats(d: GameData) {
  const pts = gamePoints(d);
  const at = (lock: number, delay: number) =>
    pts.find((p) => p.point[LOCK] === lock && p.point[DELAY] === delay)!;
  const pay = (s: ProfileAt) => s.payoffs[ROLE];
  const gain = (p: (typeof pts)[number]) =>
    pay(profileOf(p, 'panic')).estimate - pay(profileOf(p, 'stay')).estimate;
  const locks = [...new Set(pts.map((p) => p.point[LOCK] as number))].sort((a, b) => a - b);
  const delays = [...new Set(pts.map((p) => p.point[DELAY] as number))].sort((a, b) => a - b);
  const all = pts.flatMap((p) => p.profiles);
  const insolvency = all.map((s) => s.runs.filter((m) => lossOf(m) > 0).length / s.runs.length);
  const losses = all.map((s) => mean(s.runs.map(lossOf)));
  return { pts, at, pay, gain, locks, delays, insolvency, losses };
}

const range = (xs: number[], f: (x: number) => string) => {
  const lo = f(Math.min(...xs));
  const hi = f(Math.max(...xs));
  return lo === hi ? lo : `${lo}–${hi}`;
};

function block(d: GameData, intro: string): string {
  const s = stats(d);
  const labels = d.eq.strategies[ROLE];
  const rows = s.pts.map((p) => {
    const stay = profileOf(p, 'stay');
    const k = stay.runs.filter((m) => lossOf(m) > 0).length;
    return [
      duration(p.point[LOCK] as number),
      duration(p.point[DELAY] as number),
      ...labels.map((l) => withInterval(s.pay(profileOf(p, l)), usd)),
      p.pure.join(', ') || 'none',
      withInterval(wilsonInterval(k, stay.runs.length), pct),
      usd(mean(stay.runs.map(lossOf))),
      pct(mean(stay.runs.map((m) => m.vault_return))),
    ];
  });
  const open = s.at(s.locks[0], s.delays[0]);
  const locked = s.at(s.locks[s.locks.length - 1], s.delays[0]);
  const delayed = s.at(s.locks[0], s.delays[s.delays.length - 1]);
  const stayEq = (p: typeof open) => (profileOf(p, 'stay').equilibrium ? 'is' : 'is not');
  const lps = d.experiment.base.agents.lps.count;
  return [
    para(
      `${intro} (${count(lps)} LPs, ${count(d.eq.runs)} runs per profile and point; payoff per LP = PnL − outside ` +
        "option, USD, with 95% t-intervals; the venue's figures under `stay`):",
    ),
    '',
    table(
      [
        'lock-up',
        'delay',
        ...labels,
        'pure equilibria',
        'P(loss > 0), stay',
        'loss, stay',
        'vault return, stay',
      ],
      rows,
      [false, false, ...labels.map(() => true), false, true, true, true],
    ),
    '',
    para(
      `Without lock-up or delay, panicking pays ${signed(usd(s.gain(open)))} per LP against staying, and staying ` +
        `${stayEq(open)} an equilibrium (pure equilibria: ${andList(open.pure) || 'none'}). With a lock-up of ` +
        `${duration(locked.point[LOCK] as number)} panicking gains ${signed(usd(s.gain(locked)))} and staying ` +
        `${stayEq(locked)} an equilibrium. A withdrawal delay of ${duration(delayed.point[DELAY] as number)} without ` +
        `lock-up leaves panic's gain at ${signed(usd(s.gain(delayed)))}. Without lock-up or delay the venue's mean ` +
        `loss is ${usd(mean(profileOf(open, 'stay').runs.map(lossOf)))} when LPs stay, ` +
        `${usd(mean(profileOf(open, 'panic').runs.map(lossOf)))} when they panic and ` +
        `${usd(mean(profileOf(open, 'front-run').runs.map(lossOf)))} when they front-run. Over every profile and mechanism the ` +
        `probability of a loss is ${range(s.insolvency, pct)} and the mean loss ${range(s.losses, usd)}.`,
    ),
  ].join('\n');
}

export default gameDocs({
  name: 'lp-run',
  full: { cmd: 'game', args: [] },
  small: { cmd: 'game', args: ['--preset', 'small'] },
  question: 'LP withdrawal game vs lock-up and delay',
  published: 'HLP lock-up 4 days (a parameter, no outcome)',
  ours(d) {
    const s = stats(d);
    const open = s.at(s.locks[0], s.delays[0]);
    const locked = s.at(s.locks[s.locks.length - 1], s.delays[0]);
    const eq = (p: typeof open) => (profileOf(p, 'stay').equilibrium ? 'an equilibrium' : 'no equilibrium');
    return (
      `no lock-up: panicking gains ${signed(usd(s.gain(open)))} per LP, staying is ${eq(open)}; ` +
      `a lock-up of ${duration(locked.point[LOCK] as number)}: gain ${signed(usd(s.gain(locked)))}, staying is ${eq(locked)}`
    );
  },
  record(d) {
    const s = stats(d);
    const open = s.at(s.locks[0], s.delays[0]);
    return [
      ["HLP's lock-up", '4 days (a rule, no outcome)', 'swept', 'set from the record'],
      [
        'what an LP gains by panicking without a lock-up',
        '—',
        `${signed(usd(s.gain(open)))} per LP`,
        'emerged',
      ],
    ];
  },
  fullBlock: (d) => block(d, `Full figures: \`${d.command}\``),
  smallBlock: (d) => block(d, `Small preset: \`${d.command}\``),
});
