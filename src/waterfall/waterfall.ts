/**
 * The liquidation waterfall seen from the engine: the tick loop hands each liquidatable account to
 * `liquidate`, and every negative balance left after a close to `coverShortfall`. The engine knows
 * nothing else about stages: {@link StagedWaterfall} runs the configured list (`waterfall.stages`).
 *
 * - Closers (stages that close or take over positions) are tried in list order until one takes charge;
 *   an account none takes charge of is found again next tick.
 * - A shortfall goes to the payers in list order; each pays what it can and the waterfall books it in the
 *   payer's who-paid column; the rest is left unpaid (bad debt). shortfall = insurance fund + vault + ADL +
 *   socialized + unpaid, per account and tick and per run. A holder's own deficit (a vault whose equity a
 *   gap took below zero) goes to the payers listed after it. A payer that settles at the end of the tick
 *   (socialized loss, `settleTick`) advances the whole shortfall at once and reports, through `settled`, what
 *   it paid and what it could not collect: that part goes to the payers listed after it.
 * - Stages that hold positions (the vault, auction lots) do so in system account rows appended after the
 *   agents' rows (inactive: never margin-checked, never acted on by strategies).
 */

import { zodIssues } from '../config/format.js';
import type { SimConfig } from '../config/schema.js';
import type { InputIssue } from '../errors.js';
import { METRIC_NAMES, type MetricDecl, metricSlot } from '../metrics.js';
import { LEDGER, PAYER, PAYER_SLOTS, type Payer } from '../venue/ledger.js';
import type { Venue } from '../venue/venue.js';
import { Keepers, type ServiceToken, VAULT_SERVICE, type VaultService } from './keepers.js';
import { allocStageState, getStage, listStages, type StageInstance } from './stage.js';

/** What the engine calls; built from the config by {@link buildWaterfall}. */
export interface Waterfall {
  /** Handles one account found below maintenance this tick. */
  liquidate(id: number): void;
  /**
   * Finds payers for `amount` USD of shortfall left on account `id` (its equity is −amount) after its
   * position (sign `side`, bankruptcy price `pbk`) was closed, or of a holder's deficit; only payers listed
   * after stage position `after` are asked (default: all). Leaves the account's equity at 0 and adds exactly
   * `amount` to the `paid` counters.
   */
  coverShortfall(id: number, amount: number, side: number, pbk: number, after?: number): void;
  /** Called once per tick after the liquidations (auctions advance, the vault unwinds...). */
  endTick?(): void;
  /** Called once after the last tick. */
  finish?(): void;
  /** Value (USD) of what account i holds in the waterfall besides its collateral (e.g. vault shares). */
  holdingsValue?(i: number): number;
  /** Whether a stage holds part of account i's position that may come back to it (it cannot leave yet). */
  holds?(i: number): boolean;
  /** Vault equity at the mark (USD), when a stage provides the vault service. */
  vaultEquity?(): number;
  /** Share of every trading fee a stage takes (`StagedWaterfall.takeTradingFees`), and the ledger account it goes to. */
  readonly tradingFeeShare?: number;
  readonly tradingFeeTo?: number;
  /** Per metric slot: 1 when a stage declares the metric (`StageDef.metrics`); only those may be written. */
  readonly declared?: Uint8Array;
  /** Role (0 traders, 2 lps) of system account row `i` in the PnL by role. */
  rowRole?(i: number): number;
  /** The keeper/LP API. */
  readonly keepers?: Keepers;
}

/** A stage entry of the resolved config: `{ stage: name, ...its parameters }`. */
export type StageEntry = { stage: string } & Record<string, unknown>;

/**
 * Rounding, not loss: a shortfall below `DUST_USD` (what a close's arithmetic leaves on an account that
 * owes nothing), and what payers leave of a shortfall below `DUST_SHARE` of it (the rounding of a sum of
 * many shares), are paid by the venue's fee account instead of going on down the waterfall as losses.
 */
export const DUST_USD = 1e-9;
export const DUST_SHARE = 1e-9;

/** The default waterfall: market liquidation → insurance fund → ADL → socialized loss. */
export const DEFAULT_STAGES: StageEntry[] = [
  { stage: 'market' },
  { stage: 'insurance-fund' },
  { stage: 'adl' },
  { stage: 'socialized' },
];

