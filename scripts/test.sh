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
  ctest --preset "$preset" "$@"
done
