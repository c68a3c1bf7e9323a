#!/usr/bin/env bash
# Smoke test of the `galera` fixture (scripts/test-cluster.sh): proves the cluster does what the
# cluster tests of #17 rely on, with the mariadb client only (no tabula code).
#
#   tests/cluster/galera_smoke.sh [STATE_DIR]     (default: $TABULA_TEST_GALERA)
#
#  1. STATE_DIR holds url (three hosts), topology, nodeN/url, nodeN/port, nodeN/socket,
#     nodeN/admin_url, script; all three nodes Synced in one primary component of size 3.
#  2. The test user writes on node 1; nodes 2 and 3 return the row (wsrep_sync_wait=1).
#  3. kill -9 node 3: node 1 sees wsrep_cluster_size 2 within 20 s; writes go on meanwhile.
#  4. restart node 3: it rejoins by IST (not a full SST), Synced, size 3, with the row written
#     while it was down.
#  5. SET GLOBAL wsrep_desync=ON on node 2 shows Donor/Desynced (state 2); OFF brings Synced back.
# Leaves the cluster as it found it (three Synced nodes, no test table). Prints each check and the
# times measured; exits 1 at the first failure with the cluster's status.
set -euo pipefail

state=${1:-${TABULA_TEST_GALERA:-}}
[[ -n $state ]] || { echo "galera_smoke: no state directory (TABULA_TEST_GALERA)" >&2; exit 1; }
[[ -f $state/script ]] || { echo "galera_smoke: no cluster in $state (script missing)" >&2; exit 1; }
script=$(cat "$state/script")
table="smoke_$$"

fail() {
  echo "FAILED: $*" >&2
  echo "cluster status:" >&2
  "$script" status "$state" >&2 || true
  exit 1
}
ok() { echo "  ok: $*"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
ms_to_s() { printf '%d.%03d s' $(($1 / 1000)) $(($1 % 1000)); }

# user N SQL: as the test user over TCP to node N (what an application does); -N -B output.
user() {
  local n=$1
  shift
  MYSQL_PWD=tabula-test-pw mariadb --no-defaults -h127.0.0.1 -P"$(cat "$state/node$n/port")" \
    -utabula --connect-timeout=5 -N -B tabula_test -e "$*"
}
admin() { local n=$1; shift; "$script" sql "$n" "$state" "$*"; }
status_var() { admin "$1" "SHOW GLOBAL STATUS LIKE '$2'" | cut -f2; }

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND every 0.1 s.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq 1 $((seconds * 10))); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  fail "$what: not within $seconds s"
}

echo "galera smoke test on $state"

# 1. What the fixture leaves for tests.
[[ $(cat "$state/topology") == galera ]] || fail "topology is '$(cat "$state/topology")', not galera"
ports=()
for n in 1 2 3; do
  for f in url port socket admin_url; do
    [[ -s $state/node$n/$f ]] || fail "node$n/$f missing"
  done
  ports+=("$(cat "$state/node$n/port")")
  [[ $(cat "$state/node$n/url") == "mysql://tabula:tabula-test-pw@127.0.0.1:${ports[-1]}/tabula_test" ]] ||
    fail "node$n/url is '$(cat "$state/node$n/url")'"
  [[ -S $(cat "$state/node$n/socket") ]] || fail "node$n/socket does not name a socket"
done
expected_url="mysql://tabula:tabula-test-pw@127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}/tabula_test"
[[ $(cat "$state/url") == "$expected_url" ]] || fail "url is '$(cat "$state/url")', not $expected_url"
ok "url: $expected_url"
for n in 1 2 3; do
  [[ $(status_var "$n" wsrep_local_state_comment) == Synced ]] || fail "node $n not Synced"
  [[ $(status_var "$n" wsrep_cluster_size) == 3 ]] || fail "node $n: cluster size not 3"
  [[ $(status_var "$n" wsrep_ready) == ON ]] || fail "node $n: wsrep_ready not ON"
  [[ $(user "$n" "SELECT CURRENT_USER()") == tabula@% ]] || fail "node $n: test user cannot log in"
