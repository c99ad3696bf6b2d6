#!/usr/bin/env bash
# Builds the fuzz target in build-fuzz/ (clang-14, libFuzzer, ASan, UBSan) and fuzzes the scenario
# loader for SECONDS (default 60), starting from the shipped and the bad scenarios:
#   bash tests/fuzz/run.sh [SECONDS]
# A finding is written to build-fuzz/findings/ and the script fails; replay it with
#   ./build-fuzz/tests/fuzz/migsim_fuzz_scenario build-fuzz/findings/crash-...
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIGSIM_FUZZ=ON \
  -DMIGSIM_PGO=OFF -DMIGSIM_BUILD_TESTS=OFF -DMIGSIM_BUILD_BENCH=OFF -DMIGSIM_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build-fuzz -j "${JOBS:-2}" --target migsim_fuzz_scenario

# Seeds: every scenario as it is, and each bad table with its scenario in the target's format.
seeds=build-fuzz/seeds
rm -rf "$seeds"
mkdir -p "$seeds" build-fuzz/corpus build-fuzz/findings
for f in scenarios/*.yaml scenarios/variants/*.yaml tests/scenarios/*.yaml tests/bad_scenarios/*.yaml; do
  cp "$f" "$seeds/$(echo "$f" | tr / _)"
done
for y in tests/bad_scenarios/tables/*.yaml tests/scenarios/tables/*.yaml; do
  csv="$(sed -n 's/.*csv: *\([^,}]*\).*/\1/p' "$y" | head -1)"
  [ -f "$(dirname "$y")/$csv" ] || continue
  { sed "s|$csv|table.csv|" "$y"; printf '\n#---table.csv---\n'; cat "$(dirname "$y")/$csv"; } \
    >"$seeds/$(echo "$y" | tr / _)"
done

./build-fuzz/tests/fuzz/migsim_fuzz_scenario build-fuzz/corpus "$seeds" -max_total_time="$seconds" \
  -timeout=10 -rss_limit_mb=2048 -max_len=65536 -dict=tests/fuzz/scenario.dict \
  -artifact_prefix=build-fuzz/findings/ -print_final_stats=1
