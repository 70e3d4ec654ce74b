/**
 * The invariants every run must keep, checked tick by tick on a live {@link Simulation} (used by the
 * property suite, the soak and the extreme-market tests). Each failed check throws an Error naming it.
 */
import { parseConfig } from '../src/config/parse.js';
import { Simulation } from '../src/engine/simulation.js';
import '../src/index.js';
import { METRIC_NAMES, type RunMetrics, SERIES } from '../src/metrics.js';
import { simulate } from '../src/simulate.js';
import { LEDGER } from '../src/venue/ledger.js';
import { VAULT_SERVICE } from '../src/waterfall/keepers.js';
import type { StagedWaterfall } from '../src/waterfall/waterfall.js';
import { ROOT } from './cli-helpers.js';
import './waterfall-keepers.js';

/** What one checked run produced (for the extreme-market tests to look at). */
export interface CheckedRun {
  metrics: RunMetrics;
  moneyScale: number;
  /** ADL `cover` calls that paid something, and the most any paid relative to what it was asked. */
  adlCalls: number;
}

function fail(what: string): never {
  throw new Error(`invariant broken: ${what}`);
}

function finite(name: string, v: number): void {
  if (!Number.isFinite(v)) fail(`${name} is ${v}`);
}

/**
 * Runs `config` with `seed` tick by tick and checks: no NaN/Infinity in any metric, group payoff or
 * series; |conservation_error| ≤ 1e-9 × moneyScale; shortfall = paid_by_* + socialized_loss + unpaid
 * (1e-9 relative); loss = socialized_loss + unpaid + open_deficit; the PnL of every role and counterparty
 * (outside market, venue fees, fund, gas, funding, spot market) sums to zero; every payer's `cover` pays 0 ≤ paid ≤
 * what it was asked, ADL included; adl_overshoot is 0 unless a policy closes whole winners; a second run of
 * the same seed (through `simulate`) is identical. After every tick (limited liability and the band): the
 * insurance fund, every vault share count and the vault's equity (so every LP's share value) are never
 * negative; no account without a position has negative collateral (a deficit nobody booked) and no agent
 * has left the venue with a position (nobody would check its margin); no wallet or spot holding is negative
 * — the only things an agent holds besides its venue equity, which its payoff counts at no less than zero,
 * so no agent's loss exceeds the capital it put in; the mark is inside the price band. At the end: every group's PnL is at least −its capital and at most all the
 * money that came in (capital, the fund), what the outside market (book and spot) and the venue paid, and
 * the venue's loss (nothing else can pay it); the vault's return is at least −1.
 */