function paramsOf(entry: StageEntry): Record<string, unknown> {
  const { stage: _stage, ...rest } = entry;
  return rest;
}

/**
 * Validates `waterfall.stages`: each stage's parameters against its registered schema (defaults filled in,
 * in place), and the order, so that every stage listed can run: at least one stage that closes positions;
 * no stage listed twice; no payer before every closer (nothing could ever reach it); no pure closer after
 * one that always takes charge; no payer after one that always pays in full. With `run`, each stage's
 * parameters against the run too (`StageDef.checkRun`: a settlement after the last tick).
 */
export function checkStages(
  stages: StageEntry[],
  at: (p: string) => string,
  run?: { ticks: number },
): InputIssue[] {
  const issues: InputIssue[] = [];
  const seen = new Map<string, number>();
  let firstCloser = -1;
  let terminal = -1;
  let fullPayer = -1;
  const provider = new Map<ServiceToken<unknown>, number>();
  stages.forEach((entry, i) => {
    const p = at(`waterfall.stages[${i}]`);
    const def = getStage(String(entry.stage));
    if (!def) {
      issues.push({
        path: `${p}.stage`,
        message: `unknown stage ${JSON.stringify(entry.stage)}; allowed: ${listStages()
          .map((s) => s.name)
          .join(', ')}`,
      });
      return;
    }
    const prev = seen.get(def.name);
    if (prev !== undefined)
      issues.push({ path: `${p}.stage`, message: `'${def.name}' is listed twice (also at stages[${prev}])` });
    seen.set(def.name, i);
    const params = paramsOf(entry);
    const r = def.params.safeParse(params);
    if (!r.success) {
      issues.push(...zodIssues(r.error, def.params, params, p));
      return;
    }
    stages[i] = { stage: def.name, ...(r.data as Record<string, unknown>) };
    if (run && def.checkRun)
      for (const x of def.checkRun(r.data, run)) issues.push({ path: `${p}.${x.path}`, message: x.message });
    const role = def.roleOf?.(r.data) ?? def.role;
    const closes = role === 'close' || role === 'both';
    const pays = role === 'pay' || role === 'both';
    if (pays && !def.pays)
      issues.push({
        path: `${p}.stage`,
        message: `'${def.name}' is a paying stage but declares no who-paid column (StageDef.pays)`,
      });
    if (role === 'pay' && fullPayer >= 0)
      issues.push({
        path: `${p}.stage`,
        message: `'${def.name}' can never run: '${String(stages[fullPayer].stage)}' before it (stages[${fullPayer}]) pays every shortfall in full`,
      });
    if (pays && def.alwaysCovers?.(r.data) && fullPayer < 0) fullPayer = i;
    if (role === 'pay' && firstCloser < 0)
      issues.push({
        path: `${p}.stage`,
        message: `'${def.name}' pays shortfalls but is listed before any stage that closes positions, so no shortfall can reach it; move it after one (e.g. 'market')`,
      });
    if (closes) {
      // a stage that also pays (the vault) still has work after a terminal closer
      if (terminal >= 0 && role === 'close')
        issues.push({
          path: `${p}.stage`,
          message: `'${def.name}' can never run: '${String(stages[terminal].stage)}' before it (stages[${terminal}]) takes charge of every account`,
        });
      if (firstCloser < 0) firstCloser = i;
      if (def.alwaysHandles?.(r.data) && terminal < 0) terminal = i;
    }
    // a service only one stage may provide, declared by two listed stages
    for (const token of def.provides ?? []) {
      if (token.many) continue;
      const other = provider.get(token);
      if (other !== undefined)
        issues.push({
          path: `${p}.stage`,
          message: `'${def.name}' and '${String(stages[other].stage)}' (stages[${other}]) both provide service ${token.name}, which only one stage listed may provide: list one of them`,
        });
      else provider.set(token, i);
    }
  });
  if (stages.length > 0 && firstCloser < 0 && issues.length === 0)
    issues.push({
      path: at('waterfall.stages'),
      message: `no stage can close a position; add one of: ${listStages()
        .filter((s) => s.role === 'close' || s.role === 'both')
        .map((s) => s.name)
        .join(', ')}`,
    });
  if (stages.length === 0)
    issues.push({ path: at('waterfall.stages'), message: 'the waterfall needs at least one stage' });
  return issues;
}

