#!/bin/bash
# Runs one experiment as a Slurm job array: each array task runs its shard, then merge once all are done.
#
#   sbatch --array=0-15 deploy/slurm-array.sh baseline           # 16 shards
#   # when the array has finished (or as a dependent job: sbatch --dependency=afterok:<jobid> ...):
#   npx backstop-sim merge results/baseline-shards/shard-* --out results/baseline
#
# A game (an experiment's `game` section) the same way, its merge writing game.arrow and equilibria.json:
#   BACKSTOP_COMMAND=game sbatch --array=0-15 deploy/slurm-array.sh liquidator-participation
#
# A shard that was killed (preemption, time limit) is re-run with the same command: --resume keeps the
# runs it finished. --shard auto/N takes the index from SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN).
#SBATCH --job-name=backstop-sim
#SBATCH --cpus-per-task=16
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail
EXPERIMENT="${1:-baseline}"
COMMAND="${BACKSTOP_COMMAND:-run}" # run, or game
SHARDS="${SLURM_ARRAY_TASK_COUNT:?submit with sbatch --array=0-(N-1)}"
OUT="results/${EXPERIMENT}-shards/shard-${SLURM_ARRAY_TASK_ID}"
npx backstop-sim "$COMMAND" "$EXPERIMENT" --shard "auto/${SHARDS}" --workers "${SLURM_CPUS_PER_TASK:-1}" \
  --out "$OUT" --resume
