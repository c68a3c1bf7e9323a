#!/usr/bin/env bash
# Smoke test of the `replication` fixture (scripts/test-cluster.sh): proves the GTID primary and
# its two replicas do what the cluster tests of #17 rely on, with the mariadb client only.
#
#   tests/cluster/replication_smoke.sh [STATE_DIR]     (default: $TABULA_TEST_REPLICATION)
#
#  1. STATE_DIR holds url (three hosts), topology, primary (1), nodeN/url, nodeN/port,
#     nodeN/socket, nodeN/admin_url, script. The test user sees @@read_only 0 on node 1 and 1 on
#     the replicas, and may read SHOW SLAVE STATUS, @@gtid_current_pos and call MASTER_GTID_WAIT.
#  2. The test user writes on the primary; with the write's @@last_gtid, MASTER_GTID_WAIT on
#     each replica returns 0 and the row is there.
#  3. The test user's write on a replica fails with 1290 (read_only holds: it is no admin).
#  4. Node 2's SQL thread stopped: a new write reaches node 3 but not node 2 (MASTER_GTID_WAIT
#     times out, the row is missing); started again, node 2 catches up.
#  5. kill -9 the primary, promote node 2: it is writable, node 3 replicates from it and gets the
#     test user's write through node 2.
#  6. restart node 1: it comes back as a read-only replica of node 2, with that write.
#  7. promote node 1 again: the fixture is as it was (node 1 primary, 2 and 3 replicas).
# Prints each check and the times measured; exits 1 at the first failure with the cluster's
# status.
set -euo pipefail

state=${1:-${TABULA_TEST_REPLICATION:-}}
[[ -n $state ]] || { echo "replication_smoke: no state directory (TABULA_TEST_REPLICATION)" >&2; exit 1; }
[[ -f $state/script ]] || { echo "replication_smoke: no cluster in $state (script missing)" >&2; exit 1; }
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
# slave_field N FIELD: FIELD of SHOW SLAVE STATUS on node N, read by the test user.
slave_field() {
  MYSQL_PWD=tabula-test-pw mariadb --no-defaults -h127.0.0.1 -P"$(cat "$state/node$1/port")" \
    -utabula --connect-timeout=5 -e 'SHOW SLAVE STATUS\G' | sed -n "s/^ *$2: //p"
}
# write N VALUE: the test user inserts VALUE on node N; prints the write's GTID.
write() {
  local gtid
  gtid=$(user "$1" "INSERT INTO $table (v) VALUES ('$2'); SELECT @@last_gtid") ||
    fail "the test user cannot write on node $1"
  [[ $gtid =~ ^[0-9]+-[0-9]+-[0-9]+$ ]] || fail "node $1: @@last_gtid after a write is '$gtid'"
  echo "$gtid"
}
# gtid_wait N GTID SECONDS: MASTER_GTID_WAIT on node N as the test user (0 reached, -1 timeout).
gtid_wait() { user "$1" "SELECT MASTER_GTID_WAIT('$2', $3)"; }
has_row() { [[ $(user "$1" "SELECT COUNT(*) FROM $table WHERE v = '$2'") == 1 ]]; }
# caught_up N GTID VALUE: node N reaches GTID within 10 s and then has the row VALUE.
caught_up() { [[ $(gtid_wait "$1" "$2" 10) == 0 ]] && has_row "$1" "$3"; }

echo "replication smoke test on $state"

# 1. What the fixture leaves for tests.
[[ $(cat "$state/topology") == replication ]] || fail "topology is '$(cat "$state/topology")'"
[[ $(cat "$state/primary") == 1 ]] || fail "primary is '$(cat "$state/primary")', not 1"
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
[[ $(user 1 "SELECT @@read_only") == 0 ]] || fail "node 1 (primary) is read-only"
for n in 2 3; do
  [[ $(user "$n" "SELECT @@read_only") == 1 ]] || fail "node $n (replica) is not read-only"
  [[ $(slave_field "$n" Slave_IO_Running) == Yes && $(slave_field "$n" Slave_SQL_Running) == Yes ]] ||
    fail "node $n: replica threads not running (or SHOW SLAVE STATUS denied to the test user)"
  [[ $(slave_field "$n" Master_Port) == "${ports[0]}" ]] || fail "node $n does not replicate from node 1"
  user "$n" "SELECT @@gtid_current_pos, @@gtid_slave_pos" >/dev/null ||
    fail "node $n: the test user cannot read the GTID positions"
done
user 1 "SHOW MASTER STATUS" >/dev/null || fail "the test user cannot run SHOW MASTER STATUS"
if user 1 "SHOW GRANTS" | grep -qE 'SUPER|READ_ONLY ADMIN|ALL PRIVILEGES ON \*\.\*'; then
  fail "the test user has a privilege that bypasses read_only: $(user 1 'SHOW GRANTS')"