/** Number of system account rows the configured stages need. */
export function systemRows(cfg: SimConfig): number {
  let n = 0;
  for (const entry of cfg.waterfall.stages as StageEntry[]) {
    const def = getStage(entry.stage);
    if (def?.rows) n += def.rows(paramsOf(entry));
  }
  return n;
}

/** The waterfall built from `cfg.waterfall.stages` (see the module comment). */
export class StagedWaterfall implements Waterfall {
  readonly keepers: Keepers;
  /** Stage instances, in config order. */
  readonly stages: StageInstance[] = [];
  /** Stage names, in config order. */
  readonly names: string[] = [];
  /** What {@link StagedWaterfall.takeTradingFees} set: a share of every trading fee, and where it goes. */
  tradingFeeShare = 0;
  tradingFeeTo: number = LEDGER.venueFees;
  /** The vault service, when a listed stage provides it (for the payoffs' vault shares and the series). */
  private vault: VaultService | undefined;
  /** Objects the stages of this run share, by token (see {@link StagedWaterfall.shared}). */
  private readonly sharedBy = new Map<ServiceToken<unknown>, unknown>();
  private feeTaker = '';
  /** Per metric slot: 1 when a listed stage declares the metric (`StageDef.metrics`). */
  readonly declared: Uint8Array;
  private readonly closers: StageInstance[] = [];
  private readonly closerAt: Int32Array;
  private readonly payers: StageInstance[] = [];
  /** Per payer: its position in the stage list, its who-paid column (`PAYER`), its name. */
  private readonly payerAt: Int32Array;
  private readonly payerColumn: Int32Array;
  /** Per payer: 1 when it settles at the end of the tick (books its payments through `settled`). */
  private readonly deferred: Uint8Array;
  private readonly payerName: string[] = [];
  private readonly holders: StageInstance[] = [];
  private readonly settlers: StageInstance[] = [];
  private readonly roles: Int32Array;
  private readonly firstRow: number;