done
ok "three nodes Synced, cluster size 3, wsrep_ready ON; the test user logs in on each"

# 2. Write on node 1, read on nodes 2 and 3.
user 1 "CREATE TABLE $table (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL);
        INSERT INTO $table (v) VALUES ('one')" || fail "the test user cannot write on node 1"
for n in 2 3; do
  got=$(user "$n" "SET SESSION wsrep_sync_wait = 1; SELECT v FROM $table") ||
    fail "the test user cannot read on node $n"
  [[ $got == one ]] || fail "node $n returned '$got' instead of the row written on node 1"
done
ok "a row written on node 1 by the test user is read on nodes 2 and 3"

# 3. kill -9 node 3: evicted.
began=$(now_ms)
"$script" kill 3 "$state" || fail "kill 3 failed"
evicted() { [[ $(status_var 1 wsrep_cluster_size) == 2 ]]; }
wait_for 20 "node 3 evicted (cluster size 2 on node 1)" evicted
evict_ms=$(( $(now_ms) - began ))
[[ $(status_var 2 wsrep_cluster_size) == 2 ]] || fail "node 2 does not see cluster size 2"
user 1 "INSERT INTO $table (v) VALUES ('two')" || fail "write on node 1 failed with node 3 gone"
[[ $(user 2 "SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM $table") == 2 ]] ||
  fail "node 2 lacks the row written while node 3 is down"
ok "kill -9 node 3: cluster size 2 after $(ms_to_s "$evict_ms"); nodes 1 and 2 go on writing"

# 4. restart node 3: back by IST, Synced, with the row.
# shellcheck disable=SC1091
log=$(source "$state/cluster.env" && echo "$NODE3_LOG")
log_lines=$(wc -l <"$log")
began=$(now_ms)
"$script" restart 3 "$state" || fail "restart 3 failed"
rejoin_ms=$(( $(now_ms) - began ))
[[ $(status_var 3 wsrep_local_state_comment) == Synced ]] || fail "node 3 not Synced after restart"
for n in 1 2 3; do
  [[ $(status_var "$n" wsrep_cluster_size) == 3 ]] || fail "node $n: cluster size not 3 after restart"
done
got=$(user 3 "SET SESSION wsrep_sync_wait = 1; SELECT GROUP_CONCAT(v ORDER BY v) FROM $table")
[[ $got == one,two ]] || fail "node 3 returned '$got' after rejoining, not one,two"
joined_log=$(tail -n +"$((log_lines + 1))" "$log")
grep -q 'IST received' <<<"$joined_log" || fail "node 3 did not rejoin by IST (see $log)"
! grep -q 'Proceeding with SST' <<<"$joined_log" || fail "node 3 needed a full SST (see $log)"
ok "restart node 3: Synced by IST after $(ms_to_s "$rejoin_ms"), cluster size 3, it has both rows"

# 5. wsrep_desync on node 2.
admin 2 "SET GLOBAL wsrep_desync = ON" || fail "SET GLOBAL wsrep_desync=ON failed"
desynced() { [[ $(status_var 2 wsrep_local_state_comment) == Donor/Desynced ]]; }
wait_for 10 "node 2 Donor/Desynced" desynced
[[ $(status_var 2 wsrep_local_state) == 2 ]] || fail "node 2 desynced but wsrep_local_state not 2"
[[ $(status_var 1 wsrep_local_state_comment) == Synced ]] || fail "node 1 left Synced too"
admin 2 "SET GLOBAL wsrep_desync = OFF" || fail "SET GLOBAL wsrep_desync=OFF failed"
synced() { [[ $(status_var 2 wsrep_local_state_comment) == Synced && $(status_var 2 wsrep_local_state) == 4 ]]; }
wait_for 10 "node 2 Synced again" synced
ok "wsrep_desync=ON on node 2: Donor/Desynced (state 2); OFF: Synced (state 4)"

user 1 "DROP TABLE $table" || fail "cannot drop $table"
"$script" status "$state" >/dev/null || fail "cluster not healthy at the end"
echo "galera smoke test passed (eviction $(ms_to_s "$evict_ms"), rejoin $(ms_to_s "$rejoin_ms"))"
