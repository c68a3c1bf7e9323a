#!/usr/bin/env bash
# Installs what tabula needs from Debian's packages. Idempotent and quiet when all is present.
#
#   scripts/install-deps.sh            build dependencies (enough for the demo)
#   scripts/install-deps.sh --server   also MariaDB server and client, openssl (the TLS test
#                                      server's certificates), SQLAlchemy 1.4 with
#                                      its MySQLdb driver (the differential reflection test),
#                                      and for the test clusters (scripts/test-cluster.sh):
#                                      galera-4, and for its state transfers mariadb-backup,
#                                      socat and iproute2 (ss); procps (pgrep)
#
# Needs root (or sudo) only when something is missing. Exits 0 when everything is installed;
# when apt-get fails, prints apt-get's output and exits non-zero.
#
# Environment:
#   TABULA_POLICY_RC_D  the policy-rc.d path that keeps a freshly installed mariadb-server from
#                       starting a system service (default /usr/sbin/policy-rc.d; the test suite
#                       points it at a scratch file).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  libsoci-dev libsoci-mysql4.0 libsoci-sqlite3-4.0 libsqlite3-dev sqlite3
  libmariadb-dev
  libboost1.81-dev
  libgtest-dev libbenchmark-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libcpp-httplib-dev
  # the `fuzz` preset: clang 16 with libFuzzer and the sanitizer runtimes (Debian's clang 14
  # cannot compile libstdc++ 12's <source_location>)
  clang-16 libclang-rt-16-dev
)
server=0
for arg in "$@"; do
  case "$arg" in
    --server) server=1 ;;
    *) echo "install-deps: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
if [[ $server -eq 1 ]]; then
  packages+=(mariadb-server mariadb-client openssl python3 python3-sqlalchemy python3-mysqldb
    galera-4 mariadb-backup socat iproute2 procps)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  if [[ $status != "install ok installed" ]]; then missing+=("$p"); fi
done
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi

# Debian's default libboost-dev (1.74) would install the same headers as libboost1.81-dev in
# /usr/include/boost; the two packages conflict, and we want 1.81 (Boost.PFR).
# Keep a freshly installed mariadb-server from starting a system service on port 3306: the tests
# run their own server. The policy file is removed again afterwards unless it was there before.
policy=${TABULA_POLICY_RC_D:-/usr/sbin/policy-rc.d}
added_policy=0
log=$(mktemp "${TMPDIR:-/tmp}/tabula-install-deps.XXXXXX")

# Runs on every exit. Keeps the script's exit status (a false test here must not become it) and
# fails the script only when a policy file it created cannot be removed.
cleanup() {
  local status=$?
  rm -f "$log"
  if [[ $added_policy -eq 1 ]] && ! "${sudo[@]}" rm -f "$policy"; then
    echo "install-deps: could not remove $policy, which stops services from starting;" \
      "remove it by hand" >&2
    status=1
  fi
  exit "$status"
}
trap cleanup EXIT

if [[ $server -eq 1 && ! -e $policy ]]; then
  added_policy=1
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod +x "$policy"
fi

# `sudo` drops the environment, so DEBIAN_FRONTEND goes through env(1).
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
if ! "${apt[@]}" update -qq; then
  echo "install-deps: 'apt-get update' failed (its errors are above)" >&2
  exit 1
fi
# Quiet when it works; apt-get's whole output when it does not.
if ! "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-deps: 'apt-get install ${missing[*]}' failed (its output is above)" >&2
  exit 1
fi
echo "install-deps: done"