  constructor(private readonly sim: Venue) {
    this.keepers = new Keepers(sim);
    const entries = sim.cfg.waterfall.stages as StageEntry[];
    this.firstRow = sim.nAgents;
    this.roles = sim.i32(Math.max(0, sim.accounts.n - sim.nAgents)).fill(2);
    this.declared = new Uint8Array(METRIC_NAMES.length);
    const at: number[] = [];
    const payAt: number[] = [];
    const payCol: number[] = [];
    let row = this.firstRow;
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index];
      const def = getStage(entry.stage);
      if (!def) throw new Error(`stage '${entry.stage}' is not registered`);
      const params = paramsOf(entry);
      const rows = def.rows?.(params) ?? 0;
      const mine = def.metrics ?? [];
      const slot = (m: MetricDecl): number =>
        typeof m === 'string'
          ? metricSlot(m)
          : METRIC_NAMES.length + sim.metricColumns.findIndex((c) => c.column === m.column);
      for (const m of mine) if (typeof m === 'string') this.declared[slot(m)] = 1;
      const sizes = {
        accounts: sim.accounts.n,
        agents: sim.nAgents,
        rows,
        ticks: sim.cfg.ticks,
        dtSeconds: sim.cfg.dtSeconds,
      };
      const state = allocStageState(def, params, sizes, sim);
      const inst = def.build({
        sim,
        params,
        waterfall: this,
        index,
        state,
        firstRow: rows > 0 ? row : -1,
        metric: (name: string) => {
          const m = mine.find((d) => (typeof d === 'string' ? d : d.column) === name);
          if (m === undefined)
            throw new Error(
              `stage '${def.name}' writes metric ${name} but does not declare it: add it to its metrics`,
            );
          return slot(m);
        },
        provide: (token, impl) => this.keepers.provide(token, impl, def.name),
      });
      if (def.rowRole === 'traders') this.roles.fill(0, row - this.firstRow, row - this.firstRow + rows);
      row += rows;
      this.stages.push(inst);
      this.names.push(def.name);
      const role = def.roleOf?.(params) ?? def.role;
      if ((role === 'close' || role === 'both') && inst.liquidate) {
        this.closers.push(inst);
        at.push(index);
      }
      if ((role === 'pay' || role === 'both') && inst.cover) {
        if (!def.pays) throw new Error(`stage '${def.name}' pays shortfalls but declares no who-paid column`);
        this.payers.push(inst);
        this.payerName.push(def.name);
        payAt.push(index);
        const d = def.pays;
        payCol.push(
          typeof d === 'string'
            ? PAYER[d as Payer]
            : PAYER_SLOTS + sim.payerColumns.findIndex((c) => c.column === d.column),
        );
      }
      if (inst.solvency) this.holders.push(inst);
      if (inst.settleTick) this.settlers.push(inst);
    }
    this.closerAt = Int32Array.from(at);
    this.payerAt = Int32Array.from(payAt);
    this.payerColumn = Int32Array.from(payCol);
    this.deferred = Uint8Array.from(this.payers, (p) => (p.settleTick ? 1 : 0));
    this.vault = this.keepers.service(VAULT_SERVICE);
  }

  /**
   * The object the stages of this run share under `token`: `make()`'s on the first call of the run, the same
   * one on every later call (e.g. the debt in auctions of all auction stages together, MakerDAO's `Dirt`).
   */
  shared<T>(token: ServiceToken<T>, make: () => T): T {
    if (!this.sharedBy.has(token)) this.sharedBy.set(token, make());
    return this.sharedBy.get(token) as T;
  }

  /**
   * Routes `share` (0 to 1) of every trading fee to ledger account `to` (the rest stays the venue's), from the
   * next trade on: the insurance fund's share of fees. One listed stage may take fees.
   *
   * @throws Error when another listed stage already takes them, naming both
   */
  takeTradingFees(share: number, to: number, stage: string): void {
    if (this.feeTaker !== '')
      throw new Error(
        `stages '${this.feeTaker}' and '${stage}' both take a share of trading fees; list one of them`,
      );
    if (!(share >= 0 && share <= 1))
      throw new Error(`stage '${stage}': a share of trading fees must be in [0, 1] (got ${share})`);
    this.feeTaker = stage;
    this.tradingFeeShare = share;
    this.tradingFeeTo = to;
  }

  liquidate(id: number): void {
    this.runClosers(id, 0, false);
  }

  /** Hands account `id` to the closers listed after stage position `stageIndex` (an earlier one gave up). */
  passOn(id: number, stageIndex: number): void {
    let k = 0;
    while (k < this.closerAt.length && this.closerAt[k] <= stageIndex) k++;
    this.runClosers(id, k, true);
  }

  /** Whether a closer is listed after stage position `stageIndex`. */
  hasCloserAfter(stageIndex: number): boolean {
    return this.closerAt.length > 0 && this.closerAt[this.closerAt.length - 1] > stageIndex;
  }

  private runClosers(id: number, k0: number, declined: boolean): void {
    const a = this.sim.accounts;
    const c = this.closers;
    for (let k = k0; k < c.length && a.qty[id] !== 0; k++) {
      if (c[k].liquidate!(id, declined)) break;
      declined = true;
    }
    // still holding a position (a slice sent, waiting for keepers, or nobody took it): look again next tick
    if (a.qty[id] !== 0) a.rekey(id);
  }

  coverShortfall(id: number, amount: number, side: number, pbk: number, after = -1): void {
    const sim = this.sim;
    if (amount < DUST_USD) {
      // the rounding of a close, not a loss: the venue pays it and no shortfall is recorded
      sim.credit(LEDGER.venueFees, id, amount);
      return;
    }
    sim.noteShortfall(amount);
    sim.log('shortfall', id, 0, pbk, amount);
    this.offer(id, amount, side, pbk, after);
  }

  /**
   * A payer that settles at the end of the tick (`settleTick`) settles what it advanced into account `id`: it
   * paid `paid` USD of it (booked now in its who-paid column), and took back `back` USD (the account's equity
   * is −back again), which goes to the payers listed after it; what they do not pay is unpaid. The shortfall
   * itself was counted when it was first offered.
   */
  settled(stageIndex: number, id: number, paid: number, back: number, side: number, pbk: number): void {
    const k = this.payerAt.indexOf(stageIndex);
    if (k < 0 || this.deferred[k] === 0)
      throw new Error(`stage ${stageIndex} is not a payer that settles later`);
    if (paid > 0) this.sim.paid[this.payerColumn[k]] += paid;
    if (back > 0) this.offer(id, back, side, pbk, stageIndex);
  }

  /** Offers `amount` of account `id`'s shortfall to the payers listed after stage position `after`. */
  private offer(id: number, amount: number, side: number, pbk: number, after: number): void {
    const sim = this.sim;
    const cash = sim.accounts.cash;
    const target = cash[id] + amount;
    let rem = amount;
    const p = this.payers;
    for (let k = 0; k < p.length && rem > 0; k++) {
      if (this.payerAt[k] <= after) continue;
      const before = cash[id];
      const paid = p[k].cover!(id, rem, side, pbk);
      if (paid === 0) {
        // paying nothing moves nothing: money moved but not reported would be booked as unpaid
        if (cash[id] !== before) this.misreported(k, id, paid, rem, cash[id] - before);
        continue;
      }
      // the waterfall, not the stage, books who paid: what the stage says it paid must be what it paid in
      const moved = cash[id] - before;
      if (
        !(paid > 0 && paid <= rem * (1 + 1e-12)) ||
        !(Math.abs(moved - paid) <= 1e-9 * Math.max(rem, Math.abs(before)))
      )
        this.misreported(k, id, paid, rem, moved);
      rem -= paid;
      // what a payer's own rounding leaves (a sum of many shares) is its payment too; a payer that settles
      // at the end of the tick books what it paid then (`settled`)
      const last = rem <= DUST_SHARE * amount;
      if (this.deferred[k] === 0) {
        const booked = last ? paid + rem : paid;
        sim.paid[this.payerColumn[k]] += booked;
        // a payer with a column of its own (a plug-in's) has no event of its own: the waterfall logs its
        // payment, so that each tick's payer events still sum to its shortfalls
        if (this.payerColumn[k] >= PAYER_SLOTS) sim.log('paid', id, 0, 0, booked);
      }
      if (last) rem = 0;
    }
    leaveUnpaid(sim, id, rem);
    // the account's collateral rose by exactly the shortfall: the rounding of the payments' sum (below
    // DUST_SHARE of it) is the venue's, so no flat account is left a few 1e-12 USD short
    const r = target - cash[id];
    if (r !== 0 && Math.abs(r) <= DUST_SHARE * amount) {
      sim.ledger[LEDGER.venueFees] -= r;
      cash[id] = target;
    }
    sim.noteFund();
  }

  /** A payer's `cover` said it paid what it did not: the run ends with an error naming the stage. */
  private misreported(k: number, id: number, paid: number, rem: number, moved: number): never {
    throw new Error(
      `stage '${this.payerName[k]}' reported paying ${paid} of a shortfall of ${rem} on account ${id} but moved ${moved} into it (tick ${this.sim.tick})`,
    );
  }

  endTick(): void {
    const s = this.stages;
    for (let k = 0; k < s.length; k++) s[k].endTick?.();
    const h = this.holders;
    for (let k = 0; k < h.length; k++) h[k].solvency!();
    this.settle();
  }

  private settle(): void {
    const s = this.settlers;
    for (let k = 0; k < s.length; k++) s[k].settleTick!();
  }

  finish(): void {
    for (const s of this.stages) s.finish?.();
    this.settle();
    for (const s of this.stages) s.report?.();
  }

  vaultEquity(): number {
    return this.vault ? this.vault.equity() : this.sim.ledger[LEDGER.vault];
  }
  rowRole(i: number): number {
    return this.roles[i - this.firstRow] ?? 2;
  }
  holds(i: number): boolean {
    const s = this.stages;
    for (let k = 0; k < s.length; k++) if (s[k].holds?.(i)) return true;
    return false;
  }
  /** Value of account i's vault shares at the share price (USD); 0 without a vault. */
  holdingsValue(i: number): number {
    const v = this.vault;
    if (!v) return 0;
    const s = v.shares(i);
    return s > 0 ? s * v.sharePrice() : 0;
  }
}

/** Records `amount` of account `id`'s shortfall as unpaid: its debt moves to the bad-debt ledger. */
export function leaveUnpaid(sim: Venue, id: number, amount: number): void {
  if (amount <= 0) return;
  sim.accounts.cash[id] += amount;
  sim.ledger[LEDGER.badDebt] -= amount;
  sim.paid[PAYER.unpaid] += amount;
  sim.log('unpaid', id, 0, 0, amount);
}

/** Builds the configured waterfall (`cfg.waterfall.stages`) for a run. */
export function buildWaterfall(sim: Venue): Waterfall {
  return new StagedWaterfall(sim);
}
