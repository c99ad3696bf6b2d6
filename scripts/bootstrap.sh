#!/usr/bin/env bash
# One command for each set-up of the README (run as root on a fresh Debian 12 machine):
#   bash scripts/bootstrap.sh run [SCENARIO.yaml] [migsim run options...]
#       install missing packages, build, run a scenario (default: Japan at scale 0.1) and print its summary
#   bash scripts/bootstrap.sh test
#       install missing packages, build, run every test (C++ through ctest, Python through pytest),
#       then the C++ tests under ASan+UBSan (build-asan/) and a time-boxed fuzz of the scenario
#       loader (build-fuzz/, MIGSIM_FUZZ_SECONDS, default 60): docs/reliability.md
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(cmake g++ make pkg-config libboost-random-dev libboost-program-options-dev libtbb-dev libhdf5-dev
  libyaml-cpp-dev catch2 librandom123-dev libssl-dev openmpi-bin libopenmpi-dev netcdf-bin python3 python3-numpy
  python3-h5py python3-xarray python3-h5netcdf python3-pandas python3-matplotlib python3-scipy python3-pytest
  python3-jinja2 python3-pip python3-setuptools python3-venv python3-optuna python3-yaml chromium
  clang-14 libclang-rt-14-dev)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMIGSIM_WARNINGS_AS_ERRORS=ON >/dev/null
  cmake --build build -j "$(nproc)"
}

command="${1:-}"
case "$command" in
  run)
    shift
    install_missing
    build
    if [ $# -gt 0 ]; then
      scenario="$1"
      shift
    else
      # Japan, 1,741 municipalities, 2022-12 to 2040-12, at one agent per ten persons.
      scenario="scenarios/japan_baseline.yaml"
      set -- --scale 0.1
    fi
    mkdir -p results
    name="$(basename "$scenario" .yaml)"
    ./build/migsim run "$scenario" -o "results/$name.h5" "$@"
    ;;
  test)
    install_missing
    build
    (cd build && ctest --output-on-failure -j "$(nproc)")
    MIGSIM_BIN="$PWD/build/migsim" /usr/bin/python3 -m pytest -q tests/python
    # Memory errors and undefined behaviour: the C++ tests again, instrumented (no PGO).
    cmake --preset asan -DMIGSIM_BUILD_BENCH=OFF >/dev/null
    cmake --build --preset asan -j "$(nproc)"
    ctest --preset asan -j "$(nproc)"
    bash tests/fuzz/run.sh "${MIGSIM_FUZZ_SECONDS:-60}"
    ;;
  *)
    echo "usage: bash scripts/bootstrap.sh run [SCENARIO.yaml] [options] | bash scripts/bootstrap.sh test" >&2
    exit 2
    ;;
esac
