/** Generated docs of experiments/liquidator-participation.ts: liquidation incentive against participation and loss. */
import type { GameData } from '../collect.js';
import { gameDocs, gamePoints, type ProfileAt, profileOf } from '../define.js';
import { andList, count, mean, para, paramPct, table, usd, withInterval } from '../format.js';
import { lossOf } from '../loss.js';

const BONUS = 'waterfall.stages[0].bonus';
const ROLE = 'liquidators';

function stats(d: GameData) {
  const pts = gamePoints(d);
  const pay = (s: ProfileAt) => s.payoffs[ROLE];
  const rows = pts.map((p) => {
    const liq = profileOf(p, 'liquidate');
    const idle = profileOf(p, 'idle');
    return {
      p,
      bonus: p.point[BONUS] as number,
      // "beats": disjoint 95% intervals, liquidate above idle (as in test/cli-game.test.ts)
      beats: pay(liq).low > pay(idle).high,
      liq,
      idle,
      lossLiq: mean(liq.runs.map(lossOf)),
      lossIdle: mean(idle.runs.map(lossOf)),
      kLiq: liq.runs.filter((m) => lossOf(m) > 0).length,
      kIdle: idle.runs.filter((m) => lossOf(m) > 0).length,
      n: liq.runs.length,
    };
  });
  return { rows, pay };
}

const bonusText = (b: number) => paramPct(b);

function block(d: GameData, intro: string): string {
  const { rows, pay } = stats(d);
  const labels = d.eq.strategies[ROLE];
  const paying = rows.filter((r) => r.beats);
  const idleEq = rows.filter((r) => r.p.pure.includes('idle'));
  const top = rows[rows.length - 1];
  const traders = d.experiment.base.agents.traders.count;
  const ofRuns = (k: number, n: number) => (k === n ? `every run` : `${count(k)} of ${count(n)} runs`);
  return [
    para(
      `${intro} (${count(traders)} traders, ${count(d.eq.runs)} runs per profile and point; payoff per liquidator ` +
        '= PnL − outside option, USD, with 95% t-intervals; the loss is the mean over runs, with the number of ' +
        'runs with a loss):',
    ),
    '',
    table(
      ['bonus', ...labels, 'pure equilibria', 'loss, liquidate', 'loss, idle'],
      rows.map((r) => [
        bonusText(r.bonus),
        ...labels.map((l) => withInterval(pay(profileOf(r.p, l)), usd)),
        r.p.pure.join(', ') || 'none',
        `${usd(r.lossLiq)} (${count(r.kLiq)}/${count(r.n)})`,
        `${usd(r.lossIdle)} (${count(r.kIdle)}/${count(r.n)})`,
      ]),
      [true, ...labels.map(() => true), false, true, true],
    ),
    '',
    para(
      (paying.length
        ? `Liquidating beats idling (disjoint 95% intervals) at a bonus of ${andList(paying.map((r) => bonusText(r.bonus)))}`
        : 'Liquidating beats idling at no bonus') +
        (idleEq.length
          ? `; idling is an equilibrium at ${andList(idleEq.map((r) => bonusText(r.bonus)))}.`
          : '; idling is an equilibrium at no bonus.') +
        ` At the ${bonusText(top.bonus)} bonus the venue's loss is ${usd(top.lossLiq)} with liquidators liquidating ` +
        `(a loss in ${ofRuns(top.kLiq, top.n)}) and ${usd(top.lossIdle)} with idle liquidators ` +
        `(${ofRuns(top.kIdle, top.n)}).`,
    ),
  ].join('\n');
}

export default gameDocs({
  name: 'liquidator-participation',
  full: { cmd: 'game', args: ['--runs', '20'] },
  small: { cmd: 'game', args: ['--preset', 'small'] },
  question: 'liquidation incentive vs participation and insolvency',
  published: "Gauntlet's lending curves (shape)",
  ours(d) {
    const { rows } = stats(d);
    const paying = rows.filter((r) => r.beats).map((r) => bonusText(r.bonus));
    const idle = rows.filter((r) => r.p.pure.includes('idle')).map((r) => bonusText(r.bonus));
    return (
      `liquidating beats idling at ${paying.length ? `a bonus of ${andList(paying)}` : 'no bonus'}; ` +
      `idling is an equilibrium at ${idle.length ? andList(idle) : 'none'}`
    );
  },
  record(d) {
    const { rows } = stats(d);
    const paying = rows.filter((r) => r.beats).map((r) => bonusText(r.bonus));
    return [
      [
        "Gauntlet's lending curves",
        'insolvency falls as the incentive rises (shape)',
        'swept bonus',
        'set (the question)',
      ],
      [
        'the bonus at which liquidating beats idling',
        '—',
        paying.length ? andList(paying) : 'none',
        'emerged',
      ],
    ];
  },
  fullBlock: (d) => block(d, `Full figures: \`${d.command}\``),
  smallBlock: (d) => block(d, `Small preset: \`${d.command}\``),
  readme: {
    'readme:liquidator-participation': (d) => {
      const { rows } = stats(d);
      const paying = rows.filter((r) => r.beats);
      const top = rows[rows.length - 1];
      return para(
        `At full size (\`${d.command}\`; generated) liquidating beats idling at ` +
          `${paying.length ? `a bonus of ${andList(paying.map((r) => bonusText(r.bonus)))}` : 'no bonus'}; at the ` +
          `${bonusText(top.bonus)} bonus the venue's mean loss is ${usd(top.lossLiq)} USD with liquidators ` +
          `liquidating (a loss in ${count(top.kLiq)} of ${count(top.n)} runs) and ${usd(top.lossIdle)} USD with idle ` +
          `liquidators (${count(top.kIdle)} of ${count(top.n)}).`,
      );
    },
  },
});
