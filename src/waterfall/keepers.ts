import type { StrategyContext, VenueContext } from '../context.js';
/**
 * The keeper and LP API: what liquidator, keeper and backstop-LP strategies call to take part in the
 * waterfall. Get it with {@link keepers}`(sim)` inside a strategy's `init` or `act`. Every call works
 * whether or not the stage behind it is configured: without it, reads return NaN/0 and actions do nothing
 * (return 0 or false), so a strategy can be written once for every venue.
 *
 * Timing: strategies act in phase 3 of a tick, the waterfall runs in phase 6. Auctions started, takeover
 * offers posted and shortfalls met in tick t are visible to keepers from tick t+1 on.
 *
 * @example
 * const k = keepers(sim);
 * const n = k.openAuctions(buf);            // ids of open auctions
 * for (let j = 0; j < n; j++) {
 *   const id = buf[j];
 *   if (k.auctionKind(id) === 'dutch' && k.auctionPrice(id) < 0.9 * sim.oracle) k.take(id, me, k.auctionLot(id), sim.oracle);
 * }
 */

/** An auction stage, as the keeper API sees it. Auction ids are the lot's system account row. */
export interface AuctionService {
  readonly kind: 'dutch' | 'english';
  /** Whether `id` is one of this stage's lots (open or not). */
  owns(id: number): boolean;
  /** Appends the ids of open auctions to `out` from `count`; returns the new count. */
  list(out: Int32Array, count: number): number;
  /** Current fill price per unit (Dutch: the curve's price; English: the price the high bid implies). */
  price(id: number): number;
  /** Units left in the lot. */
  lot(id: number): number;
  /** +1: a long lot (the buyer goes long), −1: a short lot. */
  side(id: number): number;
  /** USD the auction aims to raise (tab = debt · chop). */
  tab(id: number): number;
  /** Time (seconds of the run) at which the auction ends if nothing else happens (English); NaN for Dutch. */
  ends(id: number): number;
  /** High bid value (USD) and bidder (English); NaN / −1 otherwise. */
  highBid(id: number): number;
  bidder(id: number): number;
  take(id: number, keeper: number, amount: number, limitPrice: number): number;
  bid(id: number, keeper: number, value: number, lot: number): boolean;
}

/** The fixed-spread takeover stage, as the keeper API sees it. */
export interface TakeoverService {
  list(out: Int32Array, count: number): number;
  price(target: number): number;
  maxFraction(target: number): number;
  takeover(keeper: number, target: number, fraction: number): number;
}

/** The backstop vault, as LPs see it. */
export interface VaultService {
  deposit(lp: number, usd: number): number;
  requestWithdrawal(lp: number, shares: number): boolean;
  sharePrice(): number;
  shares(lp: number): number;
  /** Shares outstanding, all LPs together (read-only; the tests hold it ≥ 0). */
  totalShares(): number;
  pending(lp: number): number;
  equity(): number;
  /** The vault's signed position (base units). */
  position(): number;
  /** The vault's own account row (its cash and the positions it took over). */
  readonly cashRow: number;
}

/** The backstop capacity providers' stage, as providers see it. */
export interface CapacityService {
  commit(provider: number, perMinuteUsd: number, perHourUsd: number): void;
  remaining(provider: number): number;
}

/**
 * A typed token naming a service a stage provides to agents (`StageContext.provide(token, impl)`) and
 * strategies look up (`keepers(sim).service(token)`, or `services(token)` when several stages may provide
 * it). Make one with {@link serviceToken}; a plug-in stage and its strategies share the token, and the
 * engine knows neither.
 */
export interface ServiceToken<T> {
  readonly name: string;
  /** Whether several stages may provide it (the auction stages); else a second one is an error. */
  readonly many: boolean;
  /** @internal carries the type only */
  readonly __service?: T;
}

/** A new service token (compared by identity: export it from the stage's module). */
export function serviceToken<T>(name: string, opts: { many?: boolean } = {}): ServiceToken<T> {
  return Object.freeze({ name, many: opts.many === true });
}

/** The built-in stages' services, as the keeper API below uses them. */
export const AUCTION_SERVICE = serviceToken<AuctionService>('auctions', { many: true });
export const TAKEOVER_SERVICE = serviceToken<TakeoverService>('takeover');
export const VAULT_SERVICE = serviceToken<VaultService>('vault');
export const CAPACITY_SERVICE = serviceToken<CapacityService>('capacity');

