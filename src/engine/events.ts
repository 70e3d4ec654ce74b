/** Kinds of events a run can log (the `kind` column of `events.arrow`). */
export const EVENT_KINDS = [
  'liquidation',
  'shortfall',
  'kick',
  'bid',
  'take',
  'reset',
  'takeover',
  'deleverage',
  'haircut',
  'deposit',
  'withdrawal',
  'insurance',
  'unpaid',
  'vault',
  'levy',
  'bankrupt',
  'paid',
] as const;
/** An event kind. */
export type EventKind = (typeof EVENT_KINDS)[number];
const KIND_CODE = new Map<string, number>(EVENT_KINDS.map((k, i) => [k, i]));

/** Code of an event kind (its position in {@link EVENT_KINDS}). */
export function eventCode(kind: EventKind): number {
  return KIND_CODE.get(kind)!;
}

/**
 * Logged events as columns: tick, kind (code in {@link EVENT_KINDS}), account, size, price, amount, and the
 * account's state just before the event where the event records it (NaN elsewhere): `position` (units
 * held), `leverage` (|position| · mark / equity; +Infinity at zero or negative equity) and `pnl` (the
 * position's unrealized PnL at the mark, unsettled funding included). `deleverage` and `liquidation` events
 * record it, so "who was hit" is answered from the file.
 */
export interface EventColumns {
  tick: Int32Array;
  kind: Int32Array;
  account: Int32Array;
  size: Float64Array;
  price: Float64Array;
  amount: Float64Array;
  position: Float64Array;
  leverage: Float64Array;
  pnl: Float64Array;
}

/**
 * An append-only event log in packed columns: tick, kind, account, size (base units), price (USD),
 * amount (USD), and the account's position, leverage and PnL before the event where recorded. Disabled
 * logs ignore `push` at the cost of one branch.
 */
export class EventLog {
  tick = new Int32Array(256);
  kind = new Int32Array(256);
  account = new Int32Array(256);
  size = new Float64Array(256);
  price = new Float64Array(256);
  amount = new Float64Array(256);
  position = new Float64Array(256);
  leverage = new Float64Array(256);
  pnl = new Float64Array(256);
  length = 0;

  constructor(readonly enabled: boolean) {}

  push(
    tick: number,
    kind: number,
    account: number,
    size: number,
    price: number,
    amount: number,
    position = Number.NaN,
    leverage = Number.NaN,
    pnl = Number.NaN,
  ): void {
    if (!this.enabled) return;
    if (this.length === this.tick.length) this.grow();
    const i = this.length++;
    this.tick[i] = tick;
    this.kind[i] = kind;
    this.account[i] = account;
    this.size[i] = size;
    this.price[i] = price;
    this.amount[i] = amount;
    this.position[i] = position;
    this.leverage[i] = leverage;
    this.pnl[i] = pnl;
  }

  private grow(): void {
    const cap = this.tick.length * 2;
    const g = <T extends Int32Array | Float64Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.tick = g(this.tick, Int32Array);
    this.kind = g(this.kind, Int32Array);
    this.account = g(this.account, Int32Array);
    this.size = g(this.size, Float64Array);
    this.price = g(this.price, Float64Array);
    this.amount = g(this.amount, Float64Array);
    this.position = g(this.position, Float64Array);
    this.leverage = g(this.leverage, Float64Array);
    this.pnl = g(this.pnl, Float64Array);
  }

  /** The events as exact-length column copies. */
  columns(): EventColumns {
    const n = this.length;
    return {
      tick: this.tick.slice(0, n),
      kind: this.kind.slice(0, n),
      account: this.account.slice(0, n),
      size: this.size.slice(0, n),
      price: this.price.slice(0, n),
      amount: this.amount.slice(0, n),
      position: this.position.slice(0, n),
      leverage: this.leverage.slice(0, n),
      pnl: this.pnl.slice(0, n),
    };
  }
}
