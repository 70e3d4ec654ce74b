/**
 * Who ADL hit, from `events.arrow` (written with `--events`): for every `deleverage` event the file holds
 * the account's position, leverage and PnL just before the fill (see {@link EventColumns}), so the
 * questions asked after 10 October 2025 — how levered were the accounts deleveraged, how concentrated was
 * the burden, how long after the first liquidation did ADL start — are answered from the files alone.
 *
 * Per run: the accounts hit (distinct accounts with a `deleverage` event; the book's counterparty, account
 * −1, is reported apart as its share of the notional), each with its leverage at its
 * first ADL fill in the run and its burden (Σ |size| · price of its ADL fills: the notional closed, USD);
 * the share of the run's burden borne by its 10 most-hit accounts and by its top 1% (at least one); the
 * delay from the first forced close (a `liquidation`, a backstop's `takeover` or an ADL close itself) to the
 * first `deleverage` (seconds; `analyze` counts from the run's start, `adlOutcomesOf` from `fromTick`). Per group, over the runs with ADL:
 * the pooled median of the hit accounts' leverage, and the means of the rest.
 *
 * The file is read into memory once (a chunked synchronous read peaked at twice that, measured on a 720 MB
 * file) and scanned batch by batch through `eventBatch` (the Arrow buffers, no row objects).
 */
import { readFileSync, statSync } from 'node:fs';
import { RecordBatchReader } from 'apache-arrow';
import { EVENT_KINDS, type EventColumns } from '../engine/events.js';
import { BackstopInputError } from '../errors.js';
import { eventBatch, resultsFileError } from './arrow-io.js';
import { type MeanInterval, meanInterval } from './stats.js';

/** ADL outcomes of one group of runs. */
export interface AdlOutcomes {
  /** Runs of the group with at least one ADL fill. */
  runs: number;
  /** Mean ADL fills per run (over the runs with ADL). */
  fills: number;
  /** Mean distinct accounts hit per run. */
  accountsHit: number;
  /** Median leverage of the accounts hit, at each one's first ADL fill of the run (pooled over runs). */
  medianLeverage: number;
  /** Median unrealized PnL (USD) of the accounts hit, at the same moment. */
  medianPnl: number;
  /** Share of hit accounts that were in profit (PnL > 0) at their first fill. */
  profitableShare: number;
  /** Mean share of a run's ADL notional borne by its 10 most-hit accounts. */
  top10Share: number;
  /** Mean share of a run's ADL notional borne by its top 1% of hit accounts (at least one account). */
  top1PctShare: number;
  /** Mean share of a run's ADL notional the book's counterparty took (account −1; it is no account hit). */
  bookShare: number;
  /** Seconds from the first forced close (liquidation, takeover or ADL) to the first ADL fill: mean over runs with ADL, with its interval. */
  firstDelaySeconds: MeanInterval;
}

const DELEVERAGE = EVENT_KINDS.indexOf('deleverage');
const LIQUIDATION = EVENT_KINDS.indexOf('liquidation');
const TAKEOVER = EVENT_KINDS.indexOf('takeover');

/** Per-run accumulation (runs in events.arrow come in run_id order, but nothing here relies on it). */
interface RunAcc {
  /** Delays count from the first forced close at or after this tick. */
  from: number;
  firstLiq: number;
  firstAdl: number;
  fills: number;
  /** account → [burden, leverage at first fill, pnl at first fill] */
  hit: Map<number, [number, number, number]>;
}

/** Adds one event to a run's accumulator: `what` 1 an ADL fill, 2 a forced close (liquidation, takeover). */
function add(
  acc: RunAcc,
  what: number,
  tick: number,
  account: number,
  notional: number,
  lev: number,
  pnl: number,
) {
  // an ADL fill is a forced close too: a run whose first forced close is ADL has a delay of 0, never < 0
  if (acc.firstLiq < 0 && tick >= acc.from) acc.firstLiq = tick;
  if (what === 2) return;
  if (acc.firstAdl < 0 && tick >= acc.from) acc.firstAdl = tick;
  acc.fills++;
  const h = acc.hit.get(account);
  if (h) h[0] += notional;
  else acc.hit.set(account, [notional, lev, pnl]);
}

const newAcc = (from: number): RunAcc => ({ from, firstLiq: -1, firstAdl: -1, fills: 0, hit: new Map() });

/**
 * ADL outcomes per group from an events file. `groupOf[run_id]` is the run's group (−1: not counted, e.g. a
 * failed run), `dtSeconds[run_id]` its tick length, `unitOf[run_id]` (optional) its common-random-numbers
 * unit (its seed): runs of one unit pooled in a group make the delay's interval cluster-robust. Groups
 * with no ADL fill get null.
 */
export function adlOutcomes(
  path: string,
  groupOf: Int32Array,
  dtSeconds: Float64Array,
  groups: number,
  level = 0.95,
  unitOf?: Float64Array,
): (AdlOutcomes | null)[] {
  const runs = new Map<number, RunAcc>();
  try {
    readEvents(path, groupOf, runs);
  } catch (e) {
    if (e instanceof BackstopInputError) throw e;
    throw resultsFileError(
      path,
      `is not a readable events file: truncated, damaged or not Arrow (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`,
    );
  }
  const out: (AdlOutcomes | null)[] = [];
  for (let g = 0; g < groups; g++) {
    const mine = [...runs.entries()].filter(([r]) => groupOf[r] === g);
    out.push(
      summarise(
        mine.map(([r, a]) => [a, dtSeconds[r], unitOf ? unitOf[r] : r]),
        level,
      ),
    );
  }
  return out;
}