export function checkRun(config: unknown, seed: number): CheckedRun {
  const cfg = parseConfig(config, { baseDir: ROOT });
  const every = 1;
  const sim = new Simulation(structuredClone(cfg), { seed, series: every, events: false, baseDir: ROOT });
  const wf = sim.waterfall as StagedWaterfall;
  // every payer pays what it says, never more than it was asked
  let adlCalls = 0;
  wf.stages.forEach((inst, k) => {
    const cover = inst.cover;
    if (!cover) return;
    const name = wf.names[k];
    inst.cover = (id, amount, side, pbk) => {
      const paid = cover.call(inst, id, amount, side, pbk);
      if (!(Number.isFinite(paid) && paid >= 0 && paid <= amount * (1 + 1e-12)))
        fail(`stage '${name}' paid ${paid} of a shortfall of ${amount} (tick ${sim.tick}, account ${id})`);
      if (name === 'adl' && paid > 0) adlCalls++;
      return paid;
    };
  });
  const vault = wf.keepers.service(VAULT_SERVICE);
  const nA = sim.nAgents;
  const a = sim.accounts;
  const tol = () => 1e-9 * Math.max(1, sim.moneyScale);
  const checkTick = (t: number) => {
    const fund = sim.ledger[LEDGER.insuranceFund];
    if (!(fund >= -tol())) fail(`insurance fund ${fund} < 0 after tick ${t}`);
    if (vault) {
      const total = vault.totalShares();
      if (!(total >= 0)) fail(`vault total shares ${total} < 0 after tick ${t}`);
      const e = vault.equity();
      if (!(e >= -tol())) fail(`vault equity ${e} < 0 after tick ${t}, its deficit not booked`);
      if (!(vault.sharePrice() >= 0)) fail(`vault share price ${vault.sharePrice()} < 0 after tick ${t}`);
      for (let i = 0; i < nA; i++) {
        const s = vault.shares(i);
        if (!(s >= 0)) fail(`vault shares of LP ${i} = ${s} < 0 after tick ${t}`);
        const p = vault.pending(i);
        if (!(p >= 0 && p <= s))
          fail(`pending withdrawal of LP ${i} = ${p} not in [0, ${s}] after tick ${t}`);
      }
    }
    const px = sim.indexPrice;
    for (let i = 0; i < a.n; i++) {
      if (a.qty[i] === 0 && !(a.cash[i] >= -tol()))
        fail(
          `account ${i} holds no position but ${a.cash[i]} of collateral after tick ${t}: a deficit nobody booked`,
        );
      if (i >= nA) continue;
      if (a.active[i] === 0 && a.qty[i] !== 0)
        fail(
          `agent ${i} left the venue with a position of ${a.qty[i]} after tick ${t}: nobody checks its margin`,
        );
      if (!(a.wallet[i] >= -tol()))
        fail(`agent ${i}'s wallet is ${a.wallet[i]} after tick ${t}: money it never had`);
      if (!(a.spot[i] >= 0)) fail(`agent ${i} holds ${a.spot[i]} spot after tick ${t}: a short sale`);
      const e = sim.equity(i);
      const value =
        Math.max(0, e) + a.wallet[i] + a.spot[i] * px + a.capitalOut[i] + (wf.holdingsValue?.(i) ?? 0);
      if (!(value >= -tol()))
        fail(`agent ${i} is worth ${value} after tick ${t}: it lost more than it put in`);
    }
    const m = sim.market;
    if (t >= 0 && !(m.mark >= m.bandLow * (1 - 1e-12) && m.mark <= m.bandHigh * (1 + 1e-12)))
      fail(`mark ${m.mark} outside the band [${m.bandLow}, ${m.bandHigh}] at tick ${t}`);
  };
  sim.start();
  checkTick(-1);
  for (let t = 0; t < cfg.ticks; t++) {
    sim.step(t);
    checkTick(t);
  }
  const m = sim.finish();
  for (const k of METRIC_NAMES) finite(`metric ${k}`, m[k]);
  for (const g of sim.groupPayoffs)
    for (const k of ['pnl', 'costs', 'capital', 'outsideOption'] as const)
      finite(`group ${g.group} (${g.strategy}) ${k}`, g[k]);
  for (const [name] of SERIES) {
    const s = sim.series[name]!;
    for (let i = 0; i < s.length; i++) finite(`series ${name}[${i}]`, s[i]);
  }
  const scale = sim.moneyScale;
  finite('moneyScale', scale);
  if (!(Math.abs(m.conservation_error) <= 1e-9 * scale))
    fail(`conservation_error ${m.conservation_error} > 1e-9 × moneyScale ${scale}`);
  const paid = m.paid_by_insurance_fund + m.paid_by_vault + m.paid_by_adl + m.socialized_loss + m.unpaid;
  if (!(Math.abs(m.shortfall - paid) <= 1e-9 * Math.max(1, m.shortfall)))
    fail(`who paid: shortfall ${m.shortfall} ≠ sum of payers ${paid}`);
  const loss = m.socialized_loss + m.unpaid + m.open_deficit;
  if (!(Math.abs(m.loss - loss) <= 1e-9 * Math.max(1, loss)))
    fail(`loss ${m.loss} ≠ socialized + unpaid + open ${loss}`);
  if (!(m.vault_return >= -1)) fail(`vault_return ${m.vault_return} < −1`);
  // every dollar of PnL has a payer: the roles' PnL, the outside market's on the book, the venue's fees, the
  // fund's and gas's takings, what funding still owes and the spot market's (what it was paid less what the
  // spot it sold is worth at the index) sum to zero (a bankrupt account's unpaid debt is nobody's gain)
  let spotCash = sim.ledger[LEDGER.outside] + sim.insuranceFundStart;
  let spotValue = 0;
  for (let i = 0; i < a.n; i++) {
    spotCash += a.capitalIn[i] - a.capitalOut[i];
    spotValue += a.spot[i] * sim.indexPrice;
  }
  const pnlSum =
    m.pnl_traders +
    m.pnl_liquidators +
    m.pnl_lps +
    m.pnl_arbitrageurs +
    m.pnl_market_makers +
    m.outside_market_pnl +
    m.venue_fees +
    (m.insurance_fund_end - m.insurance_fund_start) +
    sim.ledger[LEDGER.gas] +
    sim.ledger[LEDGER.funding] +
    (spotCash - spotValue);
  if (!(Math.abs(pnlSum) <= tol())) fail(`the PnL of every role and counterparty sums to ${pnlSum}, not 0`);
  // what any group can earn is what came in from outside — the outside ledger's net payments (capital in,
  // the fund, spot sold back, less withdrawals, spot bought and gas) plus the withdrawals and the spot still
  // held (both the agents') — what the outside market paid on the book, what the venue paid from its fees
  // (keeper incentives, rounding), and the venue's loss (winners paid with what losers owe and nobody paid)
  let most =
    -sim.ledger[LEDGER.outside] + Math.max(0, -m.outside_market_pnl) + m.loss + Math.max(0, -m.venue_fees);
  for (let i = 0; i < a.n; i++) most += a.capitalOut[i] + a.spot[i] * sim.indexPrice;
  for (const g of sim.groupPayoffs) {
    if (!(g.pnl >= -g.capital - tol()))
      fail(`group ${g.group} (${g.strategy}) lost ${-g.pnl}, more than its capital ${g.capital}`);
    if (!(g.pnl <= most * (1 + 1e-9) + tol()))
      fail(
        `group ${g.group} (${g.strategy}) earned ${g.pnl}, more than all capital, the outside market's and the venue's payments and the venue's loss together (${most})`,
      );
  }
  for (const k of [
    'loss',
    'shortfall',
    'paid_by_insurance_fund',
    'paid_by_vault',
    'paid_by_adl',
    'socialized_loss',
    'unpaid',
    'adl_overshoot',
    'open_deficit',
    'zero_bid_value',
  ] as const)
    if (!(m[k] >= 0)) fail(`${k} = ${m[k]} < 0`);
  if (m.zero_bid_auctions === 0 && m.zero_bid_value !== 0)
    fail(`zero_bid_value ${m.zero_bid_value} without a zero-bid auction`);
  const adl = (
    cfg.waterfall.stages as { stage: string; close?: string; form?: string; price?: string }[]
  ).find((s) => s.stage === 'adl');
  // overshoot comes from closing whole winners (payer) or from a closer's price other than the bankruptcy price
  const overshoots =
    adl?.close === 'whole' || (adl?.form === 'closer' && (adl.price ?? 'bankruptcy') !== 'bankruptcy');
  if (!overshoots && m.adl_overshoot !== 0)
    fail(
      `adl_overshoot ${m.adl_overshoot} without a policy that closes whole winners or a closer's non-bankruptcy price`,
    );
  if (m.paid_by_adl > m.shortfall * (1 + 1e-12)) fail(`ADL paid ${m.paid_by_adl} > shortfall ${m.shortfall}`);

  // the same seed again, through the public API: identical
  const again = simulate(cfg, { seed, series: every, baseDir: ROOT });
  for (const k of METRIC_NAMES)
    if (!Object.is(again.metrics[k], m[k]))
      fail(`second run differs in ${k}: ${m[k]} then ${again.metrics[k]}`);
  if (JSON.stringify(again.groups) !== JSON.stringify(sim.groupPayoffs)) fail('second run differs in groups');
  for (const [name] of SERIES) {
    const a = sim.series[name]!;
    const b = again.series![name]!;
    for (let i = 0; i < a.length; i++)
      if (!Object.is(a[i], b[i])) fail(`second run differs in series ${name}[${i}]`);
  }
  return { metrics: m, moneyScale: scale, adlCalls };
}
