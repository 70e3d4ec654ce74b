/**
 * backstop-sim: an agent-based Monte Carlo simulator of the backstop waterfall of leveraged
 * crypto-derivatives venues. This module is the public API.
 *
 * @example
 * import { simulate } from 'backstop-sim';
 * const { metrics } = simulate({ ticks: 1440 }, { seed: 42 });
 */
import './builtins.js';

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
export type { EventColumns, EventKind } from './engine/events.js';
export { EVENT_KINDS, EventLog } from './engine/events.js';
export { Market } from './engine/market.js';
export type { GroupPayoff, RunOptions } from './engine/simulation.js';
export { mixCounts, Simulation } from './engine/simulation.js';
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
export type { RunMetrics, SeriesName } from './metrics.js';
export {
  axisTitle,
  type FieldMeta,
  fieldMeta,
  METRICS,
  metricSlot,
  SERIES,
} from './metrics.js';
/** zod, re-exported so that strategy and experiment files can declare parameter schemas without a direct dependency. */
export * from './plugin.js';
export { deriveRunSeed, RunStreams } from './rng.js';
export type { GameBatchResult } from './runner/game-batch.js';
export { gameSpec, mergeGameShards, runGameBatch } from './runner/game-batch.js';
export type { BatchOptions, BatchResult, Shard } from './runner/run.js';
export { mergeShards, runBatch } from './runner/run.js';
export type { SimulateResult } from './simulate.js';
export { simulate } from './simulate.js';
export { Venue } from './venue/venue.js';
export { StagedWaterfall } from './waterfall/waterfall.js';
