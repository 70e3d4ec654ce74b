/**
 * The stage plug-in point. A stage is one file in `./stages/` that registers a {@link StageDef}: a name, a
 * role (does it close positions, pay shortfalls, or both), a strict zod schema of its parameters (every
 * field with a default and its unit), and `build`, which returns the {@link StageInstance} the waterfall
 * calls. The engine never names a stage; the config lists them (`waterfall.stages`), in order.
 */
import type { z } from 'zod';
import type { VenueContext } from '../context.js';
import {
  METRIC_NAMES,
  type MetricColumn,
  type MetricDecl,
  STAGE_METRICS,
  type StageMetric,
} from '../metrics.js';
import type { ColumnType } from '../strategy.js';
import type { ServiceToken } from './keepers.js';
import {
  BUILTIN_PAYERS,
  isBuiltinPayerColumn,
  type PayerColumn,
  type PayerDecl,
  payerColumn,
  UNPAID_SEGMENTS,
} from './payers.js';
import type { StagedWaterfall } from './waterfall.js';

/**
 * What a stage does: closes (or takes over) positions, pays shortfalls, or both; or acts on its own schedule
 * in `endTick` (a settlement), neither taking liquidated accounts nor paying.
 */
export type StageRole = 'close' | 'pay' | 'both' | 'scheduled';

/** A built stage: the calls the waterfall makes on it. All optional but those of its role. */
export interface StageInstance {
  /**
   * Handles account `id`, found below maintenance (or passed on by an earlier closer). Returns true when the
   * stage took charge of it this tick (closed it, took it over, sent a slice, started an auction, or is
   * waiting for keepers), false to pass it to the next closer. `declined`: an earlier closer passed.
   */
  liquidate?(id: number, declined: boolean): boolean;
  /**
   * Pays up to `amount` USD of account `id`'s shortfall into its collateral (its position, sign `side`,
   * is closed, or for a holder's deficit being wound down; `pbk` was its bankruptcy price) and returns what
   * it paid (0 ≤ paid ≤ amount). Only what it can pay: the waterfall passes the rest to the next payer, and
   * books what each paid in its who-paid column (`StageDef.pays`) after checking that the account's
   * collateral rose by exactly that.
   */
  cover?(id: number, amount: number, side: number, pbk: number): number;
  /** Once per tick, after the liquidations. */
  endTick?(): void;
  /**
   * Once per tick, after every stage's `endTick`: a stage that holds positions in its own rows (the vault)
   * settles a negative equity the tick left it with, through `waterfall.coverShortfall`.
   */
  solvency?(): void;
  /**
   * Once per tick, after every stage's `endTick` and every holder's `solvency` (and once more after the last
   * tick's `finish`): a payer that pools the tick's shortfalls and levies them together (socialized loss)
   * settles here, reporting through `waterfall.settled` what it paid and what it could not collect (its
   * payments are booked then, not when `cover` advanced them).
   */
  settleTick?(): void;
  /**
   * Once at the very end, after every stage's `finish` and the last settlement: sets the metrics the stage
   * declares that are values at the end (the vault's return), in their slots (`StageContext.metric`).
   */
  report?(): void;
  /**
   * Whether the stage holds part of account `id`'s position that may come back to it (a lot in an auction):
   * such an account cannot leave the venue yet.
   */
  holds?(id: number): boolean;
  /** Once after the last tick. */
  finish?(): void;
}

/**
 * One per-run array a stage declares (`StageDef.state`): a column type, meaning one element per account row,
 * or `{ type, length, fill }` (`fill`: the starting value of every element, default 0).
 */
export type StateArray =
  | ColumnType
  | { readonly type: ColumnType; readonly length: number; readonly fill?: number };

/** A stage's per-run arrays by name (`StageDef.state`). */
export type StageStateDecl = Record<string, StateArray>;

type ArrayOf<A> = A extends 'f64' | { type: 'f64' }
  ? Float64Array
  : A extends 'i32' | { type: 'i32' }
    ? Int32Array
    : Uint8Array;

/** The arrays of a {@link StageStateDecl}, allocated for one run: `ctx.state` in `build`. */
export type StageState<S extends StageStateDecl> = { readonly [K in keyof S]: ArrayOf<S[K]> };

