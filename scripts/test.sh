#!/usr/bin/env bash
# Runs every test from scratch: installs dependencies (MariaDB included), configures and builds,
# then runs ctest, whose fixture starts and stops a throwaway MariaDB on a private socket and port.
#
#   scripts/test.sh                 the default build, then the asan and tsan builds, then a
#                                   bounded fuzz run
#   scripts/test.sh default         one preset only (default, asan, tsan or fuzz)
#   scripts/test.sh asan -L unit    extra arguments go to ctest
#
# `fuzz` builds the libFuzzer targets (clang-16) and fuzzes each for TABULA_FUZZ_SECONDS (default
# 30) from its committed corpus (scripts/fuzz.sh); every other preset replays the committed fuzz
# inputs as tests (label `fuzz`).
set -euo pipefail
cd "$(dirname "$0")/.."

presets=(default asan tsan fuzz)
if [[ $# -gt 0 ]]; then
  presets=("$1")
  shift
fi

scripts/install-deps.sh --server
for preset in "${presets[@]}"; do
  echo "=== tabula tests: preset $preset ==="
  if [[ $preset == fuzz ]]; then
    scripts/fuzz.sh "${TABULA_FUZZ_SECONDS:-30}"
    continue
  fi
  cmake --preset "$preset"
  cmake --build --preset "$preset"
  ctest --preset "$preset" "$@"
done