fi
ok "node 1 writable; nodes 2 and 3 read-only replicas of node 1; the test user reads their state"

# 2. Write on the primary, read on both replicas.
user 1 "CREATE TABLE $table (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)" ||
  fail "the test user cannot create a table on the primary"
gtid=$(write 1 one)
for n in 2 3; do
  [[ $(gtid_wait "$n" "$gtid" 10) == 0 ]] || fail "node $n did not reach $gtid within 10 s"
  has_row "$n" one || fail "node $n reached $gtid but lacks the row"
done
ok "a write on the primary ($gtid) reaches nodes 2 and 3 (MASTER_GTID_WAIT as the test user)"

# 3. The test user cannot write on a replica.
for n in 2 3; do
  if out=$(user "$n" "INSERT INTO $table (v) VALUES ('replica')" 2>&1); then
    fail "the test user wrote on replica $n"
  fi
  [[ $out == *"ERROR 1290"* ]] || fail "write on replica $n failed, but not with 1290: $out"
done
ok "the test user's write on a replica fails with 1290"

# 4. A stopped SQL thread: node 2 stale, node 3 current; started again, node 2 catches up.
admin 2 "STOP SLAVE SQL_THREAD" || fail "STOP SLAVE SQL_THREAD on node 2 failed"
[[ $(slave_field 2 Slave_SQL_Running) == No ]] || fail "node 2's SQL thread still runs"
gtid=$(write 1 stale)
caught_up 3 "$gtid" stale || fail "node 3 did not get $gtid"
[[ $(gtid_wait 2 "$gtid" 1) == -1 ]] || fail "MASTER_GTID_WAIT on stopped node 2 did not time out"
! has_row 2 stale || fail "node 2 has the row although its SQL thread is stopped"
admin 2 "START SLAVE SQL_THREAD" || fail "START SLAVE SQL_THREAD on node 2 failed"
caught_up 2 "$gtid" stale || fail "node 2 did not catch up to $gtid"
ok "node 2's SQL thread stopped: stale (MASTER_GTID_WAIT times out, row missing); started: caught up"

# 5. Failover: kill the primary, promote node 2.
"$script" kill 1 "$state" || fail "kill 1 failed"
began=$(now_ms)
"$script" promote 2 "$state" || fail "promote 2 failed"
promote_ms=$(( $(now_ms) - began ))
[[ $(cat "$state/primary") == 2 ]] || fail "primary is '$(cat "$state/primary")' after promote 2"
[[ $(user 2 "SELECT @@read_only") == 0 ]] || fail "node 2 still read-only after promote"
[[ -z $(slave_field 2 Slave_IO_Running) ]] || fail "node 2 still replicates after promote"
gtid=$(write 2 failover)
[[ $(slave_field 3 Master_Port) == "${ports[1]}" ]] || fail "node 3 does not replicate from node 2"
caught_up 3 "$gtid" failover || fail "node 3 did not get $gtid from node 2"
ok "kill -9 node 1, promote node 2 ($(ms_to_s "$promote_ms")): node 2 takes the write, node 3 follows it"

# 6. The old primary comes back as a replica.
began=$(now_ms)
"$script" restart 1 "$state" || fail "restart 1 failed"
restart_ms=$(( $(now_ms) - began ))
[[ $(user 1 "SELECT @@read_only") == 1 ]] || fail "node 1 came back writable"
[[ $(slave_field 1 Master_Port) == "${ports[1]}" ]] || fail "node 1 does not replicate from node 2"
caught_up 1 "$gtid" failover || fail "node 1 did not get $gtid"
ok "restart node 1 ($(ms_to_s "$restart_ms")): a read-only replica of node 2, caught up"

# 7. Back to the fixture's shape.
"$script" promote 1 "$state" || fail "promote 1 failed"
[[ $(cat "$state/primary") == 1 && $(user 1 "SELECT @@read_only") == 0 ]] || fail "node 1 not primary again"
gtid=$(write 1 back)
for n in 2 3; do
  [[ $(user "$n" "SELECT @@read_only") == 1 ]] || fail "node $n writable after promote 1"
  [[ $(slave_field "$n" Master_Port) == "${ports[0]}" ]] || fail "node $n does not replicate from node 1"
  caught_up "$n" "$gtid" back || fail "node $n did not get $gtid"
done
ok "promote node 1 again: nodes 2 and 3 replicate from it"

user 1 "DROP TABLE $table" || fail "cannot drop $table"
"$script" status "$state" >/dev/null || fail "cluster not healthy at the end"
echo "replication smoke test passed (promote $(ms_to_s "$promote_ms"), old primary back as replica $(ms_to_s "$restart_ms"))"