/** The sizes of a run a stage's `state` may depend on. */
export interface StateSizes {
  /** Account rows in all (agents' and every stage's system rows). */
  readonly accounts: number;
  /** Agents' accounts (rows 0 … agents − 1). */
  readonly agents: number;
  /** This stage's own system rows (`StageDef.rows`). */
  readonly rows: number;
  /** Ticks of the run, and seconds per tick. */
  readonly ticks: number;
  readonly dtSeconds: number;
}

/** What `build` gets. */
export interface StageContext<P, S extends StageStateDecl = StageStateDecl> {
  /** The run, as a stage sees it: prices, accounts, the venue's operations. */
  readonly sim: VenueContext;
  /** The validated parameters. */
  readonly params: P;
  /** The waterfall the stage belongs to. */
  readonly waterfall: StagedWaterfall;
  /** Position of the stage in `waterfall.stages`. */
  readonly index: number;
  /** The per-run arrays the stage declares (`StageDef.state`), zeroed or filled, for this run only. */
  readonly state: StageState<S>;
  /** First of the system account rows the stage asked for with `rows` (−1 when none). */
  readonly firstRow: number;
  /**
   * The slot in `sim.metrics` of a metric the stage declares (`StageDef.metrics`): a built-in one's name, or
   * the `column` of one of its own.
   *
   * @throws Error when the stage does not declare it
   */
  metric(name: StageMetric | (string & {})): number;
  /**
   * Offers `impl` to agents as the service `token` names (`keepers(sim).service(token)`); the built-in
   * stages provide the auction, takeover, vault and capacity services this way.
   *
   * @throws Error when another listed stage provides a service only one may
   */
  provide<T>(token: ServiceToken<T>, impl: T): void;
}

/** A stage definition; create one with {@link defineStage}. */
export interface StageDef<PS extends z.ZodType = z.ZodType, S extends StageStateDecl = StageStateDecl> {
  /** Name used in configs (`{ stage: name, ...params }`). */
  readonly name: string;
  /** One line for `backstop-sim list`. */
  readonly description: string;
  readonly role: StageRole;
  /**
   * The role of a stage whose parameters choose it (ADL pays, or closes positions itself); `role` when
   * absent. `role` is then the widest the stage can take ('both').
   */
  roleOf?(params: z.output<PS>): StageRole;
  /**
   * The summary metrics the stage contributes (its reporters): it adds to their slots as it runs (auctions
   * started, ADL reductions) or sets them in `report` (the vault's return). Each is a built-in metric's name
   * (`STAGE_METRICS`), or a column of its own, `{ column, description, min?, max? }`, which `runs.arrow` gains
   * (after the fixed metrics and the payers' own columns) in every batch that lists the stage, and which
   * `analyze` summarises like the others. Shown by `list`.
   */
  readonly metrics?: readonly MetricDecl[];
  /**
   * The who-paid column a paying stage's payments are booked in (required of a stage whose role is 'pay' or
   * 'both'): a built-in payer's short name (`'insuranceFund'`, `'vault'`, `'adl'`, `'socialized'`), or a
   * column of its own, `{ column, label, description, loss? }` (src/waterfall/payers.ts). That column is
   * added to `runs.arrow` (after the fixed metrics) of every batch that lists the stage, drawn in the
   * report's who-paid figure under `label`, and shown by `list`: a new payer is this one declaration.
   */
  readonly pays?: PayerDecl;
  /**
   * Whether the stage, as a payer, always pays every shortfall in full (then no payer after it can ever
   * run, and the config is rejected if one is listed).
   */
  alwaysCovers?(params: z.output<PS>): boolean;
  /**
   * Whether the stage always takes charge of the accounts it is given (then no closer after it can ever
   * run, and the config is rejected if one is listed).
   */
  alwaysHandles?(params: z.output<PS>): boolean;
  /**
   * Issues of the validated parameters against the run (`ticks`: its number of ticks), e.g. a tick after the
   * last; each with the parameter's name as `path` (the stage's place in the list is prefixed).
   */
  checkRun?(params: z.output<PS>, run: { ticks: number }): { path: string; message: string }[];
  /**
   * The services the stage provides to agents and other stages (`ctx.provide` in `build`): declared, two
   * listed stages providing a service only one may are refused when the config is checked (exit 2), not
   * when the run is built.
   */
  readonly provides?: readonly ServiceToken<unknown>[];
  /** zod object of the parameters (without `stage`); every field has a default and a unit. */
  readonly params: PS;
  /** System account rows the stage needs (e.g. the vault's position, one per auction lot). */
  rows?(params: z.output<PS>): number;
  /** Role of the stage's system rows in the run's PnL by role (default 'lps'). */
  readonly rowRole?: 'traders' | 'lps';
  /**
   * The stage's per-run arrays, from its validated parameters and the run's sizes: name → a column type (one
   * element per account row) or `{ type, length, fill? }`. The engine allocates them for each run (they are
   * recycled for the thread's next run, so `build` must not keep them beyond it) and hands them to `build` as
   * `ctx.state`, typed by this declaration.
   *
   * @example
   * state: (p, run) => ({ lastSeen: 'f64', bidder: { type: 'i32', length: p.slots, fill: -1 } }),
   */
  state?(params: z.output<PS>, run: StateSizes): S;
  /**
   * Builds the stage's instance for one run, with its arrays in `ctx.state`. The instance should be of a
   * class defined once in the module, as the built-in stages do (why: docs/performance.md). An array that must
   * grow during the run may come from `ctx.sim.f64(n)` (`i32`, `u8`).
   */
  build(ctx: StageContext<z.output<PS>, S>): StageInstance;
}

