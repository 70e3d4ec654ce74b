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
] as const;
/** An event kind. */
export type EventKind = (typeof EVENT_KINDS)[number];
const KIND_CODE = new Map<string, number>(EVENT_KINDS.map((k, i) => [k, i]));

/** Code of an event kind (its position in {@link EVENT_KINDS}). */
export function eventCode(kind: EventKind): number {
  return KIND_CODE.get(kind)!;
}

/** Logged events as columns: tick, kind (code in {@link EVENT_KINDS}), account, size, price, amount. */
export interface EventColumns {
  tick: Int32Array;
  kind: Int32Array;
  account: Int32Array;
  size: Float64Array;
  price: Float64Array;
  amount: Float64Array;
}

/**
 * An append-only event log in packed columns: tick, kind, account, size (base units), price (USD),
 * amount (USD). Disabled logs ignore `push` at the cost of one branch.
 */
export class EventLog {
  tick = new Int32Array(256);
  kind = new Int32Array(256);
  account = new Int32Array(256);
  size = new Float64Array(256);
  price = new Float64Array(256);
  amount = new Float64Array(256);
  length = 0;

  constructor(readonly enabled: boolean) {}

  push(tick: number, kind: number, account: number, size: number, price: number, amount: number): void {
    if (!this.enabled) return;
    if (this.length === this.tick.length) this.grow();
    const i = this.length++;
    this.tick[i] = tick;
    this.kind[i] = kind;
    this.account[i] = account;
    this.size[i] = size;
    this.price[i] = price;
    this.amount[i] = amount;
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
    };
  }
}