/** The keeper/LP API of one run (see the module comment). */
export class Keepers {
  /** What the stages provide, by token. */
  private readonly provided = new Map<ServiceToken<unknown>, unknown[]>();
  /** Which stage provided each (for the message when a second one does). */
  private readonly providers = new Map<ServiceToken<unknown>, string[]>();
  // the built-in services, kept at hand by `provide` (the calls below run per agent per tick)
  private readonly auctionStages: AuctionService[] = [];
  private takeoverStage: TakeoverService | undefined;
  private vaultStage: VaultService | undefined;
  private capacityStage: CapacityService | undefined;
  private readonly watchers: Int32Array;
  private watching = 0;
  private cursor = 0;
  private readonly isWatcher: Uint8Array;

  constructor(readonly sim: VenueContext) {
    this.watchers = sim.i32(sim.accounts.n);
    this.isWatcher = sim.u8(sim.accounts.n);
  }

  /**
   * @internal a stage's `ctx.provide`: makes `impl` the service `token` names.
   * @throws Error when another stage already provides a service that only one may
   */
  provide<T>(token: ServiceToken<T>, impl: T, by: string): void {
    const list = this.provided.get(token) ?? [];
    const who = this.providers.get(token) ?? [];
    if (list.length > 0 && !token.many)
      throw new Error(
        who[0] === by
          ? `stage '${by}' provides service ${token.name} twice; only one provider of it is allowed`
          : `stages '${who[0]}' and '${by}' both provide service ${token.name}, which only one stage listed may provide: list one of them`,
      );
    list.push(impl);
    who.push(by);
    this.provided.set(token, list);
    this.providers.set(token, who);
    if (token === (AUCTION_SERVICE as ServiceToken<unknown>)) this.auctionStages.push(impl as AuctionService);
    else if (token === (TAKEOVER_SERVICE as ServiceToken<unknown>))
      this.takeoverStage = impl as TakeoverService;
    else if (token === (VAULT_SERVICE as ServiceToken<unknown>)) this.vaultStage = impl as VaultService;
    else if (token === (CAPACITY_SERVICE as ServiceToken<unknown>))
      this.capacityStage = impl as CapacityService;
  }

  /** The service `token` names, when a stage listed provides it (the first, for a service several may provide). */
  service<T>(token: ServiceToken<T>): T | undefined {
    return this.provided.get(token)?.[0] as T | undefined;
  }

  /** Every stage's implementation of the service `token` names, in stage order (empty when none). */
  services<T>(token: ServiceToken<T>): readonly T[] {
    return (this.provided.get(token) ?? []) as T[];
  }

  // ------------------------------------------------------------ keeper bots

  /**
   * Registers `keeper` as running a keeper bot: it starts and resets auctions (and receives their
   * incentive tip + chip·tab) and is the liquidator paid the liquidator share of market-liquidation fees.
   * Bots take turns (round robin). Without any, the venue does these itself and pays no incentive.
   */
  watch(keeper: number): void {
    if (this.isWatcher[keeper]) return;
    this.isWatcher[keeper] = 1;
    this.watchers[this.watching++] = keeper;
  }

  /** Stops `keeper`'s bot. */
  unwatch(keeper: number): void {
    if (!this.isWatcher[keeper]) return;
    this.isWatcher[keeper] = 0;
    let k = 0;
    for (let j = 0; j < this.watching; j++)
      if (this.watchers[j] !== keeper) this.watchers[k++] = this.watchers[j];
    this.watching = k;
  }

  /** @internal the next bot in turn, or −1 when none. */
  nextWatcher(): number {
    if (this.watching === 0) return -1;
    const k = this.watchers[this.cursor % this.watching];
    this.cursor = (this.cursor + 1) % this.watching;
    return k;
  }

  // ------------------------------------------------------------ auctions

