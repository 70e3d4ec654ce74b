/**
 * backstop-sim: an agent-based Monte Carlo simulator of the backstop waterfall of leveraged
 * crypto-derivatives venues. This module is the public API.
 *
 * @example
 * import { simulate } from 'backstop-sim';
 * const { metrics } = simulate({ ticks: 1440 }, { seed: 42 });
 */
import './builtins.js';

/** zod, re-exported so that strategy and experiment files can declare parameter schemas without a direct dependency. */
export { z } from 'zod';
export type { AdlOutcomes } from './analysis/adl-outcomes.js';
export { adlOutcomes, adlOutcomesOf } from './analysis/adl-outcomes.js';
export type {
  Analysis,
  AnalyzeOptions,
  Comparison,
  FieldValue,
  GroupAnalysis,
  ManifestLike,
  RolePayoff,
} from './analysis/analyze.js';
export {
  analyze,
  keyLabel,
  ROLE_PNL_COLUMNS,
  readManifest,
  rolesOfConfig,
  setPath,
} from './analysis/analyze.js';
export type { ColumnTable, ReadColumn, WriteColumn } from './analysis/arrow-io.js';
export { arrowFileBytes, readArrowFile } from './analysis/arrow-io.js';
export type { BandRow, Figure } from './analysis/figures.js';
export { renderSvg } from './analysis/figures.js';
export type {
  Deviation,
  MixedEquilibrium,
  MixedProfile,
  PayoffEstimate,
  PayoffTable,
  PriceOfAnarchy,
  ProfileEntry,
  ProfileRegret,
  RegretOptions,
  ReplicatorOptions,
} from './analysis/game.js';
export {
  priceOfAnarchy,
  profileLabel,
  profileRegrets,
  profileWeights,
  pureEquilibria,
  replicatorEquilibrium,
} from './analysis/game.js';
export type {
  EquilibriaFile,
  GameDriver,
  GameExperiment,
  GameRun,
  GameSpec,
  MixedVenueOutcome,
  PointEquilibria,
  ProfileJob,
  ProfileRun,
  ProfileSummary,
  RunGameOptions,
  StrategyCandidate,
  VenueOutcome,
} from './analysis/game-run.js';
export {
  gameArrowBytes,
  gameEquilibria,
  gameExperimentOf,
  gameOfBatch,
  gameProfiles,
  gameRunOf,
  inProcessDriver,
  profileConfig,
  runGame,
  writeGameFiles,
  writeGameOfBatch,
} from './analysis/game-run.js';
export type { CellTable } from './analysis/game-tables.js';
export { equilibriaTable, formatPriceOfAnarchy, payoffTable, roleRegret } from './analysis/game-tables.js';
export type { AnalysisFormat, AnalysisRow } from './analysis/render.js';
export {
  analysisArrow,
  analysisCsv,
  analysisJson,
  analysisRows,
  analysisTable,
  fmtNumber,
  renderAnalysis,
  textTable,
} from './analysis/render.js';
export type { ReportOptions, ReportResult } from './analysis/report.js';
export { logScaled, report, reportFigures, strongestInteraction } from './analysis/report.js';
export type { ColumnSummary, Interval, MeanInterval, PairedDifference, TailRisk } from './analysis/stats.js';
export {
  clusteredWilson,
  finiteValues,
  type IntervalOptions,
  incompleteBeta,
  MEAN_INTERVAL_METHOD,
  meanInterval,
  PAIRED_DIFFERENCE_METHOD,
  PROBABILITY_INTERVAL_METHOD,
  pairedDifference,
  quantileOfSorted,
  sortedCopy,
  studentTCdf,
  studentTQuantile,
  summarize,
  tailRisk,
  wilsonInterval,
} from './analysis/stats.js';
export { loadConfigModules } from './config/modules.js';
export type { ParseOptions } from './config/parse.js';
export { parseConfig } from './config/parse.js';
export type { Capital, Role, SimConfig, SimConfigInput, Tier } from './config/schema.js';
export { ROLES, simConfigSchema } from './config/schema.js';
export type { StrategyContext, VenueContext } from './context.js';
export type { EventColumns, EventKind } from './engine/events.js';
export { EVENT_KINDS, EventLog } from './engine/events.js';
export { Market } from './engine/market.js';
export type { GroupPayoff, RunOptions } from './engine/simulation.js';
export { mixCounts, NO_FEE, NO_FLOW, NO_IMPACT, Simulation } from './engine/simulation.js';
export type { InputIssue } from './errors.js';
export { BackstopInputError, ConfigError, DataFileError } from './errors.js';
export type { Experiment, ExperimentInput } from './experiment/define.js';
export { candidateSchema, defineExperiment, experimentSchema, gameSchema } from './experiment/define.js';
export type { GamePlan } from './experiment/game.js';
export { expandGame, payoffColumn, roleField } from './experiment/game.js';
export type {
  ExperimentOverrides,
  ExperimentSpec,
  ResolvedExperiment,
  ResolvedGame,
} from './experiment/resolve.js';
export { findExperiment, resolveExperiment } from './experiment/resolve.js';
export type { ExportedFile, ExportFormat, ExportOptions } from './export.js';
export { EXPORT_FORMATS, EXPORTABLE, exportResults } from './export.js';
export { columnMeta, configFieldMeta } from './field-meta.js';
export { loadModule } from './load.js';
export { getPriceModel, listPriceModels, registerPriceModel } from './market/price/registry.js';
export type { PriceContext, PriceModel } from './market/price/types.js';
export { SECONDS_PER_YEAR } from './market/price/types.js';
export type { MetricName, RunMetrics, SeriesName, StageMetric } from './metrics.js';
export {
  axisTitle,
  type FieldMeta,
  fieldMeta,
  METRIC_NAMES,
  METRICS,
  metricSlot,
  SERIES,
  STAGE_METRICS,
} from './metrics.js';
export { deriveRunSeed, RunStreams, Stream } from './rng.js';
export type { GameBatchResult } from './runner/game-batch.js';
export { gameSpec, mergeGameShards, runGameBatch } from './runner/game-batch.js';
export type { BatchOptions, BatchResult, Shard } from './runner/run.js';
export { mergeShards, runBatch } from './runner/run.js';
export type { SimulateResult } from './simulate.js';
export { simulate } from './simulate.js';
export type { AgentGroup, ColumnType, Strategy } from './strategy.js';
export { defineStrategy, getStrategy, listStrategies, registerStrategy } from './strategy.js';
export { Accounts } from './venue/accounts.js';
export type { LedgerAccount } from './venue/ledger.js';
export { LEDGER, LEDGER_SIZE, PAYER } from './venue/ledger.js';
export type {
  AdlPolicy,
  DeleveragingAllocation,
  DeleveragingWinner,
} from './waterfall/allocate.js';
export { ADL_POLICIES, allocateDeleveraging } from './waterfall/allocate.js';
export type { AuctionCurve } from './waterfall/curves.js';
export { auctionCurveSchema, auctionPrice } from './waterfall/curves.js';
export {
  AUCTION_SERVICE,
  CAPACITY_SERVICE,
  Keepers,
  keepers,
  type ServiceToken,
  serviceToken,
  TAKEOVER_SERVICE,
  VAULT_SERVICE,
} from './waterfall/keepers.js';
export type { BuiltinPayer, PayerColumn, PayerDecl } from './waterfall/payers.js';
export type { StageContext, StageDef, StageInstance, StageRole } from './waterfall/stage.js';
export { defineStage, getStage, listStages, registerStage } from './waterfall/stage.js';
export type { StageEntry, Waterfall } from './waterfall/waterfall.js';
export { DEFAULT_STAGES, leaveUnpaid, StagedWaterfall } from './waterfall/waterfall.js';
