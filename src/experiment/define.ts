/**
 * Experiments: a base config, a sweep over config fields, runs per sweep point, a master seed, what to
 * record, and named presets. The same zod schema checks a TypeScript `defineExperiment({...})` and a JSON
 * experiment file, so both get the same errors with the same dotted paths.
 */
import { z } from 'zod';
import { atMost, MAX_TICKS } from '../config/bounds.js';
import type { SimConfigInput } from '../config/schema.js';

/** A swept value: config fields swept by the runner are scalars. */
const scalar = z.union([z.number().finite(), z.string(), z.boolean()]);

/** A range of a space-filling design: `[min, max]` or `{ min, max, scale, integer }`. */
const rangeSchema = z.union([
  z.tuple([z.number().finite(), z.number().finite()]),
  z.strictObject({
    min: z.number().finite().describe('lower end of the range'),
    max: z.number().finite().describe('upper end of the range'),
    scale: z.enum(['linear', 'log']).default('linear').describe("'log' spreads points evenly in log(value)"),
    integer: z.boolean().default(false).describe('round values to integers'),
  }),
]);

/**
 * Most sweep points of an experiment (grid combinations, lhs and sobol points): 1,000,000. The
 * resolved config of every point is held at once, a few KB each.
 */
export const MAX_SWEEP_POINTS = 1_000_000;
/** Most runs per sweep point: 100,000,000 (and runs × points below 2^31). */
export const MAX_RUNS = 100_000_000;

const designSchema = z.strictObject({
  points: z.number().int().positive().max(MAX_SWEEP_POINTS).describe('number of sweep points'),
  ranges: z
    .record(z.string(), rangeSchema)
    .refine((r) => Object.keys(r).length > 0, 'give at least one range')
    .describe('dotted config path → range'),
  seed: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('seed of the design (LHS only; default: the master seed)'),
});

/** The sweep: exactly one of `grid`, `zip`, `lhs`, `sobol`. */
export const sweepSchema = z
  .strictObject({
    grid: z
      .record(z.string(), z.array(scalar).min(1))
      .optional()
      .describe('every combination of the listed values (the last field varies fastest)'),
    zip: z
      .record(z.string(), z.array(scalar).min(1))
      .optional()
      .describe('lists of equal length, taken element by element'),
    lhs: designSchema.optional().describe('Latin hypercube over ranges'),
    sobol: designSchema.optional().describe('Sobol sequence over ranges (up to 16 dimensions)'),
  })
  .refine((s) => [s.grid, s.zip, s.lhs, s.sobol].filter((x) => x !== undefined).length <= 1, {
    message: 'give one of grid, zip, lhs or sobol',
  });

/** What each run records besides its summary metrics. */
export const recordSchema = z.strictObject({
  series: z.number().int().min(0).default(0).describe('record per-tick series every K ticks (0: none)'),
  seriesRuns: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('record series only for the first N runs of each sweep point (0: every run)'),
  events: z.boolean().default(false).describe('record events (liquidations, auctions, ADL, ...)'),
});

/** A named preset: overrides of runs, ticks, agents or any config field. */
export const presetSchema = z.strictObject({
  description: z.string().optional().describe('one line about the preset'),
  runs: z.number().int().positive().max(MAX_RUNS).optional().describe('runs per sweep point (at most 1e8)'),
  ticks: z
    .number()
    .int()
    .positive()
    .max(MAX_TICKS, atMost(MAX_TICKS, 'ticks', 'as for the config'))
    .optional()
    .describe('ticks per run (at most 10,000,000)'),
  agents: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("merged into the base config's agents (roles' count, capital, mix)"),
  set: z.record(z.string(), z.unknown()).optional().describe('dotted config path → value'),
});

/** One candidate strategy of a role in a game. */
export const candidateSchema = z.strictObject({
  strategy: z.string().min(1).describe('registered strategy name of the role (see `backstop-sim list`)'),
  label: z
    .string()
    .regex(
      /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/,
      'letters, digits, dot, dash and underscore only, not starting with a dot (".." would be the parent directory)',
    )
    .optional()
    .describe('name of the candidate in the game (default: the strategy name)'),
  params: z.record(z.string(), z.unknown()).default({}).describe("the strategy's parameters"),
});

const candidates = z.array(candidateSchema).min(1, 'give at least one candidate strategy');

/**
 * The game an experiment declares (`backstop-sim game`): per role, the candidate strategies its whole
 * population may play. Every profile (one candidate per role) is simulated at every sweep point.
 */
export const gameSchema = z.strictObject({
  roles: z
    .strictObject({
      traders: candidates.optional(),
      liquidators: candidates.optional(),
      lps: candidates.optional(),
      arbitrageurs: candidates.optional(),
      marketMakers: candidates.optional(),
    })
    .refine((r) => Object.values(r).some((c) => c !== undefined), 'give candidates for at least one role')
    .describe('role → candidate strategies'),
  level: z.number().gt(0).lt(1).default(0.95).describe('confidence level of intervals and equilibria'),
});

/** The experiment schema (strict: unknown keys are errors). `base` is checked by the config schema. */
export const experimentSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/,
      'letters, digits, dot, dash and underscore only, not starting with a dot (".." would be the parent directory)',
    )
    .max(100, 'at most 100 characters (it names the output directory)')
    .describe('name (default output directory results/<name>/)'),
  description: z.string().default('').describe('what the experiment asks'),
  base: z.record(z.string(), z.unknown()).prefault({}).describe('the base simulation config'),
  sweep: sweepSchema.optional().describe('the sweep over config fields (none: one point)'),
  runs: z.number().int().positive().max(MAX_RUNS).default(100).describe('runs per sweep point (at most 1e8)'),
  seed: z.number().int().min(0).max(0xffffffff).default(1).describe('master seed (unsigned 32-bit)'),
  crn: z
    .boolean()
    .default(true)
    .describe('common random numbers: run i sees the same market path at every sweep point'),
  record: recordSchema.prefault({}).describe('what each run records besides its summary'),
  presets: z.record(z.string(), presetSchema).default({}).describe('named presets (`--preset NAME`)'),
  game: gameSchema
    .optional()
    .describe(
      'the game `backstop-sim game` analyses: candidate strategies per role (the sweep is its mechanism sweep)',
    ),
});

/**
 * An experiment as written by a user; see {@link defineExperiment}. Derived from {@link experimentSchema}
 * (what the schema accepts, defaults optional), with the base config and the presets' agents typed as the
 * config schema's input, so the type cannot drift from what is checked.
 */
export type ExperimentInput = Omit<z.input<typeof experimentSchema>, 'base' | 'presets'> & {
  /** The base simulation config. */
  base?: SimConfigInput;
  /** Named presets (`--preset NAME`). */
  presets?: Record<
    string,
    Omit<z.input<typeof presetSchema>, 'agents'> & { agents?: SimConfigInput['agents'] }
  >;
};

/** The validated experiment with defaults filled in. */
export type Experiment = z.output<typeof experimentSchema>;

/**
 * Declares an experiment with full type checking of its base config. The default export of an experiment
 * module is what the CLI runs.
 *
 * @example
 * import { defineExperiment } from 'backstop-sim';
 * export default defineExperiment({
 *   name: 'fee-sweep',
 *   base: { ticks: 1440, agents: { traders: { count: 1000, mix: [{ strategy: 'noise', fraction: 1 }] } } },
 *   sweep: { grid: { 'venue.liquidationFee': [0.005, 0.01, 0.02] } },
 *   runs: 200,
 *   seed: 42,
 * });
 */
export function defineExperiment<const E extends ExperimentInput>(experiment: E): E {
  return experiment;
}
