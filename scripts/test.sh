#!/usr/bin/env bash
# Runs every test from scratch: installs dependencies (MariaDB included), configures and builds,
# then runs ctest, whose fixture starts and stops a throwaway MariaDB on a private socket and port.
#
#   scripts/test.sh                 the default build, then the asan and tsan builds
#   scripts/test.sh default         one preset only (default, asan or tsan)
#   scripts/test.sh asan -L unit    extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."

presets=(default asan tsan)
if [[ $# -gt 0 ]]; then
  presets=("$1")
  shift
fi

scripts/install-deps.sh --server
for preset in "${presets[@]}"; do
  echo "=== tabula tests: preset $preset ==="
  cmake --preset "$preset"
  cmake --build --preset "$preset"
  ctest --preset "$preset" "$@"
done
