/**
 * The plug-in API: everything a strategy, a waterfall stage or a price model is written against, and nothing
 * else. `backstop-sim` (src/index.ts) exports all of it, beside the runner and the analysis; this module
 * loads neither (no Arrow, no worker pool), and registers nothing.
 *
 * The built-in strategies (`agents/`) and stages (`src/waterfall/stages/`) import only this module, zod and
 * files of their own folder, as a user's plug-in imports only `backstop-sim`: `npm run lint` enforces it
 * (biome's `noRestrictedImports` in biome.json; test/public-api.test.ts checks the rule and that every name
 * here is exported by `backstop-sim`). So whatever a built-in can do, a plug-in can.
 */
export { z } from 'zod';
// limits the schemas share (a leverage, a price, a USD amount)
export {
  atLeast,
  atMost,
  leverageSchema,
  MAX_LEVERAGE,
  MAX_PRICE,
  MAX_USD,
  MIN_PRICE,
} from './config/bounds.js';
// what a strategy and a stage see
export type { StrategyContext, VenueContext } from './context.js';
// trade flags (bit set of `ctx.trade`)
export { NO_FEE, NO_FLOW, NO_IMPACT } from './engine/flags.js';
export type { InputIssue } from './errors.js';
export { BackstopInputError, ConfigError, DataFileError } from './errors.js';
// price models
export { getPriceModel, listPriceModels, registerPriceModel } from './market/price/registry.js';
export type { PriceContext, PriceModel } from './market/price/types.js';
export { SECONDS_PER_YEAR } from './market/price/types.js';
// the metrics a stage may declare and write
export type { MetricColumn, MetricDecl, MetricName, StageMetric } from './metrics.js';
export { METRIC_NAMES, STAGE_METRICS } from './metrics.js';
// per-agent random streams
export { Stream } from './rng.js';
// strategies
export type { AgentGroup, ColumnType, Strategy } from './strategy.js';
export { defineStrategy, getStrategy, listStrategies, registerStrategy } from './strategy.js';
// the account table and the ledger's accounts
export { Accounts } from './venue/accounts.js';
export type { LedgerAccount } from './venue/ledger.js';
export { LEDGER, LEDGER_SIZE, PAYER } from './venue/ledger.js';
// allocation of a loss or a reduction over accounts (ADL, socialised loss)
export type { AdlPolicy, DeleveragingAllocation, DeleveragingWinner } from './waterfall/allocate.js';
export { ADL_POLICIES, allocateDeleveraging, allocateInto, policyCode } from './waterfall/allocate.js';
// the shared machinery of an auction stage
export { AUCTION_METRICS, AuctionHouse } from './waterfall/auctions.js';
export type { AuctionCurve } from './waterfall/curves.js';
export { auctionCurveSchema, auctionPrice } from './waterfall/curves.js';
// services stages provide to agents
export {
  AUCTION_SERVICE,
  type AuctionService,
  CAPACITY_SERVICE,
  type CapacityService,
  Keepers,
  keepers,
  type ServiceToken,
  serviceToken,
  TAKEOVER_SERVICE,
  type TakeoverService,
  VAULT_SERVICE,
  type VaultService,
} from './waterfall/keepers.js';
// venue operations on accounts: each transfer has a payer and a payee
export { canHold, health, maxTake, moveCash, transferPosition } from './waterfall/ops.js';
export type { BuiltinPayer, PayerColumn, PayerDecl } from './waterfall/payers.js';
// stages
export type {
  StageContext,
  StageDef,
  StageInstance,
  StageRole,
  StageState,
  StageStateDecl,
  StateArray,
  StateSizes,
} from './waterfall/stage.js';
export { defineStage, getStage, listStages, registerStage } from './waterfall/stage.js';
export type { StagedWaterfall, StageEntry, Waterfall } from './waterfall/waterfall.js';
export { DEFAULT_STAGES, leaveUnpaid } from './waterfall/waterfall.js';
