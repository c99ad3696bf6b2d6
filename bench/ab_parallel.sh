#!/bin/bash
# ab_parallel.sh ROUNDS OLD NEW [SCENARIO] [run options...]: times two migsim binaries run at the
# same time, one thread each on its own core (the cores swapped every round), so that both meet
# the same spell of a shared, virtual machine; prints each round's walls and the median of
# NEW / OLD. A round still varies by a few per cent (one binary against itself at scale 0.1:
# 0.95 and 1.04), so take the median of several rounds. OLD_SCENARIO=FILE runs the old binary on
# its own version of the scenario (a model change on purpose adds keys the old binary refuses).
set -euo pipefail
if (( $# < 3 )); then
  echo "usage: $0 ROUNDS OLD_BINARY NEW_BINARY [SCENARIO] [run options...]" >&2
  exit 2
fi
rounds=$1 old=$2 new=$3
scenario=${4:-scenarios/japan_baseline.yaml}
old_scenario=${OLD_SCENARIO:-$scenario}
shift $(( $# < 4 ? $# : 4 ))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ratios=()
for r in $(seq "$rounds"); do
  if (( r % 2 )); then core_old=0 core_new=1; else core_old=1 core_new=0; fi
  timed() {  # timed NAME CORE BINARY SCENARIO [options]: its wall in seconds, to $work/NAME.t
    local name=$1 core=$2 binary=$3 file=$4 start
    shift 4
    start=$(date +%s.%N)
    taskset -c "$core" "$binary" run "$file" --threads 1 -q -o "$work/$name.h5" "$@" > /dev/null
    awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", b - a }' > "$work/$name.t"
  }
  timed old $core_old "$old" "$old_scenario" "$@" &
  timed new $core_new "$new" "$scenario" "$@" &
  wait
  t_old=$(cat "$work/old.t") t_new=$(cat "$work/new.t")
  ratio=$(awk -v a="$t_old" -v b="$t_new" 'BEGIN { printf "%.4f", b / a }')
  ratios+=("$ratio")
  echo "round $r: old $t_old s, new $t_new s, new/old $ratio"
done
printf "%s\n" "${ratios[@]}" | sort -n |
  awk '{ v[NR] = $1 } END { printf "median new/old %.4f (%.4f to %.4f)\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
