import { expect } from 'vitest';
import { EVENT_KINDS, type SimulateResult } from '../src/index.js';

const code = (k: (typeof EVENT_KINDS)[number]) => EVENT_KINDS.indexOf(k);
const PAYER_KINDS = new Set(
  ['insurance', 'vault', 'deleverage', 'haircut', 'unpaid'].map((k) => code(k as never)),
);

/**
 * The who-paid identity per tick: the `shortfall` events of a tick are matched by payer events (insurance,
 * vault, deleverage, haircut, unpaid) of the same tick, none before the first shortfall, whose amounts sum to
 * theirs. (Not an identity per event: socialized loss settles at the end of the tick, so its `haircut`s and
 * what it hands on to later payers come after the tick's other shortfalls.) Returns the number of shortfalls. Needs a run with
 * `events: true`. The tolerance is the rounding of the sums: 1e-12 of them.
 */
export function expectWhoPaidPerTick(r: SimulateResult): number {
  const e = r.events!;
  const sh = code('shortfall');
  let tick = -1;
  let want = 0; // the tick's shortfalls
  let got = 0; // the tick's payments
  let seen = false; // a shortfall this tick
  let n = 0;
  const closeTick = () => {
    expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, want));
    want = 0;
    got = 0;
    seen = false;
  };
  for (let i = 0; i < e.kind.length; i++) {
    if (e.tick[i] !== tick) {
      closeTick();
      tick = e.tick[i];
    }
    if (e.kind[i] === sh) {
      seen = true;
      want += e.amount[i];
      n++;
    } else if (PAYER_KINDS.has(e.kind[i])) {
      expect(seen).toBe(true); // no payment before the tick's first shortfall
      got += e.amount[i];
    }
  }
  closeTick();
  return n;
}

/** Events of one kind as { tick, account, size, price, amount } rows. */
export function eventsOf(r: SimulateResult, kind: (typeof EVENT_KINDS)[number]) {
  const e = r.events!;
  const k = code(kind);
  const out: { tick: number; account: number; size: number; price: number; amount: number }[] = [];
  for (let i = 0; i < e.kind.length; i++)
    if (e.kind[i] === k)
      out.push({
        tick: e.tick[i],
        account: e.account[i],
        size: e.size[i],
        price: e.price[i],
        amount: e.amount[i],
      });
  return out;
}
