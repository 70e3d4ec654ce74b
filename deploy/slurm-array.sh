#!/bin/bash
# One shard of an experiment per Slurm array task. Submit it with deploy/slurm-submit.sh, which also queues
# the merge (deploy/slurm-merge.sh) to start when every task has succeeded; or by hand:
#
#   sbatch --array=0-15 deploy/slurm-array.sh baseline --preset small     # 16 shards
#   sbatch --array=0-7 deploy/slurm-array.sh experiments/foo.ts --set ticks=600 --events
#
# $1 is an experiment name or file; every further argument goes to `backstop-sim run` (or, with
# BACKSTOP_COMMAND=game, to `backstop-sim game`: an experiment's game, whose merge also writes game.arrow and
# equilibria.json). Task i runs
# `--shard auto/N --resume` (i = SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN, N = SLURM_ARRAY_TASK_COUNT)
# with --workers $SLURM_CPUS_PER_TASK into $RESULTS/<name>-shards/shard-<i>; RESULTS defaults to results
# (relative to the submit directory), <name> is the experiment's name as `backstop-sim validate` reports it.
# The command is $BACKSTOP_SIM, else backstop-sim on PATH, else node_modules/.bin/backstop-sim (npm install
# backstop-sim) or bin/backstop-sim.js (a built checkout) in the submit directory; never npx.
#
# Stopping: 120 s before the time limit Slurm sends TERM to this script (--signal=B:TERM@120), which passes
# it on; backstop-sim starts no more runs, keeps the ones in flight as parts and exits 143 (so does this
# script). Submit the same array again (or `scontrol requeue`): --resume keeps every finished run, and a
# finished shard has nothing left to do. `scancel` and preemption signal every process of the job, so
# backstop-sim may get the TERM twice: one within a second of the first is taken as the same stop; a later
# one makes it quit at once (the runs in flight are then run again on resume).
#SBATCH --job-name=backstop-sim
#SBATCH --cpus-per-task=16
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --signal=B:TERM@120
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail
cmd=${BACKSTOP_COMMAND:-run}
die() {
  echo "slurm-array.sh: $*" >&2
  exit 2
}
exp=${1:?usage: slurm-array.sh EXPERIMENT [backstop-sim run options...]}
shift
for a in "$@"; do
  case $a in --out | --out=* | --shard | --shard=*) die "$a is set by this script (RESULTS=dir sets the root)" ;; esac
done
[[ $cmd == run || $cmd == game ]] || die "BACKSTOP_COMMAND must be run or game (got '$cmd')"
check_only=${BACKSTOP_CHECK_ONLY:-} # slurm-submit.sh: check the command and the arguments, run nothing
if [[ -z $check_only ]]; then
  n=${SLURM_ARRAY_TASK_COUNT:-}
  [[ -n $n ]] || die "not an array task: submit with sbatch --array=0-(N-1) (or deploy/slurm-submit.sh)"
  [[ ${SLURM_ARRAY_TASK_ID:-} =~ ^[0-9]+$ && ${SLURM_ARRAY_TASK_MIN:-0} =~ ^[0-9]+$ && ${SLURM_ARRAY_TASK_STEP:-1} =~ ^[1-9][0-9]*$ ]] ||
    die "SLURM_ARRAY_TASK_ID, _MIN and _STEP must be integers (got '${SLURM_ARRAY_TASK_ID:-}', '${SLURM_ARRAY_TASK_MIN:-}', '${SLURM_ARRAY_TASK_STEP:-}')"
  # --array=0-6:2 is 4 tasks with ids 0, 2, 4, 6: shards 0..3
  i=$(((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}) / ${SLURM_ARRAY_TASK_STEP:-1}))
fi

# the command (as in slurm-merge.sh: sbatch runs a copy of each script, which could not source a shared file)
sim=${BACKSTOP_SIM:-$(command -v backstop-sim || true)}
for c in "${SLURM_SUBMIT_DIR:-$PWD}"/{node_modules/.bin/backstop-sim,bin/backstop-sim.js}; do
  [[ -n $sim || ! -x $c ]] || sim=$c
done
[[ -n $sim ]] || die "backstop-sim not found: set BACKSTOP_SIM=/path/to/backstop-sim or put it on PATH"
[[ -x $sim ]] || die "$sim is not executable"

# the name `run` gives the results directory (the experiment's `name`, not its file name), from validate
# with the options it takes (so that it checks them too)
a=("$@") v=()
for ((k = 0; k < ${#a[@]}; k++)); do
  case ${a[k]} in
    --preset | --runs | --seed | --set) v+=("${a[k]}" "${a[k + 1]-}") && k=$((k + 1)) ;;
    --preset=* | --runs=* | --seed=* | --set=*) v+=("${a[k]}") ;;
  esac
done
json=$("$sim" validate "$exp" ${v[@]+"${v[@]}"}) # bad input: exits with its code, 2, having said why
name=$(node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>process.stdout.write(JSON.parse(s).experiment))' <<<"$json")
if [[ -n $check_only ]]; then
  echo "$name"
  exit 0
fi
out=${RESULTS:-results}/$name-shards/shard-$i

# bash runs a trap only after the foreground command ends: run backstop-sim in the background and wait
child='' stopping='' sent=''
forward() {
  stopping=1
  if [[ -n $child && -z $sent ]]; then
    sent=1
    echo "slurm-array.sh: TERM: stopping backstop-sim after the runs in flight" >&2
    kill -TERM "$child" 2>/dev/null || true
  fi
}
trap forward TERM
# --shard i/N: the index computed above (auto/N would not know a stepped array); --failures-ok: a shard
# that completes with failed runs recorded has succeeded (afterok), and the merge reports the failures
"$sim" "$cmd" "$exp" --workers "${SLURM_CPUS_PER_TASK:-1}" "$@" --shard "$i/$n" --out "$out" --resume --failures-ok &
child=$!
[[ -z $stopping ]] || forward # a TERM that came before $! was known
rc=0
wait "$child" || rc=$?
# a trapped signal ends `wait` early: wait again until backstop-sim has written its parts and exited
while kill -0 "$child" 2>/dev/null; do
  rc=0
  wait "$child" || rc=$?
done
exit "$rc"