  /** Writes the ids of every open auction into `out` and returns how many (`out` of length accounts.n suffices). */
  openAuctions(out: Int32Array): number {
    let c = 0;
    for (const s of this.auctionStages) c = s.list(out, c);
    return c;
  }
  private auction(id: number): AuctionService | undefined {
    for (const s of this.auctionStages) if (s.owns(id)) return s;
    return undefined;
  }
  /** 'dutch' or 'english', or undefined when `id` is no auction. */
  auctionKind(id: number): 'dutch' | 'english' | undefined {
    return this.auction(id)?.kind;
  }
  /** Current price per unit of auction `id` (USD); NaN when it is not open. */
  auctionPrice(id: number): number {
    return this.auction(id)?.price(id) ?? Number.NaN;
  }
  /** Units left in the lot of auction `id` (0 when closed). */
  auctionLot(id: number): number {
    return this.auction(id)?.lot(id) ?? 0;
  }
  /** +1 when the lot is a long position (the buyer goes long), −1 a short one; 0 when closed. */
  auctionSide(id: number): number {
    return this.auction(id)?.side(id) ?? 0;
  }
  /** The tab (USD to raise: debt · chop) of auction `id`. */
  auctionTab(id: number): number {
    return this.auction(id)?.tab(id) ?? Number.NaN;
  }
  /** When English auction `id` ends if no better bid comes (seconds of the run). */
  auctionEnds(id: number): number {
    return this.auction(id)?.ends(id) ?? Number.NaN;
  }
  /** High bid (USD) of English auction `id`, NaN without one. */
  highBid(id: number): number {
    return this.auction(id)?.highBid(id) ?? Number.NaN;
  }
  /** High bidder of English auction `id`, −1 without one. */
  highBidder(id: number): number {
    return this.auction(id)?.bidder(id) ?? -1;
  }
  /**
   * Dutch auction: `keeper` takes up to `amount` units of lot `id` at the current price, if it is no
   * worse than `limitPrice` (a long lot: price ≤ limit; a short lot: price ≥ limit) and the keeper meets
   * initial margin afterwards. The dust rule may shrink the take. Returns the units taken (0: refused).
   */
  take(id: number, keeper: number, amount: number, limitPrice: number): number {
    return this.auction(id)?.take(id, keeper, amount, limitPrice) ?? 0;
  }
  /**
   * English auction: `keeper` bids `value` USD for `lot` units. Tend phase: `lot` = the whole lot and
   * value > high bid·beg (the first bid may be anything ≥ 0, zero included), up to the tab. Dent phase
   * (value = tab): a smaller `lot`, at most lot/beg. Returns whether the bid stands.
   */
  bid(id: number, keeper: number, value: number, lot: number): boolean {
    return this.auction(id)?.bid(id, keeper, value, lot) ?? false;
  }

  // ------------------------------------------------------------ fixed-spread takeovers

  /** Writes the accounts offered for takeover into `out`; returns how many. */
  takeoverOffers(out: Int32Array): number {
    return this.takeoverStage?.list(out, 0) ?? 0;
  }
  /** Price per unit at which `target` can be taken over now (oracle ∓ bonus); NaN when not offered. */
  takeoverPrice(target: number): number {
    return this.takeoverStage?.price(target) ?? Number.NaN;
  }
  /** Largest fraction of `target`'s position one takeover may take (close factor, or 1 below the health threshold). */
  maxTakeoverFraction(target: number): number {
    return this.takeoverStage?.maxFraction(target) ?? 0;
  }
  /**
   * `keeper` takes over `fraction` of `target`'s position at {@link takeoverPrice}, if `target` is still
   * below maintenance and offered, and the keeper meets initial margin afterwards. Returns units taken.
   */
  takeover(keeper: number, target: number, fraction: number): number {
    return this.takeoverStage?.takeover(keeper, target, fraction) ?? 0;
  }

  // ------------------------------------------------------------ the backstop vault

  /** LP `lp` deposits `usd` of its collateral into the vault at the share price; returns shares minted. */
  deposit(lp: number, usd: number): number {
    return this.vaultStage?.deposit(lp, usd) ?? 0;
  }
  /** LP `lp` asks to redeem `shares` (after its lock-up); paid at the share price after the delay. */
  requestWithdrawal(lp: number, shares: number): boolean {
    return this.vaultStage?.requestWithdrawal(lp, shares) ?? false;
  }
  /** Vault equity per share (USD); NaN without a vault. */
  sharePrice(): number {
    return this.vaultStage?.sharePrice() ?? Number.NaN;
  }
  /** Vault shares held by `lp` (pending withdrawals included). */
  vaultShares(lp: number): number {
    return this.vaultStage?.shares(lp) ?? 0;
  }
  /** Shares of `lp` waiting for their withdrawal. */
  pendingWithdrawal(lp: number): number {
    return this.vaultStage?.pending(lp) ?? 0;
  }
  /** Vault equity at the mark (USD); NaN without a vault. */
  vaultEquity(): number {
    return this.vaultStage?.equity() ?? Number.NaN;
  }
  /** The vault's signed position (base units): what it has taken over and not yet unwound; 0 without a vault. */
  vaultPosition(): number {
    return this.vaultStage?.position() ?? 0;
  }

  // ------------------------------------------------------------ capacity providers

  /** `provider` commits backstop capacity: the most notional (USD) it takes per minute and per hour. */
  commitCapacity(provider: number, perMinuteUsd: number, perHourUsd: number): void {
    this.capacityStage?.commit(provider, perMinuteUsd, perHourUsd);
  }
  /** Capacity `provider` has left now (USD of notional). */
  remainingCapacity(provider: number): number {
    return this.capacityStage?.remaining(provider) ?? 0;
  }
}

/** The keeper/LP API of `sim`'s waterfall. */
export function keepers(sim: StrategyContext): Keepers {
  const k = sim.waterfall.keepers;
  if (!k) throw new Error('this waterfall has no keeper API');
  return k;
}
