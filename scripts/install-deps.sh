#!/usr/bin/env bash
# Installs what tabula needs from Debian's packages. Idempotent and quiet when all is present.
#
#   scripts/install-deps.sh            build dependencies (enough for the demo)
#   scripts/install-deps.sh --server   also MariaDB server and client, for the tests
#
# Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  libsoci-dev libsoci-mysql4.0 libsoci-sqlite3-4.0 libsqlite3-dev sqlite3
  libmariadb-dev
  libboost1.81-dev
  libgtest-dev libbenchmark-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libcpp-httplib-dev
)
server=0
for arg in "$@"; do
  case "$arg" in
    --server) server=1 ;;
    *) echo "install-deps: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
[[ $server -eq 1 ]] && packages+=(mariadb-server mariadb-client python3)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)

# Debian's default libboost-dev (1.74) would install the same headers as libboost1.81-dev in
# /usr/include/boost; the two packages conflict, and we want 1.81 (Boost.PFR).
# Keep a freshly installed mariadb-server from starting a system service on port 3306: the tests
# run their own server. The policy file is removed again afterwards unless it was there before.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [[ $server -eq 1 && ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod +x "$policy"
  added_policy=1
fi
cleanup() { [[ $added_policy -eq 1 ]] && "${sudo[@]}" rm -f "$policy"; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
