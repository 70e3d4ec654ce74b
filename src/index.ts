/**
 * backstop-sim: an agent-based Monte Carlo simulator of the backstop waterfall of leveraged
 * crypto-derivatives venues. This module is the public API.
 *
 * @example
 * import { simulate } from 'backstop-sim';
 * const { metrics } = simulate({ ticks: 1440 }, { seed: 42 });
 */
import './market/price/index.js';
import '../agents/index.js';

export { parseConfig } from './config/parse.js';
export { simConfigSchema, ROLES } from './config/schema.js';
export type { SimConfig, SimConfigInput, Role, Tier, Capital } from './config/schema.js';
export { simulate } from './simulate.js';
export type { SimulateResult } from './simulate.js';
export { Simulation, NO_FEE, NO_FLOW, NO_IMPACT, mixCounts } from './engine/simulation.js';
export type { RunOptions } from './engine/simulation.js';
export { Market } from './engine/market.js';
export { EVENT_KINDS, EventLog } from './engine/events.js';
export type { EventKind } from './engine/events.js';
export { Accounts } from './venue/accounts.js';
export { LEDGER, LEDGER_SIZE, PAYER } from './venue/ledger.js';
export type { LedgerAccount } from './venue/ledger.js';
export { METRICS, METRIC_NAMES, SERIES } from './metrics.js';
export type { MetricName, RunMetrics, SeriesName } from './metrics.js';
export { defineStrategy, registerStrategy, getStrategy, listStrategies } from './strategy.js';
export type { AgentGroup, Strategy, ColumnType } from './strategy.js';
export { registerPriceModel, getPriceModel, listPriceModels } from './market/price/registry.js';
export type { PriceModel, PriceContext } from './market/price/types.js';
export { SECONDS_PER_YEAR } from './market/price/types.js';
export { Stream, RunStreams, deriveRunSeed } from './rng.js';
export { BackstopInputError, ConfigError, DataFileError } from './errors.js';
export type { InputIssue } from './errors.js';
export { marketClose, leaveUnpaid } from './waterfall/waterfall.js';
export type { Waterfall } from './waterfall/waterfall.js';
export { z } from 'zod';
