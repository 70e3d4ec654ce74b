/**
 * ADL as a closer (`adl` with `form: 'closer'`): a bankrupt position is closed against the opposite side's
 * winners at the ADL price, as BitMEX, Binance and Hyperliquid do when the backstop cannot take it.
 *
 * The venue (test/adl-venue.ts): one 20x long of 10,000 (2,000 units at 100, bankruptcy price 95) and ten
 * 2x shorts of 10,000 (200 units each, 2,000 together); the index falls 10% in one tick, and the book holds
 * 1 USD of depth per 1%, so it can close nothing: whatever closes the long is ADL.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventCode } from '../src/engine/events.js';
import { ConfigError, parseConfig, type SimConfigInput, Simulation, simulate } from '../src/index.js';
import { adlVenue as venue } from './adl-venue.js';
import { FIX } from './cli-helpers.js';
import { expectConserved, expectWhoPaid } from './helpers.js';

const run = (cfg: SimConfigInput) => {
  const r = simulate(cfg, { seed: 1, events: true });
  expectConserved(r);
  expectWhoPaid(r);
  const e = r.events!;
  const del = eventCode('deleverage');
  const fills = [...e.kind].flatMap((k, j) =>
    k === del ? [{ account: e.account[j], size: e.size[j], price: e.price[j] }] : [],
  );
  return { r, m: r.metrics, fills };
};

describe('ADL as a closer', () => {
  it('at the bankruptcy price: the long is closed against the shorts, nothing is left unpaid', () => {
    const { r, m, fills } = run(venue({ price: 'bankruptcy' }));
    expect(m.liquidations).toBe(0); // the book took nothing
    expect(fills).toHaveLength(10);
    // every winner reduced at the long's bankruptcy price, 95; together by the long's whole position
    for (const f of fills) expect(f.price).toBeCloseTo(95, 9);
    expect(fills.reduce((s, f) => s + f.size, 0)).toBeCloseTo(2000, 6);
    expect(m.adl_notional).toBeCloseTo(2000 * 95, 6);
    expect(m.shortfall).toBe(0);
    expect(m.loss).toBe(0);
    // the long lost its capital and nothing more; the shorts gained 5 a unit
    expect(r.groups[0].pnl).toBeCloseTo(-10_000, 6);
    expect(r.groups[1].pnl).toBeCloseTo(10_000, 6);
  });

  it('at the oracle: what the price leaves the long owing goes on down the waterfall', () => {
    const { m, fills } = run(venue({ price: 'oracle' }));
    for (const f of fills) expect(f.price).toBeCloseTo(90, 9);
    // closed at 90, 5 a unit below its bankruptcy price: 10,000 short, paid by the insurance fund
    expect(m.shortfall).toBeCloseTo(10_000, 6);
    expect(m.paid_by_insurance_fund).toBeCloseTo(10_000, 6);
    expect(m.paid_by_adl).toBe(0);
    expect(m.loss).toBe(0);
  });

  it("at the previous tick's oracle (Hyperliquid): the price before the crash", () => {
    const { r, m, fills } = run(venue({ price: 'previous-oracle' }));
    for (const f of fills) expect(f.price).toBeCloseTo(100, 9);
    expect(m.shortfall).toBe(0);
    // closed at 100, above its bankruptcy price 95: the winners give up 5 a unit more than the long's
    // deficit needs (the overshoot, 10,000), and the bankrupt long does not keep it: its margin is
    // forfeit, to the insurance fund
    expect(m.adl_overshoot).toBeCloseTo(10_000, 6);
    expect(r.groups[0].pnl).toBeCloseTo(-10_000, 6);
    expect(r.groups[1].pnl).toBeCloseTo(0, 6);
    expect(m.insurance_fund_end - m.insurance_fund_start).toBeCloseTo(10_000, 6);
  });

  it("the book's counterparty takes what the account winners cannot, last, when it holds the other side in profit", () => {
    // one 1x short of 10,000 (100 units) against the 20x long's 2,000: the book's counterparty holds the
    // other 1,900 short, in profit after the 10% fall. The short is closed whole at 95, then the book
    // takes the long's other 1,900 units at 95: nothing is unpaid or left open
    const { r, m, fills } = run(venue({ price: 'bankruptcy', book: true }, 1, 1));
    expect(fills).toHaveLength(2);
    expect(fills[0].account).toBe(1);
    expect(fills[0].size).toBeCloseTo(100, 9);
    expect(fills[1].account).toBe(-1); // the book
    expect(fills[1].size).toBeCloseTo(1900, 9);
    for (const f of fills) expect(f.price).toBeCloseTo(95, 9);
    expect(m.shortfall).toBe(0);
    expect(m.loss).toBe(0);
    expect(m.adl_notional).toBeCloseTo(2000 * 95, 6);
    expect(r.groups[0].pnl).toBeCloseTo(-10_000, 6); // the long loses its margin, no more
    for (const g of r.groups) expect(g.pnl).toBeGreaterThanOrEqual(-g.capital * (1 + 1e-12));
  });

  it('market makers who own the book bear its ADL within what they hold; money is conserved', () => {
    // the same venue with two passive market makers of 1,000 USD owning most of the book (their depth next to
    // the book's own 1 USD): the book's 1,900 units closed at 95 are their position; whatever that costs or
    // earns them stays within ± their capital, the rest is the outside market's
    const cfg: SimConfigInput = {
      ...venue({ price: 'bankruptcy', book: true }, 1, 1),
      agents: {
        ...venue({}, 1, 1).agents,
        marketMakers: {
          count: 2,
          capital: { dist: 'fixed', value: 1000 },
          mix: [{ strategy: 'passive-mm', fraction: 1, params: { depthUsd: 1000 } }],
        },
      },
    };
    const { r, m, fills } = run(cfg);
    expect(fills.some((f) => f.account === -1)).toBe(true);
    expect(m.shortfall).toBe(0);
    for (const g of r.groups) expect(g.pnl).toBeGreaterThanOrEqual(-g.capital * (1 + 1e-12));
    const mm = r.groups.find((g) => g.role === 'marketMakers')!;
    expect(Math.abs(mm.pnl)).toBeLessThanOrEqual(mm.capital * (1 + 1e-12));
  });

  it('a book that has not gained (its PnL only what bankrupt accounts owe it) is not deleveraged (hostile review)', () => {
    // a 2.9x long opens at 100 and the index rises 50%: the book's counterparty is short and loses; a 20x
    // long opens later through the book, and a 7% fall makes it bankrupt. The book's raw PnL is positive
    // only by what that bankrupt owes it; it has gained nothing it can keep, so the insurance fund pays, with
    // or without the book as a candidate
    const cfg = (book: boolean): SimConfigInput => ({
      ticks: 20,
      dtSeconds: 60,
      market: {
        index: { model: 'gbm', p0: 100, sigma: 0 },
        shocks: [
          { atTick: 1, change: 0.5, durationSeconds: 60 },
          { atTick: 12, change: -0.07, durationSeconds: 60 },
        ],
        liquidity: { depthUsd: 1e9 },
        funding: { enabled: false },
      },
      venue: { insuranceFund: 1e6, takerFee: 0 },
      waterfall: {
        stages: [
          { stage: 'adl', form: 'closer', book },
          { stage: 'market' },
          { stage: 'insurance-fund' },
          { stage: 'socialized' },
        ],
      },
      agents: {
        traders: {
          count: 2,
          capital: { dist: 'fixed', value: 10_000 },
          mix: [
            { strategy: 'hold', count: 1, params: { side: 'long', leverage: 2.9 } },
            { strategy: 'hold', count: 1, params: { side: 'long', leverage: 20, openWithinTicks: 10 } },
          ],
        },
      },
    });
    const on = run(cfg(true));
    const off = run(cfg(false));
    expect(off.m.paid_by_insurance_fund).toBeGreaterThan(0);
    expect(on.fills.filter((f) => f.account === -1)).toHaveLength(0);
    expect(on.m.paid_by_insurance_fund).toBe(off.m.paid_by_insurance_fund);
    expect(on.m.outside_market_pnl).toBe(off.m.outside_market_pnl);
  });

  it("the book's collected PnL mid-run is the one the run ends with, funding included (third review)", () => {
    // funding on, a crash that leaves bankrupt accounts open with unsettled funding; no market makers, so the
    // outside market holds the whole book: what bookCollected says on the last tick is its end PnL
    for (const seed of [1, 2, 3]) {
      const sim = new Simulation(
        parseConfig({
          ticks: 120,
          dtSeconds: 60,
          market: {
            index: { model: 'gbm', p0: 100, sigma: 0.8 },
            shocks: [{ atTick: 60, change: -0.3, durationSeconds: 600 }],
            liquidity: { depthUsd: 1e4, resilience: 0.9 },
            funding: { enabled: true, intervalSeconds: 600 },
          },
          venue: { insuranceFund: 0, takerFee: 0 },
          waterfall: { stages: [{ stage: 'market' }, { stage: 'insurance-fund' }] },
          agents: {
            traders: {
              count: 60,
              capital: { dist: 'lognormal', median: 5000, sigma: 1 },
              mix: [
                {
                  strategy: 'hold',
                  fraction: 0.5,
                  params: { side: 'long', leverage: 15, leverageSigma: 0.5 },
                },
                { strategy: 'hold', fraction: 0.5, params: { side: 'short', leverage: 3 } },
              ],
            },
          },
        } as SimConfigInput),
        { seed },
      );
      sim.start();
      for (let t = 0; t < sim.cfg.ticks; t++) sim.step(t);
      const mid = sim.bookCollected();
      const m = sim.finish();
      expect(mid).toBeCloseTo(m.outside_market_pnl, 6);
    }
  });

  it('the book covers a deficit and no more: an account that owes nothing at the mark gets no book fill (fourth review)', () => {
    // the oracle lags 5 minutes, so after a 4% fall the oracle price (100) is above the mark (96): an ADL at
    // the oracle would have the book pay 4 a unit to a long that owes nothing at the mark (closeWhen always)
    const cfg = (book: boolean): SimConfigInput => ({
      ...venue({ price: 'oracle', closeWhen: 'always', book }, 1, 1),
      market: {
        index: { model: 'gbm', p0: 100, sigma: 0 },
        shocks: [{ atTick: 2, change: -0.04, durationSeconds: 60 }],
        oracle: { delaySeconds: 300 },
        liquidity: { depthUsd: 1 },
        funding: { enabled: false },
      },
    });
    const r = simulate(cfg(true), { seed: 1, events: true });
    expectConserved(r);
    expectWhoPaid(r);
    const e = r.events!;
    const del = eventCode('deleverage');
    const liq = eventCode('liquidation');
    const first = e.tick[e.kind.indexOf(liq)];
    // when it is first liquidated the long still has 2,000 of equity at the mark: it owes nothing, so the book
    // takes nothing then (before the fix it took 1,900 units at the oracle, 100, handing the long 7,600);
    // later, bankrupt after the book's slices, it owes, and the book covers that deficit, no more: a book
    // fill's price is the mark plus what the account owes per unit, never the oracle's 100
    let bookFills = 0;
    for (let j = 0; j < e.kind.length; j++)
      if (e.kind[j] === del && e.account[j] === -1) {
        bookFills++;
        expect(e.tick[j]).toBeGreaterThan(first);
        expect(e.price[j]).toBeLessThan(100);
      }
    expect(bookFills).toBeGreaterThan(0);
  });

  it('with book: false, what no account winner holds goes to the next closer', () => {
    // the same venue: the long's other 1,900 units go to the market, whose book (1 USD per 1%) cannot take
    // them: they are still open at the end, a loss
    const { r, m, fills } = run(venue({ price: 'bankruptcy', book: false }, 1, 1));
    expect(fills).toHaveLength(1);
    expect(fills[0].size).toBeCloseTo(100, 9);
    expect(fills[0].price).toBeCloseTo(95, 9);
    expect(m.open_deficit).toBeGreaterThan(0);
    expect(m.loss).toBeCloseTo(m.open_deficit + m.socialized_loss + m.unpaid, 6);
    for (const g of r.groups) expect(g.pnl).toBeGreaterThanOrEqual(-g.capital * (1 + 1e-12));
  });

  it("the vault's book is a candidate: its winning short is deleveraged like an agent's", () => {
    // a 20x short liquidated (not bankrupt) at +4% is taken over by the vault (the closer passes solvent
    // accounts on); at −15% a 20x long is bankrupt and its only winner is the vault's short: closed against
    // it at the long's bankruptcy price, 95 (what the vault cannot take, a rounding, goes to the vault next)
    const cfg: SimConfigInput = {
      ...venue({}),
      market: {
        index: { model: 'gbm', p0: 100, sigma: 0 },
        shocks: [
          { atTick: 1, change: 0.04, durationSeconds: 60 },
          { atTick: 4, change: -0.15, durationSeconds: 60 },
        ],
        liquidity: { depthUsd: 1 },
        funding: { enabled: false },
      },
      waterfall: {
        stages: [
          // the book's counterparty is left out: this test is about the vault's row
          { stage: 'adl', form: 'closer', book: false },
          { stage: 'vault', initialUsd: 1e6 },
          { stage: 'market' },
          { stage: 'insurance-fund' },
        ],
      },
      agents: {
        traders: {
          count: 2,
          capital: { dist: 'fixed', value: 10_000 },
          mix: [
            { strategy: 'hold', count: 1, params: { side: 'short', leverage: 20 } },
            { strategy: 'hold', count: 1, params: { side: 'long', leverage: 20 } },
          ],
        },
      },
    };
    const { m, fills } = run(cfg);
    expect(fills).toHaveLength(1);
    expect(fills[0].account).toBeGreaterThanOrEqual(2); // a system row: the vault's
    expect(fills[0].price).toBeCloseTo(95, 9);
    expect(fills[0].size).toBeGreaterThan(1999); // its whole short (taken over at 104)
    expect(m.adl_events).toBe(1);
    expect(m.vault_return).toBeGreaterThan(0); // it closed its short at a profit
  });

  it('leaves no dust position on the liquidated account (hostile review: a drifting sum overshot the last slice)', () => {
    // a noise-trader crash with funding, the closer at FTX's price splitting capped pro rata over every
    // account handed to it (test/fixtures/adl/closer-dust.json): an account was left with −2.4e-14 units
    const cfg = parseConfig(JSON.parse(readFileSync(join(FIX, 'adl', 'closer-dust.json'), 'utf8')));
    const sim = new Simulation(cfg, { seed: 1 });
    sim.start();
    const a = sim.accounts;
    let deleveraged = 0;
    for (let t = 0; t < cfg.ticks; t++) {
      sim.step(t);
      for (let i = 0; i < a.n; i++) {
        const q = a.qty[i];
        if (q !== 0 && Math.abs(q) * sim.mark < 1e-6)
          throw new Error(`dust of ${q} units on ${i} at tick ${t}`);
      }
    }
    deleveraged = sim.finish().adl_events;
    expect(deleveraged).toBeGreaterThan(1000);
  });

  it('pro-rata splits the position over every winner in proportion to what each can take', () => {
    const { fills } = run(venue({ price: 'bankruptcy', policy: 'pro-rata' }));
    expect(fills).toHaveLength(10);
    for (const f of fills) expect(f.size).toBeCloseTo(200, 6);
  });

  it('the validator rejects a closer listed after the market, and close: whole with the closer form', () => {
    const bad = (stages: Record<string, unknown>[]) => {
      try {
        parseConfig({ ...venue({}), waterfall: { stages } });
      } catch (e) {
        if (e instanceof ConfigError) return e.message;
        throw e;
      }
      return '';
    };
    expect(bad([{ stage: 'market' }, { stage: 'adl', form: 'closer' }])).toMatch(
      /waterfall\.stages\[1\]\.stage: 'adl' can never run: 'market' before it/,
    );
    expect(bad([{ stage: 'adl', form: 'closer', close: 'whole' }, { stage: 'market' }])).toMatch(
      /waterfall\.stages\[0\]\.close: 'whole' is for the payer form/,
    );
    // the payer form still needs a closer before it
    expect(bad([{ stage: 'adl' }, { stage: 'market' }])).toMatch(
      /'adl' pays shortfalls but is listed before/,
    );
  });

  it('a winner never goes below zero equity: 80 mixed venues, every price rule and policy, checked at each fill', () => {
    // each deleverage is logged right after the fill: the winner's equity then must not be below zero
    // (a winner gives up at most its equity; the capacity cap and the dust rule's equity tests enforce it)
    const prices = ['bankruptcy', 'oracle', 'previous-oracle', 'ftx'];
    const policies = ['queue', 'pro-rata', 'capped-pro-rata', 'risk-aware-pro-rata'];
    let fills = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const adl = {
        stage: 'adl',
        form: 'closer',
        price: prices[seed % 4],
        policy: policies[(seed >> 2) % 4],
        closeWhen: seed % 3 === 0 ? 'always' : 'bankrupt',
      };
      const stages =
        seed % 2 === 0
          ? [adl, { stage: 'market' }, { stage: 'insurance-fund' }, { stage: 'socialized' }]
          : [
              adl,
              { stage: 'vault', initialUsd: 1e3 },
              { stage: 'market', fraction: 0.2, sliceAboveUsd: 1000 },
            ];
      const sim = new Simulation(
        parseConfig({
          ticks: 200,
          dtSeconds: 60,
          market: {
            index: { model: 'gbm', p0: 2000, sigma: 1.5 },
            shocks: [
              { atTick: 100, change: seed % 2 ? 0.6 : -0.4, durationSeconds: seed % 5 === 0 ? 60 : 1800 },
            ],
            liquidity: { depthUsd: seed % 3 === 0 ? 1e3 : 1e5, resilience: 0.9 },
            funding: { enabled: seed % 4 === 1 },
          },
          venue: { insuranceFund: 0, marginPrice: seed % 3 === 1 ? 'oracle' : 'mark' },
          waterfall: { stages },
          agents: {
            traders: {
              count: 300,
              capital: { dist: 'lognormal', median: 5000, sigma: 1.2 },
              mix: [
                { strategy: 'noise', fraction: 0.4 },
                {
                  strategy: 'hold',
                  fraction: 0.3,
                  params: { side: 'long', leverage: 15, leverageSigma: 0.8 },
                },
                {
                  strategy: 'hold',
                  fraction: 0.3,
                  params: { side: 'short', leverage: 15, leverageSigma: 0.8 },
                },
              ],
            },
          },
        } as SimConfigInput),
        { seed, events: true },
      );
      const log = sim.log.bind(sim);
      sim.log = (kind, account, size, price, amount, ...state) => {
        if (kind === 'deleverage') {
          fills++;
          const e = sim.equity(account);
          if (e < -1e-6)
            expect.fail(`seed ${seed}: winner ${account} at ${e} after a fill (${JSON.stringify(adl)})`);
        }
        log(kind, account, size, price, amount, ...state);
      };
      sim.run();
    }
    expect(fills).toBeGreaterThan(1000); // the check ran on many fills
  });
});
