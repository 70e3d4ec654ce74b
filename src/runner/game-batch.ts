/**
 * `backstop-sim game` on the batch runner: the experiment's game expanded into a batch of (sweep point ×
 * strategy profile) points (`expandGame`), run by {@link runBatch} like any batch (durable parts,
 * `--resume`, `--fail-fast`, `--shard`, signals, the worker heap cap, progress), and its equilibria found
 * from the assembled `runs.arrow` (`writeGameOfBatch`). A shard writes only its share of the runs; merging
 * the shards ({@link mergeGameShards}) writes what one machine would have written, game files included.
 */
import { type EquilibriaFile, writeGameOfBatch } from '../analysis/game-run.js';
import { BackstopInputError } from '../errors.js';
import { type ExperimentSpec, resolveExperiment } from '../experiment/resolve.js';
import { type BatchOptions, type BatchResult, mergeShards, runBatch } from './run.js';

/** What a game batch did. */
export interface GameBatchResult extends BatchResult {
  /**
   * The equilibria written to `out` (game.arrow, equilibria.json); null for a shard, a batch stopped or
   * interrupted, or one whose every run failed.
   */
  equilibria: EquilibriaFile | null;
}

/** The spec of an experiment's game batch: its overrides with `game` set. */
export function gameSpec(spec: ExperimentSpec): ExperimentSpec {
  return { file: spec.file, overrides: { ...spec.overrides, game: true } };
}

/**
 * Runs the game an experiment declares as a batch into `out` (default `results/<experiment>`): the
 * batch's `runs.arrow` (one row per run of every profile at every sweep point, with the game roles'
 * strategies and payoffs) and `manifest.json`, then, for a whole batch, `game.arrow` and
 * `equilibria.json`. The files are the same bytes on any number of workers, shards or resumes, and the
 * same as `runGame` with the in-process driver writes for the same game.
 *
 * @throws BackstopInputError for bad input (an experiment without a game included), before anything is
 * created or changed
 */
export async function runGameBatch(spec: ExperimentSpec, opts: BatchOptions = {}): Promise<GameBatchResult> {
  const gs = gameSpec(spec);
  const resolved = opts.resolved ?? (await resolveExperiment(gs));
  if (!resolved.gameBatch)
    throw new BackstopInputError(
      [
        {
          path: spec.file,
          message: 'is not resolved as a game batch (resolve it with the override game: true)',
        },
      ],
      'invalid experiment',
    );
  // the game files are written while the batch still holds its directory's lock
  let equilibria: EquilibriaFile | null = null;
  const r = await runBatch(gs, {
    ...opts,
    resolved,
    onComplete: (done) => {
      if (!opts.shard) equilibria = writeGameOfBatch(done.out);
    },
  });
  return { ...r, equilibria };
}

/**
 * Joins the shard directories of a game batch as {@link mergeShards} does, then writes its game.arrow and
 * equilibria.json (a batch of another kind is merged alone: `equilibria` null).
 */
export function mergeGameShards(
  dirs: string[],
  outDir: string,
  opts: { force?: boolean } = {},
): GameBatchResult {
  let equilibria: EquilibriaFile | null = null;
  const r = mergeShards(dirs, outDir, {
    ...opts,
    onComplete: (done) => {
      if (done.plan.game) equilibria = writeGameOfBatch(done.out);
    },
  });
  return { ...r, equilibria };
}
