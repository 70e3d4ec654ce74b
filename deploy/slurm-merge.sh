#!/bin/bash
# Merges the shards deploy/slurm-array.sh wrote into what one machine would have written. deploy/slurm-submit.sh
# queues it after the array (--dependency=afterok); by hand, once every array task has succeeded:
#
#   sbatch --dependency=afterok:<array job id> deploy/slurm-merge.sh baseline
#
# $1 is the experiment (name or file) given to slurm-array.sh, then --force when the merged results may
# replace another batch's; RESULTS and BACKSTOP_SIM as there. Writes
# $RESULTS/<name> from $RESULTS/<name>-shards/shard-*; `merge` fails, naming them, when runs are missing.
#SBATCH --job-name=backstop-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=8G
#SBATCH --time=00:30:00
#SBATCH --output=slurm-%j.out
set -euo pipefail
die() {
  echo "slurm-merge.sh: $*" >&2
  exit 2
}
exp=${1:?usage: slurm-merge.sh EXPERIMENT [--force]}
force=()
case ${2-} in --force) force=(--force) ;; '') ;; *) die "unknown option ${2} (only --force)" ;; esac

# the command (as in slurm-array.sh: sbatch runs a copy of each script, which could not source a shared file)
sim=${BACKSTOP_SIM:-$(command -v backstop-sim || true)}
for c in "${SLURM_SUBMIT_DIR:-$PWD}"/{node_modules/.bin/backstop-sim,bin/backstop-sim.js}; do
  [[ -n $sim || ! -x $c ]] || sim=$c
done
[[ -n $sim ]] || die "backstop-sim not found: set BACKSTOP_SIM=/path/to/backstop-sim or put it on PATH"
[[ -x $sim ]] || die "$sim is not executable"

# the experiment's name, as slurm-array.sh found it (validate's own message would count the runs without
# the run options, which this script is not given)
json=$("$sim" validate "$exp" 2>/dev/null) || die "cannot read the experiment $exp (backstop-sim validate $exp says why)"
name=$(node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>process.stdout.write(JSON.parse(s).experiment))' <<<"$json")
root=${RESULTS:-results}
shopt -s nullglob
shards=("$root/$name-shards"/shard-*)
((${#shards[@]} > 0)) || die "no shards in $root/$name-shards"
exec "$sim" merge "${shards[@]}" --out "$root/$name" ${force[@]+"${force[@]}"}
