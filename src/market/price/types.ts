import type { z } from 'zod';
import type { Horizon } from '../../config/bounds.js';
import type { InputIssue } from '../../errors.js';
import type { Stream } from '../../rng.js';

/** What a price model is given to generate one run's index path. */
export interface PriceContext {
  /** Number of ticks; the path has `ticks + 1` points, `path[0]` is the start price. */
  ticks: number;
  /** Tick duration in seconds. */
  dtSeconds: number;
  /** The run's `index` stream: the only randomness a price model may use. */
  rng: Stream;
  /** Directory against which relative file paths in the config are resolved. */
  baseDir: string;
}

/**
 * An index price process: one file, registered by name in the price-model registry. `params` is a zod
 * object schema whose fields carry defaults and `.describe()` texts with units; it must include the
 * literal `model` discriminator. `generate` fills a path of `ticks + 1` prices, all > 0.
 */
export interface PriceModel<P extends { model: string } = { model: string } & Record<string, unknown>> {
  /** Registry name, equal to the `model` literal in `params`. */
  readonly name: string;
  /** One line for `backstop-sim list`. */
  readonly description: string;
  /** zod schema of the model's parameters (strict object, defaults, units in descriptions). */
  readonly params: z.ZodType<P>;
  /**
   * Optional check of the parameters against the file system (e.g. that a replay file exists and parses),
   * run when a config is loaded so that a bad file is reported before any run starts. Throws a
   * `BackstopInputError`.
   */
  check?(params: P, baseDir: string): void;
  /**
   * Optional check that the parameters can be simulated over the run's horizon: that the path cannot
   * overflow or underflow float64 (see `src/config/bounds.ts` for the budget the built-in models keep).
   * Returns the problems, each with its path relative to the model's parameters (e.g. `mu`) and what is
   * allowed; `parseConfig` reports them under `market.index`. `baseDir` is given when files may be read.
   */
  limits?(params: P, run: { horizon: Horizon; baseDir?: string }): InputIssue[];
  /**
   * Optional: the files the parameters name (paths as written, relative to the config's folder). A batch's
   * plan covers their contents, so a file edited between an interrupt and `--resume` is a different plan.
   */
  files?(params: P): string[];
  /** Generates the index path. Returns a Float64Array of length `ticks + 1`. */
  generate(params: P, ctx: PriceContext): Float64Array;
}

/** Seconds in a year; volatilities and drifts are annualised over this. */
export const SECONDS_PER_YEAR = 31_536_000;
