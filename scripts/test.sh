#!/usr/bin/env bash
# Runs every test from scratch: installs dependencies (MariaDB included), configures and builds,
# then runs ctest, whose fixture starts and stops a throwaway MariaDB on a private socket and port.
#
#   scripts/test.sh                 the default build, then the asan and tsan builds, then a
#                                   bounded fuzz run, then the thread-safety build
#   scripts/test.sh default         one preset only (default, asan, tsan, fuzz or thread-safety)
#   scripts/test.sh asan -L unit    extra arguments go to ctest
#
# `fuzz` builds the libFuzzer targets (clang-16) and fuzzes each for TABULA_FUZZ_SECONDS (default
# 20) from its committed corpus (scripts/fuzz.sh); the default and asan presets replay the fuzz
# inputs as tests (label `fuzz`). `thread-safety` compiles the library with clang-16's
# -Wthread-safety (the pool's lock annotations, src/detail/mutex.hpp): it passes when it builds.
set -euo pipefail
cd "$(dirname "$0")/.."

presets=(default asan tsan fuzz thread-safety)
if [[ $# -gt 0 ]]; then
  presets=("$1")
  shift
fi

# ctest for the preset; its output also goes to the file $1.
run_ctest() {
  local log=$1
  shift
  ctest --preset "$preset" "$@" 2>&1 | tee "$log"
}

scripts/install-deps.sh --server
for preset in "${presets[@]}"; do
  echo "=== tabula tests: preset $preset ==="
  if [[ $preset == fuzz ]]; then
    scripts/fuzz.sh "${TABULA_FUZZ_SECONDS:-20}"
    continue
  fi
  if [[ $preset == thread-safety ]]; then
    cmake --preset "$preset"
    cmake --build --preset "$preset"
    continue
  fi
  cmake --preset "$preset"
  cmake --build --preset "$preset"
  log="build/$preset/ctest-output.log"
  if ! run_ctest "$log" "$@"; then
    # The test server died on its own (test-db.sh printed its log above: the query it crashed
    # on, its stack trace) and every test after that failed to connect. That is the server
    # process gone, not a test's finding: the preset runs once more on a fresh server, and a
    # second failure of any kind fails the run. Tests never stop the server but through the
    # script, so nothing they do deliberately leads here (docs/testing.md).
    grep -q "was no longer running when asked to stop" "$log" || exit 1
    echo "=== tabula tests: the test server died during preset $preset; running it once more ==="
    run_ctest "$log.again" "$@"
  fi
done