/**
 * Declares a stage with full type inference of its parameters.
 *
 * @example
 * class Nothing implements StageInstance {
 *   liquidate(): boolean { return false; }
 * }
 * registerStage(defineStage({
 *   name: 'nothing', description: 'passes every account on', role: 'close',
 *   params: z.strictObject({}), build: () => new Nothing(),
 * }));
 */
export function defineStage<PS extends z.ZodType, S extends StageStateDecl = Record<string, never>>(
  def: StageDef<PS, S>,
): StageDef<PS, S> {
  return def;
}

const COLUMN_TYPES: readonly ColumnType[] = ['f64', 'i32', 'u8'];

/**
 * Allocates the arrays stage `def` declares (`StageDef.state`) for one run with parameters `params`, from
 * `alloc` (the run's arena).
 *
 * @throws Error naming the stage (and the array) when its `state` throws or declares what the engine cannot
 *   allocate (a bug in the stage)
 */
export function allocStageState(
  def: Pick<StageDef, 'name' | 'state'>,
  params: unknown,
  sizes: StateSizes,
  alloc: { f64(n: number): Float64Array; i32(n: number): Int32Array; u8(n: number): Uint8Array },
): Record<string, Float64Array | Int32Array | Uint8Array> {
  const out: Record<string, Float64Array | Int32Array | Uint8Array> = {};
  if (def.state === undefined) return out;
  const stage = def.name;
  let decl: unknown;
  try {
    decl = def.state(params, sizes);
  } catch (e) {
    throw new Error(
      `stage '${stage}' state (StageDef.state) failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (decl === undefined) return out;
  const bad = (what: string): never => {
    throw new Error(`stage '${stage}' state${what} (StageDef.state)`);
  };
  if (!decl || typeof decl !== 'object' || Array.isArray(decl))
    bad(` must return an object of arrays by name, e.g. { bids: 'f64' } (got ${JSON.stringify(decl)})`);
  for (const [name, a] of Object.entries(decl as Record<string, unknown>)) {
    const spec = typeof a === 'string' ? { type: a, length: sizes.accounts } : (a as Record<string, unknown>);
    if (
      !spec ||
      typeof spec !== 'object' ||
      (typeof a === 'string' && !COLUMN_TYPES.includes(a as ColumnType))
    )
      bad(
        `.${name} must be one of ${COLUMN_TYPES.join(', ')} or { type, length, fill? } (got ${JSON.stringify(a)})`,
      );
    const { type, length, fill } = spec as { type: unknown; length: unknown; fill?: unknown };
    if (!COLUMN_TYPES.includes(type as ColumnType))
      bad(`.${name}.type must be one of ${COLUMN_TYPES.join(', ')} (got ${JSON.stringify(type)})`);
    if (!(typeof length === 'number' && Number.isInteger(length) && length >= 0 && length <= 2 ** 31 - 1))
      bad(`.${name}.length must be a whole number ≥ 0 (got ${JSON.stringify(length)})`);
    if (fill !== undefined && typeof fill !== 'number')
      bad(`.${name}.fill must be a number, when given (got ${JSON.stringify(fill)})`);
    if (typeof fill === 'number' && type !== 'f64') {
      const [lo, hi] = type === 'u8' ? [0, 255] : [-(2 ** 31), 2 ** 31 - 1];
      if (!(Number.isInteger(fill) && fill >= lo && fill <= hi))
        bad(`.${name}.fill must be a whole number from ${lo} to ${hi} for type '${type}' (got ${fill})`);
    }
    const n = length as number;
    const arr = type === 'f64' ? alloc.f64(n) : type === 'i32' ? alloc.i32(n) : alloc.u8(n);
    if (typeof fill === 'number' && fill !== 0) arr.fill(fill);
    out[name] = arr;
  }
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds stages of heterogeneous parameter types
type AnyStage = StageDef<any>;
const registry = new Map<string, AnyStage>();

const ROLES: readonly StageRole[] = ['close', 'pay', 'both', 'scheduled'];
/** Columns of `runs.arrow` that are not metrics. */
const RESERVED = new Set(['run_id', 'point_id', 'run', 'seed', 'status', 'error']);

/**
 * What a stage definition lacks of what {@link defineStage} requires, or what its who-paid declaration
 * would clash with (a column of `runs.arrow`, another registered stage's different declaration of the same
 * column), each naming the field: empty when it can be registered.
 */
export function stageGaps(def: Record<string, unknown>): string[] {
  const gaps: string[] = [];
  if (!(typeof def.name === 'string' && def.name !== '')) gaps.push('it needs name (a non-empty string)');
  if (typeof def.description !== 'string') gaps.push('it needs description (a string)');
  if (!ROLES.includes(def.role as StageRole))
    gaps.push(
      `it needs role (one of ${ROLES.join(', ')}${def.role === undefined ? '' : `; got ${JSON.stringify(def.role)}`})`,
    );
  const p = def.params as { safeParse?: unknown } | undefined;
  if (!(p && typeof p === 'object' && typeof p.safeParse === 'function'))
    gaps.push('it needs params (a zod object of its parameters, e.g. z.strictObject({}))');
  if (typeof def.build !== 'function') gaps.push('it needs build (a function returning the run’s stage)');
  if (def.metrics !== undefined) {
    if (!Array.isArray(def.metrics))
      gaps.push(
        `metrics must be a list, each one of ${STAGE_METRICS.join(', ')} or { column, description } (got ${JSON.stringify(def.metrics)})`,
      );
    else gaps.push(...metricGaps(def.metrics, String(def.name), def.pays));
  }
  if (
    def.provides !== undefined &&
    !(
      Array.isArray(def.provides) &&
      def.provides.every(
        (t) => t && typeof t === 'object' && typeof t.name === 'string' && typeof t.many === 'boolean',
      )
    )
  )
    gaps.push('provides must be a list of service tokens (serviceToken(name)), when given');
  for (const k of ['roleOf', 'alwaysCovers', 'alwaysHandles', 'checkRun', 'rows', 'state'] as const)
    if (def[k] !== undefined && typeof def[k] !== 'function')
      gaps.push(`${k} must be a function, when given`);
  const pays = def.pays;
  if (pays === undefined) {
    if (def.role === 'pay' || def.role === 'both')
      gaps.push(
        `it needs pays (its who-paid column: one of ${Object.keys(BUILTIN_PAYERS).join(', ')}, or { column, label, description }), as a stage whose role is '${def.role}' does`,
      );
  } else if (def.role === 'close' || def.role === 'scheduled')
    gaps.push(
      `pays is only for a stage that pays shortfalls (role 'pay' or 'both'); this one's role is '${def.role}'`,
    );
  else if (typeof pays === 'string') {
    if (!(pays in BUILTIN_PAYERS))
      gaps.push(
        `pays must be one of ${Object.keys(BUILTIN_PAYERS).join(', ')}, or { column, label, description } (got ${JSON.stringify(pays)})`,
      );
  } else if (!pays || typeof pays !== 'object')
    gaps.push('pays must be a built-in payer name or { column, label, description }');
  else gaps.push(...payerGaps(pays as Record<string, unknown>, String(def.name)));
  return gaps;
}

/** What is wrong with a stage's own who-paid column (see {@link stageGaps}). */
function payerGaps(c: Record<string, unknown>, stage: string): string[] {
  const gaps: string[] = [];
  const col = c.column;
  if (typeof col !== 'string' || !/^[a-z][a-z0-9_]*$/.test(col))
    gaps.push(
      `pays.column must be a snake_case column name such as 'paid_by_treasury': lower-case letters, digits and _ (got ${JSON.stringify(col)})`,
    );
  else if (fixedColumn(col))
    gaps.push(
      `pays.column: '${col}' is already a column of runs.arrow${Object.values(BUILTIN_PAYERS).some((b) => b.column === col) ? ` (a built-in payer's: declare pays: '${Object.entries(BUILTIN_PAYERS).find(([, b]) => b.column === col)![0]}' instead)` : ''}; name the stage's own column, e.g. 'paid_by_${stage.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}'`,
    );
  else
    for (const other of registry.values()) {
      if (other.name === stage) continue;
      if ((other.metrics ?? []).some((m) => typeof m !== 'string' && m.column === col))
        gaps.push(`pays.column: '${col}' is stage '${other.name}'s metric`);
      if (other.pays === undefined) continue;
      const o = payerColumn(other.pays);
      if (
        o.column === col &&
        (o.label !== c.label || o.description !== c.description || !!o.loss !== !!c.loss)
      )
        gaps.push(`pays.column: '${col}' is stage '${other.name}'s who-paid column, declared otherwise`);
    }
  if (!(typeof c.label === 'string' && c.label.trim() !== ''))
    gaps.push(
      `pays.label must be its short name in the who-paid figure, e.g. "treasury" (got ${JSON.stringify(c.label)})`,
    );
  else {
    // a segment of the who-paid figure is told by its label: one label, one column
    const taken = [...Object.values(BUILTIN_PAYERS), ...UNPAID_SEGMENTS].find((b) => b.label === c.label);
    if (taken)
      gaps.push(`pays.label: '${c.label}' is the who-paid figure's label of ${taken.column}; choose another`);
    for (const other of registry.values()) {
      if (other.name === stage || other.pays === undefined) continue;
      const o = payerColumn(other.pays);
      if (o.label === c.label && o.column !== col)
        gaps.push(
          `pays.label: '${c.label}' is stage '${other.name}'s label (of ${o.column}); choose another`,
        );
    }
  }
  if (!(typeof c.description === 'string' && c.description.trim() !== ''))
    gaps.push(
      `pays.description must say what the column holds, with its unit, e.g. "shortfall paid by the treasury (USD)" (got ${JSON.stringify(c.description)})`,
    );
  if (c.loss !== undefined && typeof c.loss !== 'boolean')
    gaps.push(
      `pays.loss must be true or false: whether what it pays counts in the venue's loss, as socialized loss does (got ${JSON.stringify(c.loss)})`,
    );
  return gaps;
}

/** Whether `column` is taken by runs.arrow itself (an identifier, a fixed metric, a game's payoff). */
function fixedColumn(column: string): boolean {
  return (
    RESERVED.has(column) ||
    (METRIC_NAMES as readonly string[]).includes(column) ||
    column.startsWith('payoff_')
  );
}

/** What is wrong with a stage's metric declarations (see {@link stageGaps}). */
function metricGaps(list: readonly unknown[], stage: string, pays: unknown): string[] {
  const gaps: string[] = [];
  const seen = new Set<string>();
  const own = pays && typeof pays === 'object' ? (pays as { column?: unknown }).column : undefined;
  list.forEach((m, k) => {
    const at = `metrics[${k}]`;
    if (typeof m === 'string') {
      if (!(STAGE_METRICS as readonly string[]).includes(m))
        gaps.push(
          `${at}: ${JSON.stringify(m)} is not a metric a stage contributes (${STAGE_METRICS.join(', ')}); a metric of its own is { column, description }`,
        );
      else if (seen.has(m)) gaps.push(`${at}: ${m} is listed twice`);
      seen.add(m);
      return;
    }
    if (!m || typeof m !== 'object' || Array.isArray(m)) {
      gaps.push(
        `${at} must be a built-in metric's name or { column, description } (got ${JSON.stringify(m)})`,
      );
      return;
    }
    const c = m as Record<string, unknown>;
    for (const key of Object.keys(c))
      if (!['column', 'description', 'min', 'max'].includes(key))
        gaps.push(`${at}.${key} is not a field of a metric (column, description, min, max)`);
    const col = c.column;
    if (typeof col !== 'string' || !/^[a-z][a-z0-9_]*$/.test(col) || col.length > 100)
      gaps.push(
        `${at}.column must be a snake_case column name such as 'treasury_calls': lower-case letters, digits and _, at most 100 (got ${JSON.stringify(col)})`,
      );
    else if (fixedColumn(col) || isBuiltinPayerColumn(col) || col === own)
      gaps.push(`${at}.column: '${col}' is already a column of runs.arrow; name the stage's own metric`);
    else if (seen.has(col)) gaps.push(`${at}.column: '${col}' is listed twice`);
    else
      for (const other of registry.values()) {
        if (other.name === stage) continue;
        const op = other.pays !== undefined && typeof other.pays !== 'string' ? other.pays.column : undefined;
        if (op === col) gaps.push(`${at}.column: '${col}' is stage '${other.name}'s who-paid column`);
        const o = (other.metrics ?? []).find(
          (x): x is MetricColumn => typeof x !== 'string' && x.column === col,
        );
        if (o && (o.description !== c.description || o.min !== c.min || o.max !== c.max))
          gaps.push(`${at}.column: '${col}' is stage '${other.name}'s metric, declared otherwise`);
      }
    if (typeof col === 'string') seen.add(col);
    if (!(typeof c.description === 'string' && c.description.trim() !== ''))
      gaps.push(
        `${at}.description must say what the metric holds, with its unit, e.g. "calls on the treasury (count)" (got ${JSON.stringify(c.description)})`,
      );
    for (const b of ['min', 'max'] as const)
      if (c[b] !== undefined && !(typeof c[b] === 'number' && Number.isFinite(c[b])))
        gaps.push(`${at}.${b} must be a finite number, when given (got ${JSON.stringify(c[b])})`);
    if (typeof c.min === 'number' && typeof c.max === 'number' && !(c.min < c.max))
      gaps.push(`${at}: min (${c.min}) must be below max (${c.max})`);
  });
  return gaps;
}

/**
 * Registers a stage under its name (a later registration of the same name replaces the earlier).
 *
 * @throws Error naming what the definition lacks (see {@link stageGaps})
 */
export function registerStage(def: AnyStage): void {
  const gaps = stageGaps(def as unknown as Record<string, unknown>);
  if (gaps.length > 0)
    throw new Error(`stage ${JSON.stringify(def.name)} is refused: ${gaps.join('; ')} (see defineStage)`);
  registry.set(def.name, def);
}

/**
 * The who-paid columns of their own (not a built-in payer's) of the stages listed, each once, in the order
 * of the list: what `runs.arrow` adds after the fixed metrics.
 */
export function ownPayerColumns(stages: readonly { stage: string }[]): Required<PayerColumn>[] {
  const out: Required<PayerColumn>[] = [];
  for (const s of stages) {
    const d = registry.get(s.stage)?.pays;
    if (d === undefined || typeof d === 'string') continue;
    if (!out.some((c) => c.column === d.column)) out.push(payerColumn(d));
  }
  return out;
}

/**
 * The metric columns of their own (not built-in metrics) of the stages listed, each once, in the order of the
 * list: what `runs.arrow` adds after the payers' own columns.
 */
export function ownMetricColumns(stages: readonly { stage: string }[]): MetricColumn[] {
  const out: MetricColumn[] = [];
  for (const s of stages)
    for (const m of registry.get(s.stage)?.metrics ?? [])
      if (typeof m !== 'string' && !out.some((c) => c.column === m.column)) out.push(metricColumn(m));
  return out;
}

/**
 * The columns of their own that a batch of these configs adds to `runs.arrow`: the payers' who-paid columns
 * and the stages' metric columns, each once, in order of first appearance over the configs.
 */
export function batchColumns(configs: readonly { waterfall: { stages: readonly unknown[] } }[]): {
  payers: Required<PayerColumn>[];
  metrics: MetricColumn[];
} {
  const payers: Required<PayerColumn>[] = [];
  const metrics: MetricColumn[] = [];
  for (const c of configs) {
    const stages = c.waterfall.stages as { stage: string }[];
    for (const p of ownPayerColumns(stages)) if (!payers.some((q) => q.column === p.column)) payers.push(p);
    for (const m of ownMetricColumns(stages))
      if (!metrics.some((q) => q.column === m.column)) metrics.push(m);
  }
  return { payers, metrics };
}

/** A metric column as plans and files carry it: exactly its fields, bounds only when declared. */
export function metricColumn(m: MetricColumn): MetricColumn {
  return {
    column: m.column,
    description: m.description,
    ...(m.min !== undefined ? { min: m.min } : {}),
    ...(m.max !== undefined ? { max: m.max } : {}),
  };
}

/** The stage called `name`, or undefined. */
export function getStage(name: string): AnyStage | undefined {
  return registry.get(name);
}

/** Every registered stage, in registration order. */
export function listStages(): AnyStage[] {
  return [...registry.values()];
}
