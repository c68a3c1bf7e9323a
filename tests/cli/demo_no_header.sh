#!/usr/bin/env bash
# `tabula demo` without --header writes nothing into the working directory: the typed header goes
# to a new directory under the temporary directory (TMPDIR here), and the demo prints where.
#
#   demo_no_header.sh TABULA_BINARY WORK_DIR
set -euo pipefail

tabula=${1:?usage: demo_no_header.sh TABULA_BINARY WORK_DIR}
work=${2:?}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

rm -rf "$work"
mkdir -p "$work/cwd" "$work/tmp"
code=0
(cd "$work/cwd" && TMPDIR="$work/tmp" "$tabula" demo --sqlite-path "$work/chinook.db") \
  >"$work/out" || code=$?
cat "$work/out"
[[ $code -eq 0 ]] || fail "exit code $code"
[[ -z $(ls -A "$work/cwd") ]] || fail "wrote into the working directory: $(ls -A "$work/cwd")"
header=$(sed -n 's/^  tabula-gen: \(.*\) (11 typed structs)$/\1/p' "$work/out")
[[ $header == "$work"/tmp/tabula-demo-*/demo_models.hpp ]] ||
  fail "the header is not in a new directory under TMPDIR: '$header'"
grep -q 'struct Artist {' "$header" || fail "$header is not the typed header"
# A second run takes another directory rather than overwriting the first.
(cd "$work/cwd" && TMPDIR="$work/tmp" "$tabula" demo --sqlite-path "$work/chinook.db") \
  >"$work/out2"
second=$(sed -n 's/^  tabula-gen: \(.*\) (11 typed structs)$/\1/p' "$work/out2")
[[ -s $second && $second != "$header" ]] || fail "the second run did not get its own directory"
[[ -z $(ls -A "$work/cwd") ]] || fail "wrote into the working directory: $(ls -A "$work/cwd")"
# Without --sqlite-path either, the Chinook file goes beside the header, not into the working
# directory.
(cd "$work/cwd" && TMPDIR="$work/tmp" "$tabula" demo) >"$work/out3"
third=$(sed -n 's/^  tabula-gen: \(.*\) (11 typed structs)$/\1/p' "$work/out3")
grep -q "database: sqlite://$(dirname "$third")/chinook.db" "$work/out3" ||
  fail "the SQLite file is not beside the header: $(grep database: "$work/out3")"
[[ -z $(ls -A "$work/cwd") ]] || fail "wrote into the working directory: $(ls -A "$work/cwd")"
echo "PASS"
