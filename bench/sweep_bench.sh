#!/usr/bin/env bash
# The sweep benchmark of bench/RESULTS.md: N runs of Japan at scale 0.1 (default 200) as
#   1. N single `migsim run`s one after the other (--threads 1), the way a shell loop does it;
#   2. one sweep with --jobs 1, 3. with --jobs 2, 4. under mpirun -np 2 (one run per rank);
# and prints wall time and runs per hour of each, the speed-up from --jobs 1 to 2, and mpirun
# against --jobs 2. Usage: bash bench/sweep_bench.sh [N] [BUILD_DIR]   (from the repository root)
set -euo pipefail
runs="${1:-200}"
build="${2:-build}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
migsim="$PWD/$build/migsim"
cat > "$work/japan.yaml" <<YAML
base: $PWD/scenarios/japan_baseline.yaml
scale: 0.1
seed: 1
replicates: $runs
YAML
seconds() { local start=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $start" | bc; }
per_hour() { echo "scale=0; $runs * 3600 / $1" | bc; }
echo "# $runs runs of japan_baseline at scale 0.1 on $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
single=$(seconds bash -c "for r in \$(seq 1 $runs); do '$migsim' run '$PWD/scenarios/japan_baseline.yaml' --scale 0.1 --seed \$r --threads 1 -q -o '$work/single.h5'; done")
echo "single runs, one after the other: $single s, $(per_hour $single) runs/hour"
jobs1=$(seconds "$migsim" sweep "$work/japan.yaml" -o "$work/j1.h5" --jobs 1)
echo "sweep --jobs 1:                   $jobs1 s, $(per_hour $jobs1) runs/hour"
jobs2=$(seconds "$migsim" sweep "$work/japan.yaml" -o "$work/j2.h5" --jobs 2)
echo "sweep --jobs 2:                   $jobs2 s, $(per_hour $jobs2) runs/hour"
if command -v mpirun >/dev/null; then
  mpi=$(seconds mpirun --allow-run-as-root --oversubscribe -np 2 "$migsim" sweep "$work/japan.yaml" -o "$work/mpi.h5")
  echo "mpirun -np 2 sweep:               $mpi s, $(per_hour $mpi) runs/hour"
  echo "mpirun -np 2 / --jobs 2:          $(echo "scale=3; $mpi / $jobs2" | bc)"
fi
echo "speed-up --jobs 1 -> 2:           $(echo "scale=2; $jobs1 / $jobs2" | bc)"
echo "sweep --jobs 1 / single runs:     $(echo "scale=3; $jobs1 / $single" | bc)"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
