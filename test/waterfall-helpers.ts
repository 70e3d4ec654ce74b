import { expect } from 'vitest';
import { EVENT_KINDS, type SimulateResult } from '../src/index.js';

const code = (k: (typeof EVENT_KINDS)[number]) => EVENT_KINDS.indexOf(k);
const PAYER_KINDS = new Set(
  ['insurance', 'vault', 'deleverage', 'haircut', 'unpaid'].map((k) => code(k as never)),
);

/**
 * The who-paid identity per event: every `shortfall` event is followed, before the next one, by payer events
 * (insurance, vault, deleverage, haircut, unpaid) whose amounts sum to it. Returns the number of shortfalls.
 * Needs a run with `events: true`. The tolerance is the rounding of the sum: 1e-12 of the shortfall.
 */
export function expectWhoPaidPerEvent(r: SimulateResult): number {
  const e = r.events!;
  const sh = code('shortfall');
  let open = -1;
  let want = 0;
  let got = 0;
  let n = 0;
  const close = () => {
    if (open >= 0) expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, want));
  };
  for (let i = 0; i < e.kind.length; i++) {
    if (e.kind[i] === sh) {
      close();
      open = i;
      want = e.amount[i];
      got = 0;
      n++;
    } else if (PAYER_KINDS.has(e.kind[i])) {
      expect(open).toBeGreaterThanOrEqual(0);
      got += e.amount[i];
    }
  }
  close();
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
