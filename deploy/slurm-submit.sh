#!/bin/bash
# Submits an experiment as a Slurm array of N shards (deploy/slurm-array.sh) and its merge
# (deploy/slurm-merge.sh) as a job that starts once every shard has succeeded. Run it from the directory
# the results should go under (or set RESULTS); further arguments go to `backstop-sim run`:
#
#   deploy/slurm-submit.sh baseline 16 --preset small
#   RESULTS=/scratch/$USER/backstop deploy/slurm-submit.sh experiments/foo.ts 8 --set ticks=600
#   BACKSTOP_COMMAND=game deploy/slurm-submit.sh liquidator-participation 8   # a game (sbatch passes the variable on)
#
# sbatch options: edit the #SBATCH lines of the two scripts, or set sbatch's input variables
# (SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT, ...), which apply to both jobs. When a task fails or
# is stopped at its time limit, the merge is cancelled (--kill-on-invalid-dep): run this again with the
# same arguments; the shards resume (--resume) and the merge follows.
set -euo pipefail
usage="usage: slurm-submit.sh EXPERIMENT SHARDS [backstop-sim run options...]"
(($# >= 2)) || {
  echo "$usage" >&2
  exit 2
}
exp=$1 n=$2
shift 2
[[ $n =~ ^[1-9][0-9]*$ ]] || {
  echo "slurm-submit.sh: SHARDS must be a positive integer (got '$n'); $usage" >&2
  exit 2
}
dir=$(dirname "${BASH_SOURCE[0]}")
# what every task would find wrong (no command, a bad option, an unknown experiment), found before queuing
name=$(BACKSTOP_CHECK_ONLY=1 "$dir/slurm-array.sh" "$exp" "$@") || exit $?
# --force (replace another batch's results) applies to the merge's output too
force=()
for a in "$@"; do [[ $a != --force ]] || force=(--force); done
array=$(sbatch --parsable --array="0-$((n - 1))" "$dir/slurm-array.sh" "$exp" "$@")
array=${array%%;*} # --parsable prints id[;cluster]
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes "$dir/slurm-merge.sh" "$exp" ${force[@]+"${force[@]}"})
echo "$name: array job $array ($n shards), merge job ${merge%%;*} (after all of them succeed)"
