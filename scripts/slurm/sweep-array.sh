#!/bin/bash
# Slurm job array for a sasp sweep: task K of N computes shard K/N into OUT/shard-K; a
# dependent job merges the shards into OUT (see docs/scale-out.md).
#
#   sbatch --array=1-8 scripts/slurm/sweep-array.sh configs/default.yaml results/big
#   sbatch --dependency=afterok:<jobid> --wrap \
#       "build/sim/sasp merge results/big/shard-* -o results/big/merged"
#
# Each task is an independent process (no MPI, no shared state): a failed task is rerun on
# its own with the same command (add --resume to keep the points it had finished).
#SBATCH --job-name=sasp-sweep
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=01:00:00
#SBATCH --output=%x-%A_%a.out
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: sbatch --array=1-N $0 CONFIG OUT [SASP]" >&2
  exit 2
fi
config=$1 out=$2 sasp=${3:-build/sim/sasp}
: "${SLURM_ARRAY_TASK_ID:?run with sbatch --array=1-N}"
: "${SLURM_ARRAY_TASK_COUNT:?run with sbatch --array=1-N}"
k=$SLURM_ARRAY_TASK_ID n=$SLURM_ARRAY_TASK_COUNT
# --array=1-N numbers tasks 1..N; other ranges (0-based, strided) would break K/N
if [ "${SLURM_ARRAY_TASK_MIN:-1}" != 1 ] || [ "${SLURM_ARRAY_TASK_MAX:-$n}" != "$n" ]; then
  echo "$0: submit with --array=1-N (tasks numbered 1..N without gaps)" >&2
  exit 2
fi
exec "$sasp" sweep "$config" -o "$out/shard-$k" --shard "$k/$n" \
  --jobs "${SLURM_CPUS_PER_TASK:-1}" --resume --no-plot --quiet
