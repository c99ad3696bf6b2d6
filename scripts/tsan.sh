#!/usr/bin/env bash
# ThreadSanitizer run of the C++ tests with an instrumented oneTBB.
#
# Debian's libtbb is not built with -fsanitize=thread, so TSan sees its internal synchronisation
# as races; suppressing libtbb would also hide races in our own parallel loops. This script builds
# oneTBB from Debian's source package (the same version as libtbb-dev) with TBB_SANITIZE=thread,
# once, into build-tsan/onetbb (kept between runs), then builds the `tsan` preset against it and
# runs ctest. Needs dpkg-dev (dpkg-source) and a reachable Debian mirror the first time.
#   bash scripts/tsan.sh            # build what is missing, run the tests
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
cache="$root/build-tsan/onetbb"
jobs="${JOBS:-2}"

if [ ! -f "$cache/install/lib/cmake/TBB/TBBConfig.cmake" ]; then
  mkdir -p "$cache/apt/lists/partial" "$cache/src"
  # A deb-src list of our own, so the machine's apt sources stay as they are.
  echo "deb-src http://deb.debian.org/debian bookworm main" >"$cache/apt/sources.list"
  apt_options=(-o "Dir::Etc::SourceList=$cache/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$cache/apt/lists")
  apt-get "${apt_options[@]}" update -qq
  version="$(dpkg-query -W -f='${source:Version}' libtbb-dev)"
  (cd "$cache/src" && apt-get "${apt_options[@]}" source --download-only "onetbb=$version" >/dev/null)
  tar -xf "$cache"/src/onetbb_*.orig.tar.xz -C "$cache/src"
  source_dir="$(find "$cache/src" -maxdepth 1 -type d -name 'oneTBB-*' | head -1)"
  cmake -S "$source_dir" -B "$cache/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTBB_SANITIZE=thread \
    -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF -DTBBMALLOC_BUILD=OFF \
    -DCMAKE_INSTALL_PREFIX="$cache/install" >/dev/null
  cmake --build "$cache/build" -j "$jobs"
  cmake --install "$cache/build" >/dev/null
fi

cmake --preset tsan -DMIGSIM_PGO=OFF -DMIGSIM_BUILD_BENCH=OFF -DTBB_DIR="$cache/install/lib/cmake/TBB" >/dev/null
cmake --build --preset tsan -j "$jobs"
# halt_on_error: the first race fails the test that found it.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --preset tsan -j "$jobs"