/** Accumulates the ADL and forced-close fills of events.arrow per run of a group. */
function readEvents(path: string, groupOf: Int32Array, runs: Map<number, RunAcc>): void {
  if (statSync(path).size === 0) throw resultsFileError(path, 'is empty (0 bytes): not an Arrow file');
  const reader = RecordBatchReader.from(readFileSync(path));
  for (const b of reader) {
    const { numeric, kinds } = eventBatch(b, path);
    const run = numeric('run_id');
    const tick = numeric('tick');
    const account = numeric('account');
    const size = numeric('size');
    const price = numeric('price');
    const leverage = numeric('leverage');
    const pnl = numeric('pnl');
    for (let i = 0; i < b.numRows; i++) {
      const k = kinds[i];
      const what = k === DELEVERAGE ? 1 : k === LIQUIDATION || k === TAKEOVER ? 2 : 0;
      if (what === 0) continue;
      const r = run[i];
      if (!(r >= 0 && r < groupOf.length) || groupOf[r] < 0) continue;
      let acc = runs.get(r);
      if (!acc) runs.set(r, (acc = newAcc(0)));
      add(acc, what, tick[i], account[i], Math.abs(size[i] * price[i]), leverage[i], pnl[i]);
    }
  }
}

/**
 * ADL outcomes of one group's runs from their event columns (as {@link adlOutcomes} from a file). With
 * `fromTick`, the delay is measured from the first forced close at or after that tick (e.g. a shock's
 * start), and ADL before it is ignored for the delay only.
 */
export function adlOutcomesOf(
  runs: readonly EventColumns[],
  dtSeconds: number,
  opts: { level?: number; fromTick?: number } = {},
): AdlOutcomes | null {
  const accs = runs.map((e, i): [RunAcc, number, number] => {
    const acc = newAcc(opts.fromTick ?? 0);
    for (let i = 0; i < e.kind.length; i++) {
      const k = e.kind[i];
      const what = k === DELEVERAGE ? 1 : k === LIQUIDATION || k === TAKEOVER ? 2 : 0;
      if (what)
        add(acc, what, e.tick[i], e.account[i], Math.abs(e.size[i] * e.price[i]), e.leverage[i], e.pnl[i]);
    }
    return [acc, dtSeconds, i];
  });
  return summarise(accs, opts.level ?? 0.95);
}

function summarise(accs: [RunAcc, number, number][], level: number): AdlOutcomes | null {
  const mine = accs.filter(([a]) => a.fills > 0);
  if (mine.length === 0) return null;
  const lev: number[] = [];
  const pnls: number[] = [];
  let profitable = 0;
  let top10 = 0;
  let top1 = 0;
  let fills = 0;
  let hit = 0;
  let book = 0;
  const delays: number[] = [];
  const delayUnits: number[] = [];
  for (const [a, dt, unit] of mine) {
    fills += a.fills;
    hit += a.hit.size;
    const burden: number[] = [];
    // the book's counterparty (account −1) is no account: its share is reported apart
    const bookN = a.hit.get(-1)?.[0] ?? 0;
    let allN = bookN;
    for (const [acct, [b]] of a.hit) if (acct !== -1) allN += b;
    book += allN > 0 ? bookN / allN : 0;
    if (bookN > 0) hit--;
    for (const [acct, [b, l, p]] of a.hit) {
      if (acct === -1) continue;
      burden.push(b);
      // NaN: an event from a model that did not record the account's state
      if (!Number.isNaN(l)) lev.push(l);
      if (!Number.isNaN(p)) {
        pnls.push(p);
        if (p > 0) profitable++;
      }
    }
    burden.sort((x, y) => y - x);
    const total = burden.reduce((s, x) => s + x, 0);
    const top = (k: number) => (total > 0 ? burden.slice(0, k).reduce((s, x) => s + x, 0) / total : 0);
    top10 += top(10);
    top1 += top(Math.max(1, Math.ceil(burden.length / 100)));
    if (a.firstLiq >= 0 && a.firstAdl >= 0) {
      delays.push((a.firstAdl - a.firstLiq) * dt);
      delayUnits.push(unit);
    }
  }
  const n = mine.length;
  return {
    runs: n,
    fills: fills / n,
    accountsHit: hit / n,
    medianLeverage: median(lev),
    medianPnl: median(pnls),
    profitableShare: pnls.length ? profitable / pnls.length : Number.NaN,
    top10Share: top10 / n,
    top1PctShare: top1 / n,
    bookShare: book / n,
    firstDelaySeconds: meanInterval(Float64Array.from(delays), level, { min: 0, clusters: delayUnits }),
  };
}

/** Median of finite-or-infinite values (+Infinity sorts last); NaN for none. */
function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : s[m - 1] === s[m] ? s[m] : (s[m - 1] + s[m]) / 2;
}
