#!/usr/bin/env bash
# Tests scripts/install-deps.sh without touching the machine: stub dpkg-query, apt-get, sudo and
# id come first on PATH, a package is "missing" and its "install" succeeds (or fails, on request),
# and TABULA_POLICY_RC_D points the policy-rc.d file at a scratch path.
#
#   tests/scripts/install_deps_test.sh [path/to/install-deps.sh]
#
# Cases: plain and --server, with and without an existing policy file, as root and not; nothing
# missing; apt-get install and apt-get update failing. Also checks that demo.sh and test.sh do
# not hide cmake's output. Prints each check and ends with "N passed, M failed"; exits 1 on any
# failure.
set -euo pipefail

script=$(cd "$(dirname "${1:-$(dirname "$0")/../../scripts/install-deps.sh}")" && pwd)/install-deps.sh
scripts_dir=$(dirname "$script")
[[ -f $script ]] || { echo "install_deps_test: no $script" >&2; exit 1; }

work=$(mktemp -d /tmp/tabula-install-deps-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
stubs=$work/stubs
mkdir -p "$stubs"

# dpkg-query -W -f='${Status}' PKG: "installed" unless PKG is in $STUB_MISSING.
cat >"$stubs/dpkg-query" <<'STUB'
#!/usr/bin/env bash
echo "dpkg-query $*" >>"$STUB_CALLS"
pkg=${!#}
for m in $STUB_MISSING; do
  if [[ $m == "$pkg" ]]; then
    echo "dpkg-query: no packages found matching $pkg" >&2
    exit 1
  fi
done
printf 'install ok installed'
STUB
# apt-get: records its arguments, DEBIAN_FRONTEND and what the policy file answers right now;
# fails the subcommand named by $STUB_APT_FAIL.
cat >"$stubs/apt-get" <<'STUB'
#!/usr/bin/env bash
policy=absent
if [[ -e $TABULA_POLICY_RC_D ]]; then
  rc=0
  "$TABULA_POLICY_RC_D" >/dev/null 2>&1 || rc=$?
  policy="exits-$rc"
fi
echo "apt-get $* [frontend=${DEBIAN_FRONTEND:-unset} policy=$policy]" >>"$STUB_CALLS"
if [[ ${STUB_APT_FAIL:-} == "$1" ]]; then
  echo "Reading package lists..."
  echo "E: Unable to locate package stub-failure-for-$1" >&2
  exit 100
fi
echo "stub apt-get $1 output"
STUB
# sudo CMD...: records and runs CMD (as the caller).
cat >"$stubs/sudo" <<'STUB'
#!/usr/bin/env bash
echo "sudo $*" >>"$STUB_CALLS"
exec "$@"
STUB
# id -u: $STUB_UID.
cat >"$stubs/id" <<'STUB'
#!/usr/bin/env bash
if [[ ${1:-} == -u ]]; then echo "$STUB_UID"; else exec /usr/bin/id "$@"; fi
STUB
chmod +x "$stubs"/*

passed=0
failed=0
check() {
  local what=$1
  shift
  if "$@"; then
    echo "  ok: $what"
    passed=$((passed + 1))
  else
    echo "  FAILED: $what"
    failed=$((failed + 1))
  fi
}
calls_have() { grep -qF -- "$1" "$case_dir/calls"; }
calls_lack() { ! grep -qF -- "$1" "$case_dir/calls"; }
output_has() { grep -qF -- "$2" "$case_dir/$1"; }
no_leftover_log() { [[ -z $(ls -A "$case_dir/tmp") ]]; }

# run NAME UID POLICY(existing|none) MISSING APT_FAIL ARGS...: runs install-deps.sh in a scratch
# directory; sets case_dir, rc, policy.
run() {
  local name=$1 uid=$2 existing=$3 missing=$4 apt_fail=$5
  shift 5
  case_dir=$work/$name
  mkdir -p "$case_dir/tmp"
  : >"$case_dir/calls"
  policy=$case_dir/policy-rc.d
  if [[ $existing == existing ]]; then
    printf '#!/bin/sh\n# the machine'"'"'s own\nexit 101\n' >"$policy"
    chmod +x "$policy"
    sha256sum "$policy" >"$case_dir/policy.sum"
  fi
  echo "case $name: uid $uid, policy file $existing, missing '$missing', args '$*'"
  rc=0
  env -u DEBIAN_FRONTEND PATH="$stubs:$PATH" TMPDIR="$case_dir/tmp" STUB_CALLS="$case_dir/calls" \
    STUB_MISSING="$missing" STUB_UID="$uid" STUB_APT_FAIL="$apt_fail" \
    TABULA_POLICY_RC_D="$policy" bash "$script" "$@" >"$case_dir/out" 2>"$case_dir/err" || rc=$?
  if [[ $rc -ne 0 || -s $case_dir/err ]]; then
    sed 's/^/    | /' "$case_dir/out" "$case_dir/err"
  fi
}

# Plain and --server, with and without a policy file, as root and not: everything succeeds.
for mode in plain server; do
  for existing in existing none; do
    for uid in 0 1000; do
      args=()
      missing="libfmt-dev"
      if [[ $mode == server ]]; then
        args=(--server)
        missing="libfmt-dev mariadb-server"
      fi
      run "$mode-$existing-uid$uid" "$uid" "$existing" "$missing" "" "${args[@]}"
      check "exits 0 (was $rc)" test "$rc" -eq 0
      check "says done" output_has out "install-deps: done"
      check "asked dpkg-query about libfmt-dev" calls_have "dpkg-query -W -f=\${Status} libfmt-dev"
      if [[ $mode == server ]]; then
        check "asked dpkg-query about mariadb-server" calls_have "-f=\${Status} mariadb-server"
      else
        check "did not ask about mariadb-server" calls_lack "mariadb-server"
      fi
      check "ran apt-get update" calls_have "apt-get update -qq [frontend=noninteractive"
      check "installed exactly the missing packages, non-interactively" \
        calls_have "apt-get install -y -qq --no-install-recommends $missing [frontend=noninteractive"
      if [[ $uid -eq 0 ]]; then
        check "as root: no sudo" calls_lack "sudo "
      else
        check "not root: apt-get install through sudo" calls_have "sudo env DEBIAN_FRONTEND=noninteractive apt-get install"
      fi
      if [[ $mode == server ]]; then
        check "policy file in force during the install (exit 101)" \
          calls_have "--no-install-recommends $missing [frontend=noninteractive policy=exits-101]"
      else
        expected_policy=absent
        [[ $existing == existing ]] && expected_policy=exits-101
        check "policy file left as it was during the install ($expected_policy)" \
          calls_have "policy=$expected_policy]"
      fi
      if [[ $existing == existing ]]; then
        check "existing policy file untouched" sha256sum --quiet -c "$case_dir/policy.sum"
        check "no sudo tee/rm of the policy file" calls_lack "$policy"
      else
        check "no policy file afterwards" test ! -e "$policy"
        if [[ $mode == server && $uid -ne 0 ]]; then
          check "policy file created and removed through sudo" \
            bash -c 'grep -qF "sudo tee $1" "$2" && grep -qF "sudo rm -f $1" "$2"' _ "$policy" \
            "$case_dir/calls"
        fi
      fi
      check "apt-get's output hidden on success" bash -c '! grep -q "stub apt-get install" "$1"' _ \
        "$case_dir/out"
      check "temporary log removed" no_leftover_log
    done
  done
done

# Nothing missing: no apt-get, no policy file, silent.
run nothing-missing 1000 none "" "" --server
check "exits 0 (was $rc)" test "$rc" -eq 0
check "no apt-get call" calls_lack "apt-get"
check "no policy file" test ! -e "$policy"
check "prints nothing" test ! -s "$case_dir/out" -a ! -s "$case_dir/err"

# apt-get install fails: non-zero, apt-get's own output shown, the created policy file removed.
for uid in 0 1000; do
  run "install-fails-uid$uid" "$uid" none "libfmt-dev mariadb-server" install --server
  check "exits non-zero (was $rc)" test "$rc" -ne 0
  check "shows apt-get's error" output_has err "E: Unable to locate package stub-failure-for-install"
  check "shows apt-get's stdout too" output_has err "Reading package lists..."
  check "says what failed" output_has err "install-deps: 'apt-get install libfmt-dev mariadb-server' failed"
  check "does not say done" bash -c '! grep -q "install-deps: done" "$1"' _ "$case_dir/out"
  check "created policy file removed" test ! -e "$policy"
  check "temporary log removed" no_leftover_log
done

# apt-get update fails: non-zero, its error shown, an existing policy file untouched.
run update-fails 0 existing "libfmt-dev" update --server
check "exits non-zero (was $rc)" test "$rc" -ne 0
check "shows apt-get's error" output_has err "E: Unable to locate package stub-failure-for-update"
check "says what failed" output_has err "install-deps: 'apt-get update' failed"
check "no install attempted" calls_lack "apt-get install"
check "existing policy file untouched" sha256sum --quiet -c "$case_dir/policy.sum"

# An unknown argument is a usage error.
run bad-argument 0 none "" "" --sever
check "exits 2 (was $rc)" test "$rc" -eq 2
check "names the argument" output_has err "unknown argument '--sever'"

# demo.sh and test.sh let cmake's output through, so a newcomer sees why a build stopped.
echo "case scripts: cmake output not hidden"
for s in demo.sh test.sh; do
  check "$s has cmake lines" grep -q '^[[:space:]]*cmake ' "$scripts_dir/$s"
  check "$s sends no cmake line to /dev/null" \
    bash -c '! grep -E "^[[:space:]]*cmake .*(>|&>) */dev/null" "$1"' _ "$scripts_dir/$s"
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
