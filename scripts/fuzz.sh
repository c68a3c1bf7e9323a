#!/usr/bin/env bash
# Fuzzes each target of tests/fuzz for a bounded time with libFuzzer, ASan and UBSan (the `fuzz`
# preset: clang-16), starting from its committed seeds and regression inputs. Exits non-zero on
# any crash, broken property, leak or timeout; the input that did it is kept in
# build/fuzz/artifacts/<target>/ and the whole libFuzzer log in build/fuzz/logs/<target>.log.
#
#   scripts/fuzz.sh                 30 s per target, two at a time (scripts/test.sh: 20 s)
#   scripts/fuzz.sh 300             five minutes per target
#   scripts/fuzz.sh 300 url         one target (url, snapshot, record_json, value_text)
#
# Environment: TABULA_FUZZ_JOBS, targets fuzzed at once (default 2).
#
# New inputs libFuzzer finds go to build/fuzz/corpus/<target>/, never into the source tree, so a
# later run goes on from them; copy one into tests/fuzz/regressions/<target>/ to keep it as a
# test (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
if [[ $# -gt 0 ]]; then shift; fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=(url snapshot record_json value_text); fi
jobs=${TABULA_FUZZ_JOBS:-2}

cmake --preset fuzz
cmake --build --preset fuzz

build=build/fuzz
# Runs one target; its output goes to its log, and a summary line (or the log's end) to stdout.
fuzz_one() {
  local target=$1
  local log=$build/logs/$target.log
  mkdir -p "$build/corpus/$target" "$build/artifacts/$target" "$build/logs"
  local status=0
  "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$target/" \
    "$build/corpus/$target" "tests/fuzz/corpus/$target" "tests/fuzz/regressions/$target" \
    >"$log" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then
    echo "fuzz: $target FAILED (exit $status); the end of $log:"
    tail -n 40 "$log"
    return 1
  fi
  local done_line runs
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  echo "fuzz: $target ok in ${seconds}s: ${runs:-?} executions; ${done_line:-no DONE line}"
}

failed=0
pids=()
for target in "${targets[@]}"; do
  fuzz_one "$target" &
  pids+=($!)
  if [[ ${#pids[@]} -ge $jobs ]]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do
  wait "$pid" || failed=1
done
exit $failed
