/**
 * The strategy API. A strategy is one module that declares its role, its parameters (a zod object with
 * defaults and units), its per-agent state columns, and `act`: one call per tick for ALL agents playing it,
 * so the hot loop is a plain loop over typed arrays inside one monomorphic function.
 */
import type { z } from 'zod';
import type { Role } from './config/schema.js';
import type { StrategyContext } from './context.js';
import type { Stream } from './rng.js';

/** Column types a strategy can ask for as per-agent state. */
export type ColumnType = 'f64' | 'i32' | 'u8';

type ColumnOf<T extends ColumnType> = T extends 'f64'
  ? Float64Array
  : T extends 'i32'
    ? Int32Array
    : Uint8Array;

/** The agents playing one strategy in one run: a contiguous block of account ids `first .. first+count-1`. */
export interface AgentGroup<
  P = Record<string, unknown>,
  S extends Record<string, ColumnType> = Record<string, ColumnType>,
> {
  /** Position of this group in the run's group list. */
  readonly index: number;
  /** Strategy name. */
  readonly strategy: string;
  /** Role of the agents. */
  readonly role: Role;
  /** The validated parameters (defaults filled in). */
  readonly params: P;
  /** First account id of the group. */
  readonly first: number;
  /** Number of agents. */
  readonly count: number;
  /** Per-agent state columns, indexed by `id - first`. */
  readonly state: { [K in keyof S]: ColumnOf<S[K]> };
  /** The group's own random stream (`agents/<group index>/<strategy>`). */
  readonly rng: Stream;
}

/** A strategy definition; create one with {@link defineStrategy}. */
export interface Strategy<
  PS extends z.ZodType = z.ZodType,
  S extends Record<string, ColumnType> = Record<string, ColumnType>,
> {
  /** Registry name, used in configs. */
  readonly name: string;
  /** Role whose agents may play it. */
  readonly role: Role;
  /** One line for `backstop-sim list`. */
  readonly description: string;
  /** zod object of the parameters; every field has a default and a `.describe()` with its unit. */
  readonly params: PS;
  /** Per-agent state columns. */
  readonly state?: S;
  /** Called once before the first tick (e.g. to open initial positions). */
  init?(group: AgentGroup<z.output<PS>, S>, sim: StrategyContext): void;
  /**
   * Value (USD, at the end of the run) of what agent `id` holds off the venue besides its wallet, e.g. a
   * spot hedge. Counted in the agent's payoff.
   */
  holdings?(group: AgentGroup<z.output<PS>, S>, id: number, sim: StrategyContext): number;
  /** Called once per tick for all the group's agents. Must not allocate per agent. */
  act(group: AgentGroup<z.output<PS>, S>, sim: StrategyContext): void;
}

/**
 * Declares a strategy with full type inference of its parameters and state.
 *
 * @example
 * export default defineStrategy({
 *   name: 'hodl', role: 'traders', description: 'opens once and holds',
 *   params: z.strictObject({ leverage: z.number().positive().default(5).describe('leverage (x)') }),
 *   init(g, sim) { for (let i = g.first; i < g.first + g.count; i++) sim.openAtLeverage(i, g.params.leverage, 1); },
 *   act() {},
 * });
 */
export function defineStrategy<
  PS extends z.ZodType,
  S extends Record<string, ColumnType> = Record<string, never>,
>(def: Strategy<PS, S>): Strategy<PS, S> {
  return def;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds strategies of heterogeneous types
type AnyStrategy = Strategy<any, any>;
const registry = new Map<string, AnyStrategy>();

/** Registers a strategy under its name (a later registration of the same name replaces the earlier). */
export function registerStrategy(s: AnyStrategy): void {
  registry.set(s.name, s);
}

/** The strategy called `name`, or undefined. */
export function getStrategy(name: string): AnyStrategy | undefined {
  return registry.get(name);
}

/** Every registered strategy. */
export function listStrategies(): AnyStrategy[] {
  return [...registry.values()];
}
