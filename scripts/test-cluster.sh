#!/usr/bin/env bash
# Throwaway MariaDB clusters for tabula's tests (#17), on loopback: three nodes with their own data
# directories, my.cnf files and logs under STATE_DIR, private unix sockets and free TCP ports on
# 127.0.0.1 (never 3306). Nothing outside STATE_DIR is read: every node starts with its own
# generated --defaults-file, so neither mariadbd nor the Galera SST scripts see /etc/mysql.
#
#   test-cluster.sh start galera|replication STATE_DIR
#                                         create (first time) and start every node that is down;
#                                         wait until the cluster is healthy
#   test-cluster.sh stop      STATE_DIR   stop all nodes cleanly, keeping their data
#   test-cluster.sh destroy   STATE_DIR   stop all nodes and delete everything in STATE_DIR
#   test-cluster.sh status    STATE_DIR   print each node's state; exit 0 when all are healthy
#   test-cluster.sh kill      N STATE_DIR kill -9 node N (1, 2 or 3)
#   test-cluster.sh stop-node N STATE_DIR clean shutdown of node N
#   test-cluster.sh restart   N STATE_DIR start node N again (killed or stopped) and wait until it
#                                         is healthy: Galera: rejoined (by IST) and Synced;
#                                         replication: its replica threads running and caught up
#   test-cluster.sh sql       N STATE_DIR 'SQL'
#                                         run SQL as root over node N's unix socket; prints rows
#                                         tab-separated without column names (mariadb -N -B)
#   test-cluster.sh promote   N STATE_DIR replication only: make node N the primary and point
#                                         the other running nodes at it (GTID, slave_pos)
#
# Topologies:
#   galera       3-node MariaDB Galera cluster (Debian's galera-4, wsrep_sst_method=mariabackup:
#                rsync SST fails when mariadbd runs as root). Node 1 is bootstrapped, the test
#                user created, node 1 shut down cleanly, and its data directory copied to nodes 2
#                and 3 (safe_to_bootstrap: 0, without gvwstate.dat and galera.cache); they then
#                join one after the other by IST, never by a full SST (which sleeps 10 s).
#                Failure detection is faster than Galera's defaults, so a node killed with -9 is
#                evicted after about 3.5 s instead of 6: evs.suspect_timeout PT3S (default PT5S),
#                evs.inactive_timeout and evs.install_timeout PT6S (PT15S, PT7.5S),
#                evs.keepalive_period PT0.5S (PT1S; it must stay below a third of the suspect
#                timeout) and evs.join_retrans_period PT0.3S (PT1S: joins settle sooner). Lower
#                suspect timeouts risk evicting a node that is merely starved of CPU on a busy
#                2-core machine.
#   replication  a GTID primary (node 1) and two replicas (read_only=1) replicating with
#                MASTER_USE_GTID=slave_pos; every node writes a binlog (log_slave_updates), so
#                any replica can be promoted.
#
# Apart from `mariadb-backup --help`, which the SST script runs to probe its options, nothing
# reads /etc/mysql (checked with strace over a join).
#
# Users:
#   tabula / tabula-test-pw, database tabula_test (as scripts/test-db.sh).
#     galera:      ALL PRIVILEGES ON *.* WITH GRANT OPTION (as the single test server).
#     replication: NOT an admin, because an admin (READ_ONLY ADMIN, part of ALL and SUPER in
#                  10.11) bypasses read_only and would write to replicas: ALL ON `tabula\_%`.*
#                  (tabula_test and scratch databases tabula_*), plus PROCESS, BINLOG MONITOR (=
#                  REPLICATION CLIENT: SHOW MASTER STATUS) and SLAVE MONITOR (SHOW SLAVE STATUS).
#                  @@read_only, @@gtid_current_pos, @@last_gtid and MASTER_GTID_WAIT() need no
#                  privilege. Its write on a replica fails with 1290 (--read-only).
#   root without password over each node's unix socket (nodeN/socket, nodeN/admin_url): the
#   admin way for tests (kill a connection, desync, stop a replica's SQL thread...).
#
# STATE_DIR receives (what tests read):
#   url          mysql://tabula:tabula-test-pw@127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/tabula_test
#   topology     galera | replication
#   primary      replication: the number of the current primary (1 until `promote`)
#   script       the path of this script, for kill / restart / sql / promote from tests
#   nodeN/url        mysql://tabula:tabula-test-pw@127.0.0.1:PN/tabula_test (single host)
#   nodeN/port       PN
#   nodeN/socket     the node's unix socket path
#   nodeN/admin_url  mysql://root@/tabula_test?socket=SOCKET (root, over the socket)
#   cluster.env  ports, sockets, data directories, pid files and logs (this script's own state;
#                shell syntax: NODE1_PORT=..., NODE1_SOCKET=..., NODE1_LOG=...)
#   nodeN/my.cnf, nodeN/data, nodeN/mysqld.log (the error log; Galera and SST messages too)
# Sockets live in STATE_DIR/nodeN unless that path is too long for a unix socket (108 bytes);
# then in a private /tmp/tabula-cluster.XXXXXX directory recorded in cluster.env and removed by
# destroy.
#
# Measured on a 2-core machine (MariaDB 10.11.19, galera-4 26.4.23), idle / while other builds
# compile (load ~2.5):
#   start galera from nothing             5-7 s / 9-13 s (install-db ~1.5 s; node 1 bootstrap,
#                                         user, clean stop, restart ~1.5 s; each joiner 2-3.5 s)
#   start replication from nothing        1.6-2 s / 4-7 s (mostly mariadb-install-db)
#   galera: kill -9 -> cluster size 2     3.4-3.9 s (evs.suspect_timeout PT3S)
#   galera: restart after kill -> Synced  2.6-4.6 s (--wsrep-recover, then IST)
#   replication: promote / old primary back as replica   0.2 s / 0.5 s
#   destroy                               1.5-3 s (kill -9; a clean Galera stop takes ~2 s a node)
set -euo pipefail

die() { echo "test-cluster: $*" >&2; exit 1; }
note() { echo "test-cluster: $*" >&2; }

usage="usage: test-cluster.sh start galera|replication STATE_DIR | stop|destroy|status STATE_DIR |
       kill|stop-node|restart|promote N STATE_DIR | sql N STATE_DIR 'SQL'"

TEST_USER=tabula
TEST_PASSWORD='tabula-test-pw'
TEST_DATABASE=tabula_test
REPL_USER=tabula_repl
REPL_PASSWORD='tabula-repl-pw'
NODES=3
GALERA_PROVIDER=${TABULA_GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}
# How long `start` and `restart` wait for a node or the cluster to become healthy.
WAIT_SECONDS=60

command=${1:-}
node=""
topology=""
sql_text=""
case $command in
  start)
    topology=${2:-}
    state=${3:-}
    [[ $topology == galera || $topology == replication ]] ||
      die "start needs a topology, galera or replication, not '$topology'"$'\n'"$usage"
    ;;
  stop | destroy | status) state=${2:-} ;;
  kill | stop-node | restart | promote | sql)
    node=${2:-}
    state=${3:-}
    [[ $node =~ ^[1-3]$ ]] || die "$command needs a node number 1..3, not '$node'"$'\n'"$usage"
    if [[ $command == sql ]]; then
      [[ $# -ge 4 ]] || die "sql needs the SQL to run"$'\n'"$usage"
      sql_text=$4
    fi
    ;;
  *) die "$usage" ;;
esac
[[ -n ${state:-} ]] || die "$usage"
mkdir -p "$state"
state=$(cd "$state" && pwd)
env_file="$state/cluster.env"

# shellcheck source=scripts/lib/mariadb-tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/mariadb-tools.sh"

# --- state -----------------------------------------------------------------------------------
# nv N NAME: the value of NODEN_NAME from cluster.env.
nv() { local var="NODE$1_$2"; echo "${!var}"; }

load_env() {
  [[ -f $env_file ]] || die "no cluster state in $state (run start first)"
  # shellcheck disable=SC1090
  source "$env_file"
}

write_env() {
  local i
  {
    echo "TOPOLOGY='$TOPOLOGY'"
    echo "CLUSTER_NAME='$CLUSTER_NAME'"
    echo "SOCKET_DIR='$SOCKET_DIR'"
    echo "PRIMARY='${PRIMARY:-1}'"
    for i in $(seq 1 $NODES); do
      local name
      for name in DIR DATADIR CNF SOCKET PORT GCOMM_PORT IST_PORT SST_PORT PIDFILE LOG; do
        echo "NODE${i}_$name='$(nv "$i" "$name")'"
      done
    done
  } >"$env_file.new"
  mv "$env_file.new" "$env_file"
  local hosts=()
  for i in $(seq 1 $NODES); do
    local port socket dir
    port=$(nv "$i" PORT)
    socket=$(nv "$i" SOCKET)
    dir=$(nv "$i" DIR)
    hosts+=("127.0.0.1:$port")
    echo "mysql://$TEST_USER:$TEST_PASSWORD@127.0.0.1:$port/$TEST_DATABASE" >"$dir/url"
    echo "$port" >"$dir/port"
    echo "$socket" >"$dir/socket"
    echo "mysql://root@/$TEST_DATABASE?socket=$socket" >"$dir/admin_url"
  done
  local joined
  joined=$(IFS=,; echo "${hosts[*]}")
  echo "mysql://$TEST_USER:$TEST_PASSWORD@$joined/$TEST_DATABASE" >"$state/url"
  echo "$TOPOLOGY" >"$state/topology"
  if [[ $TOPOLOGY == replication ]]; then echo "${PRIMARY:-1}" >"$state/primary"; fi
  echo "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")" >"$state/script"
}

# --- talking to a node -----------------------------------------------------------------------
# root over node N's socket; rows tab-separated, no column names.
root_sql() {
  local n=$1
  shift
  "$CLIENT" --no-defaults --protocol=socket --socket="$(nv "$n" SOCKET)" -uroot \
    --connect-timeout=3 -N -B -e "$*"
}
# Like root_sql, but quiet and without failing the script: for polling.
try_sql() { root_sql "$@" 2>/dev/null; }
answers() { try_sql "$1" 'SELECT 1' >/dev/null; }

# alive PID: the process exists and is not a zombie. A killed mariadbd is reparented to init, and
# an init that reaps slowly (seen: over a second) would otherwise keep it "running".
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# The pid of node N's mariadbd when it runs, else nothing. The pid file is this script's own
# (written at launch, before mariadbd writes its pid-file); /proc/PID/cmdline must name the node's
# my.cnf, so a recycled pid is never taken for the node.
node_pid() {
  local pidfile pid
  pidfile="$(nv "$1" DIR)/server.pid"
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile" 2>/dev/null || true)
  [[ -n $pid ]] || return 0
  if alive "$pid" &&
      tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--defaults-file=$(nv "$1" CNF)"; then
    echo "$pid"
  fi
}
running() { [[ -n $(node_pid "$1") ]]; }

log_tail() {
  local n=$1
  echo "test-cluster: node $n's error log ($(nv "$n" LOG)) ends with:" >&2
  tail -n "${2:-40}" "$(nv "$n" LOG)" >&2 2>/dev/null || echo "  (no log)" >&2
  local console
  console="$(nv "$n" DIR)/console.log"
  if [[ -s $console ]]; then
    echo "test-cluster: node $n's stdout/stderr ($console) ends with:" >&2
    tail -n 15 "$console" >&2
  fi
}
node_die() { local n=$1; shift; note "node $n: $*"; log_tail "$n"; exit 1; }

# --- my.cnf ----------------------------------------------------------------------------------
write_cnf() {
  local n=$1 i user_line="" gcomm=()
  [[ $(id -u) -eq 0 ]] && user_line="user=root"
  for i in $(seq 1 $NODES); do gcomm+=("127.0.0.1:$(nv "$i" GCOMM_PORT)"); done
  {
    cat <<EOF
# Generated by scripts/test-cluster.sh for node $n of a $TOPOLOGY test cluster.
[mysqld]
datadir=$(nv "$n" DATADIR)
socket=$(nv "$n" SOCKET)
port=$(nv "$n" PORT)
bind-address=127.0.0.1
pid-file=$(nv "$n" PIDFILE)
log-error=$(nv "$n" LOG)
tmpdir=$(nv "$n" DIR)/tmp
$user_line
skip-name-resolve
performance_schema=OFF
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
max_connections=400
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
lower_case_table_names=0
default_storage_engine=InnoDB
binlog_format=ROW
EOF
    if [[ $TOPOLOGY == galera ]]; then
      cat <<EOF
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=$GALERA_PROVIDER
wsrep_cluster_name=$CLUSTER_NAME
wsrep_cluster_address=gcomm://$(IFS=,; echo "${gcomm[*]}")
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1:$(nv "$n" GCOMM_PORT)
wsrep_node_incoming_address=127.0.0.1:$(nv "$n" PORT)
wsrep_sst_method=mariabackup
wsrep_sst_auth=root:
wsrep_sst_receive_address=127.0.0.1:$(nv "$n" SST_PORT)
wsrep_slave_threads=2
wsrep_provider_options="base_host=127.0.0.1;base_port=$(nv "$n" GCOMM_PORT);gmcast.listen_addr=tcp://127.0.0.1:$(nv "$n" GCOMM_PORT);ist.recv_addr=127.0.0.1:$(nv "$n" IST_PORT);gcache.size=32M;evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S;evs.join_retrans_period=PT0.3S"

[sst]
progress=0
EOF
    else
      cat <<EOF
server_id=$n
log_bin=mysql-bin
log_slave_updates=ON
relay_log=relay-bin
sync_binlog=0
slave_net_timeout=10
EOF
    fi
  } >"$(nv "$n" CNF)"
}

# --- starting and stopping one node ----------------------------------------------------------
# launch N ARGS...: start node N's mariadbd in the background with extra arguments.
launch() {
  local n=$1
  shift
  local dir
  dir=$(nv "$n" DIR)
  mkdir -p "$dir/tmp"
  # stdout/stderr to a file, never to our caller's pipes (CTest would wait for them to close).
  "$MARIADBD" --defaults-file="$(nv "$n" CNF)" "$@" >>"$dir/console.log" 2>&1 </dev/null &
  echo $! >"$dir/server.pid"
}

# wait_answers N: wait until node N answers over its socket; fail with its log if it dies.
wait_answers() {
  local n=$1 i
  for i in $(seq 1 $((WAIT_SECONDS * 10))); do
    if answers "$n"; then return 0; fi
    running "$n" || node_die "$n" "mariadbd exited while starting"
    sleep 0.1
  done
  node_die "$n" "mariadbd did not answer within $WAIT_SECONDS s"
}

stop_node() {
  local n=$1 pid i
  pid=$(node_pid "$n")
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 600); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    note "node $n (pid $pid) ignored SIGTERM for 60 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(nv "$n" DIR)/server.pid"
}

# descendants PID: the pids of PID's children, grandchildren...
descendants() {
  local child
  for child in $(pgrep -P "$1" || true); do
    echo "$child"
    descendants "$child"
  done
}

kill_node() {
  local n=$1 pid i
  pid=$(node_pid "$n")
  [[ -n $pid ]] || die "node $n is not running"
  # An SST or IST helper (wsrep_sst_mariabackup, socat, mariadb-backup) may run under it: those
  # die with it, as they would on a real host.
  local tree
  mapfile -t tree < <(descendants "$pid")
  kill -KILL "$pid" "${tree[@]}" 2>/dev/null || true
  for i in $(seq 1 100); do
    alive "$pid" || break
    sleep 0.05
  done
  alive "$pid" && die "node $n (pid $pid) survived kill -9"
  rm -f "$(nv "$n" DIR)/server.pid"
}

# --- Galera ----------------------------------------------------------------------------------
grastate() { echo "$(nv "$1" DATADIR)/grastate.dat"; }
# wsrep status variable NAME of node N, or nothing.
wsrep_var() {
  try_sql "$1" "SHOW GLOBAL STATUS LIKE '$2'" | cut -f2
}
galera_seqno() { sed -n 's/^seqno:[[:space:]]*//p' "$(grastate "$1")" 2>/dev/null; }

# The position node N's data holds: from grastate.dat after a clean shutdown, else recovered
# from InnoDB with --wsrep-recover (after kill -9 grastate.dat says seqno -1).
galera_position() {
  local n=$1 uuid seqno
  uuid=$(sed -n 's/^uuid:[[:space:]]*//p' "$(grastate "$n")" 2>/dev/null)
  seqno=$(galera_seqno "$n")
  if [[ -n $uuid && -n $seqno && $seqno != -1 ]]; then
    echo "$uuid:$seqno"
    return 0
  fi
  local dir log
  dir=$(nv "$n" DIR)
  log="$dir/recover.log"
  : >"$log"
  if ! "$MARIADBD" --defaults-file="$(nv "$n" CNF)" --wsrep-recover --log-error="$log" \
      >>"$dir/console.log" 2>&1 </dev/null; then
    note "node $n: mariadbd --wsrep-recover failed; its log follows"
    tail -n 30 "$log" >&2
    exit 1
  fi
  local pos
  pos=$(sed -n 's/.*WSREP: Recovered position: *//p' "$log" | tail -n 1)
  [[ -n $pos ]] || { note "node $n: --wsrep-recover found no position"; tail -n 30 "$log" >&2; exit 1; }
  echo "$pos"
}

# galera_synced N: node N is ready and Synced in a primary component.
galera_synced() {
  local status
  status=$(try_sql "$1" "SHOW GLOBAL STATUS WHERE Variable_name IN
    ('wsrep_ready','wsrep_local_state','wsrep_cluster_status')" | sort | tr '\t\n' '= ')
  [[ $status == *"wsrep_cluster_status=Primary "* && $status == *"wsrep_local_state=4 "* &&
     $status == *"wsrep_ready=ON "* ]]
}

# wait_galera_node N: node N answers and is Synced.
wait_galera_node() {
  local n=$1 i
  wait_answers "$n"
  for i in $(seq 1 $((WAIT_SECONDS * 10))); do
    if galera_synced "$n"; then return 0; fi
    running "$n" || node_die "$n" "mariadbd exited while joining"
    sleep 0.1
  done
  node_die "$n" "not Synced within $WAIT_SECONDS s (wsrep_local_state_comment:" \
    "$(wsrep_var "$n" wsrep_local_state_comment))"
}

# start_galera_node N bootstrap|join: start node N as the first node of a new primary component
# or as a joiner of the running cluster (at its recovered position: IST, not SST).
start_galera_node() {
  local n=$1 how=$2 position
  rm -f "$(nv "$n" SOCKET)" "$(nv "$n" SOCKET).lock"
  position=$(galera_position "$n")
  if [[ $how == bootstrap ]]; then
    sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$(grastate "$n")"
    rm -f "$(nv "$n" DATADIR)/gvwstate.dat"
    launch "$n" --wsrep-new-cluster --wsrep-start-position="$position"
  else
    # A saved view would make it wait for that view's members instead of joining.
    rm -f "$(nv "$n" DATADIR)/gvwstate.dat"
    launch "$n" --wsrep-start-position="$position"
  fi
  wait_galera_node "$n"
}

# wait_galera_cluster: every running node is Synced and sees all running nodes.
wait_galera_cluster() {
  local i n up
  for i in $(seq 1 $((WAIT_SECONDS * 10))); do
    up=0
    local ok=1
    for n in $(seq 1 $NODES); do running "$n" && up=$((up + 1)); done
    for n in $(seq 1 $NODES); do
      running "$n" || continue
      if ! galera_synced "$n" || [[ $(wsrep_var "$n" wsrep_cluster_size) != "$up" ]]; then ok=0; fi
    done
    [[ $ok == 1 ]] && return 0
    sleep 0.1
  done
  for n in $(seq 1 $NODES); do
    running "$n" || continue
    note "node $n: $(wsrep_var "$n" wsrep_local_state_comment)," \
      "cluster size $(wsrep_var "$n" wsrep_cluster_size) (expected $up)"
    log_tail "$n" 15
  done
  die "the Galera cluster did not become healthy within $WAIT_SECONDS s"
}

# settle_galera_view: before a node rejoins, let the running nodes finish evicting the nodes that
# are gone (a node killed a moment ago still counts until evs.suspect_timeout), so the joiner
# meets a settled view. When the running nodes have lost quorum (two of three killed: the
# survivor is non-Primary and would never admit a joiner), bootstrap a new primary component on
# the most advanced survivor (pc.bootstrap=YES), as an operator would.
settle_galera_view() {
  local i n up statuses
  for i in $(seq 1 $((WAIT_SECONDS * 10))); do
    up=0
    statuses=""
    for n in $(seq 1 $NODES); do running "$n" && up=$((up + 1)); done
    for n in $(seq 1 $NODES); do
      running "$n" || continue
      statuses+="$(wsrep_var "$n" wsrep_cluster_status)/$(wsrep_var "$n" wsrep_cluster_size) "
    done
    [[ $statuses == *non-Primary* || $statuses == *Disconnected* ]] && break
    # Every running node in a Primary view of exactly the running nodes.
    [[ $statuses =~ ^(Primary/$up )+$ ]] && return 0
    sleep 0.1
  done
  local best="" best_seqno=-2 seqno
  for n in $(seq 1 $NODES); do
    running "$n" || continue
    seqno=$(wsrep_var "$n" wsrep_last_committed)
    if [[ -n $seqno ]] && (( seqno > best_seqno )); then best=$n; best_seqno=$seqno; fi
  done
  [[ -n $best ]] || die "no running node answers: cannot settle the Galera view"
  note "running nodes without quorum ($statuses): bootstrapping node $best (pc.bootstrap=YES)"
  root_sql "$best" "SET GLOBAL wsrep_provider_options = 'pc.bootstrap=YES'" ||
    node_die "$best" "pc.bootstrap=YES failed"
  wait_galera_node "$best"
}

# The node a stopped cluster restarts from: the one marked safe_to_bootstrap (the last to leave
# cleanly), else the one with the highest recovered seqno.
galera_bootstrap_candidate() {
  local n best="" best_seqno=-2 pos seqno
  for n in $(seq 1 $NODES); do
    if grep -q '^safe_to_bootstrap: *1' "$(grastate "$n")" 2>/dev/null &&
        [[ $(galera_seqno "$n") != -1 ]]; then
      echo "$n"
      return 0
    fi
  done
  for n in $(seq 1 $NODES); do
    pos=$(galera_position "$n")
    seqno=${pos##*:}
    if (( seqno > best_seqno )); then best=$n; best_seqno=$seqno; fi
  done
  echo "$best"
}

create_galera() {
  local n
  # Node 1: a fresh data directory, bootstrapped as a new cluster, the test user created.
  install_datadir 1
  launch 1 --wsrep-new-cluster
  wait_galera_node 1
  create_test_user 1 galera
  # Shut it down cleanly: grastate.dat then holds the cluster's uuid and seqno, so copies of
  # this directory join by IST (nothing to transfer) instead of by a full SST.
  stop_node 1
  for n in 2 3; do
    local datadir
    datadir=$(nv "$n" DATADIR)
    rm -rf "$datadir"
    cp -a "$(nv 1 DATADIR)" "$datadir"
    sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 0/' "$datadir/grastate.dat"
    rm -f "$datadir/gvwstate.dat" "$datadir/galera.cache"
  done
}

start_galera() {
  local n any=0
  for n in $(seq 1 $NODES); do running "$n" && any=1; done
  if [[ $any == 0 ]]; then
    n=$(galera_bootstrap_candidate)
    start_galera_node "$n" bootstrap
  fi
  # Joiners one after the other: two joining at once would queue behind each other anyway.
  for n in $(seq 1 $NODES); do
    running "$n" || start_galera_node "$n" join
  done
  wait_galera_cluster
}

# --- replication -----------------------------------------------------------------------------
change_master_sql() {
  local primary=$1
  echo "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$(nv "$primary" PORT),
    MASTER_USER='$REPL_USER', MASTER_PASSWORD='$REPL_PASSWORD', MASTER_CONNECT_RETRY=1,
    MASTER_USE_GTID=slave_pos"
}

# Where a node that is pointed at a (new) primary starts replicating: everything its binlog
# holds. Every node logs what it applies (log_slave_updates), so its binlog is its whole state,
# whether it was a replica (then this equals its gtid_slave_pos) or a primary (whose own writes
# are not in gtid_slave_pos at all). Needs the replica threads stopped.
set_slave_pos_sql() { echo "SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos"; }

# slave_field N FIELD: FIELD of SHOW SLAVE STATUS on node N (vertical output parsed).
slave_field() {
  "$CLIENT" --no-defaults --protocol=socket --socket="$(nv "$1" SOCKET)" -uroot \
    --connect-timeout=3 -e 'SHOW SLAVE STATUS\G' 2>/dev/null |
    sed -n "s/^ *$2: //p"
}

# wait_replica N: node N's IO and SQL threads run and it has applied all the primary has.
wait_replica() {
  local n=$1 i io sql target
  for i in $(seq 1 $((WAIT_SECONDS * 10))); do
    io=$(slave_field "$n" Slave_IO_Running)
    sql=$(slave_field "$n" Slave_SQL_Running)
    if [[ $io == Yes && $sql == Yes ]]; then
      target=$(try_sql "$PRIMARY" 'SELECT @@gtid_binlog_pos') || target=""
      if [[ -z $target ]] ||
          [[ $(try_sql "$n" "SELECT MASTER_GTID_WAIT('$target', 0.5)") == 0 ]]; then
        return 0
      fi
    fi
    running "$n" || node_die "$n" "mariadbd exited while replicating"
    sleep 0.1
  done
  note "node $n: Slave_IO_Running=$io Slave_SQL_Running=$sql" \
    "Last_IO_Error: $(slave_field "$n" Last_IO_Error)" \
    "Last_SQL_Error: $(slave_field "$n" Last_SQL_Error)"
  node_die "$n" "replica not running and caught up within $WAIT_SECONDS s"
}

# start_replication_node N: the primary writable, any other node read-only and replicating from
# the primary (a node that has never replicated, or was the primary before a promote, is pointed
# at the current primary).
start_replication_node() {
  local n=$1
  rm -f "$(nv "$n" SOCKET)" "$(nv "$n" SOCKET).lock"
  if [[ $n == "$PRIMARY" ]]; then
    launch "$n" --read-only=OFF
    wait_answers "$n"
    return 0
  fi
  launch "$n" --read-only=ON
  wait_answers "$n"
  local host port
  host=$(slave_field "$n" Master_Host)
  port=$(slave_field "$n" Master_Port)
  if [[ -z $host || $port != "$(nv "$PRIMARY" PORT)" ]]; then
    # A former primary, or a replica of a primary that was replaced while it was down.
    root_sql "$n" "STOP SLAVE; RESET SLAVE ALL; $(set_slave_pos_sql);
      $(change_master_sql "$PRIMARY"); START SLAVE" ||
      node_die "$n" "cannot point it at the primary, node $PRIMARY"
  fi
}

create_replication() {
  local n
  # One pristine data directory for all three: replicas then replay the primary's whole binlog
  # (users, database) from the start, and no node needs a backup of another.
  install_datadir 1
  for n in 2 3; do
    rm -rf "$(nv "$n" DATADIR)"
    cp -a "$(nv 1 DATADIR)" "$(nv "$n" DATADIR)"
  done
  PRIMARY=1
  launch 1 --read-only=OFF
  for n in 2 3; do launch "$n" --read-only=ON; done
  wait_answers 1
  create_test_user 1 replication
  for n in 2 3; do
    wait_answers "$n"
    root_sql "$n" "$(change_master_sql 1); START SLAVE" ||
      node_die "$n" "CHANGE MASTER TO / START SLAVE failed"
  done
}

start_replication() {
  local n
  if ! running "$PRIMARY"; then start_replication_node "$PRIMARY"; fi
  for n in $(seq 1 $NODES); do
    running "$n" || start_replication_node "$n"
  done
  for n in $(seq 1 $NODES); do
    [[ $n == "$PRIMARY" ]] || wait_replica "$n"
  done
}

promote() {
  local n=$1 old=$PRIMARY other
  [[ $TOPOLOGY == replication ]] || die "promote is for a replication cluster, not $TOPOLOGY"
  [[ $n != "$old" ]] || { note "node $n is already the primary"; return 0; }
  running "$n" || die "node $n is not running: start it before promoting it"
  # Apply what the replica has received before it stops replicating.
  root_sql "$n" "STOP SLAVE IO_THREAD" || node_die "$n" "STOP SLAVE IO_THREAD failed"
  local received
  received=$(slave_field "$n" Gtid_IO_Pos)
  if [[ -n $received ]] &&
      [[ $(root_sql "$n" "SELECT MASTER_GTID_WAIT('$received', 30)") != 0 ]]; then
    node_die "$n" "did not apply its relay log ($received) within 30 s"
  fi
  root_sql "$n" "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = 0" ||
    node_die "$n" "cannot make it the primary"
  PRIMARY=$n
  write_env
  for other in $(seq 1 $NODES); do
    [[ $other == "$n" ]] && continue
    running "$other" || continue
    # The old primary, if it still runs, becomes a read-only replica too.
    root_sql "$other" "SET GLOBAL read_only = 1; STOP SLAVE; RESET SLAVE ALL; $(set_slave_pos_sql);
      $(change_master_sql "$n"); START SLAVE" ||
      node_die "$other" "cannot point it at the new primary, node $n"
  done
  for other in $(seq 1 $NODES); do
    [[ $other == "$n" ]] && continue
    running "$other" && wait_replica "$other"
  done
  return 0
}

# --- both ------------------------------------------------------------------------------------
install_datadir() {
  local n=$1 dir user_flag=()
  dir=$(nv "$n" DIR)
  [[ $(id -u) -eq 0 ]] && user_flag=(--user=root)
  rm -rf "$(nv "$n" DATADIR)"
  mkdir -p "$(nv "$n" DATADIR)" "$dir/tmp"
  if ! "$INSTALL_DB" --no-defaults --datadir="$(nv "$n" DATADIR)" \
      --auth-root-authentication-method=normal --skip-test-db --tmpdir="$dir/tmp" \
      "${user_flag[@]}" >"$dir/install.log" 2>&1; then
    cat "$dir/install.log" >&2
    die "mariadb-install-db failed for node $n"
  fi
}

create_test_user() {
  local n=$1 kind=$2 grants
  if [[ $kind == galera ]]; then
    grants="GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'localhost' WITH GRANT OPTION;"
  else
    # No SUPER, no READ_ONLY ADMIN: read_only must stop this user on a replica.
    local host
    grants=""
    for host in "'%'" "'localhost'"; do
      grants+="GRANT ALL PRIVILEGES ON \`tabula\\_%\`.* TO '$TEST_USER'@$host;
GRANT PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO '$TEST_USER'@$host;
"
    done
    grants+="CREATE USER '$REPL_USER'@'%' IDENTIFIED BY '$REPL_PASSWORD';
GRANT REPLICATION SLAVE ON *.* TO '$REPL_USER'@'%';"
  fi
  root_sql "$n" "DELETE FROM mysql.global_priv WHERE User = '';
CREATE USER '$TEST_USER'@'%' IDENTIFIED BY '$TEST_PASSWORD';
CREATE USER '$TEST_USER'@'localhost' IDENTIFIED BY '$TEST_PASSWORD';
$grants
CREATE DATABASE $TEST_DATABASE;
FLUSH PRIVILEGES;" || node_die "$n" "cannot create the test user and database"
}

new_cluster() {
  local n
  # A unix socket path must fit in 108 bytes: in STATE_DIR when it does, else in /tmp.
  SOCKET_DIR=""
  if (( ${#state} + 20 > 100 )); then
    SOCKET_DIR=$(mktemp -d /tmp/tabula-cluster.XXXXXX)
  fi
  TOPOLOGY=$topology
  CLUSTER_NAME="tabula-test-$RANDOM$RANDOM"
  PRIMARY=1
  for n in $(seq 1 $NODES); do
    local dir="$state/node$n"
    mkdir -p "$dir"
    printf -v "NODE${n}_DIR" '%s' "$dir"
    printf -v "NODE${n}_DATADIR" '%s' "$dir/data"
    printf -v "NODE${n}_CNF" '%s' "$dir/my.cnf"
    if [[ -n $SOCKET_DIR ]]; then
      printf -v "NODE${n}_SOCKET" '%s' "$SOCKET_DIR/node$n.sock"
    else
      printf -v "NODE${n}_SOCKET" '%s' "$dir/mysqld.sock"
    fi
    printf -v "NODE${n}_PIDFILE" '%s' "$dir/mysqld.pid"
    printf -v "NODE${n}_LOG" '%s' "$dir/mysqld.log"
    pick_port "NODE${n}_PORT"
    local p
    for p in GCOMM_PORT IST_PORT SST_PORT; do
      if [[ $TOPOLOGY == galera ]]; then
        pick_port "NODE${n}_$p"
      else
        printf -v "NODE${n}_$p" '%s' ""
      fi
    done
  done
  write_env
  for n in $(seq 1 $NODES); do write_cnf "$n"; done
}

check_prerequisites() {
  command -v pgrep >/dev/null 2>&1 || die "pgrep not found: run scripts/install-deps.sh --server (procps)"
  [[ $1 == galera ]] || return 0
  [[ -f $GALERA_PROVIDER ]] ||
    die "no Galera provider at $GALERA_PROVIDER: run scripts/install-deps.sh --server (galera-4)"
  command -v mariadb-backup >/dev/null 2>&1 ||
    die "mariadb-backup not found (Galera SST): run scripts/install-deps.sh --server"
  command -v socat >/dev/null 2>&1 || die "socat not found (Galera SST): run scripts/install-deps.sh --server"
  command -v ss >/dev/null 2>&1 || command -v lsof >/dev/null 2>&1 ||
    die "neither ss nor lsof found (Galera SST): run scripts/install-deps.sh --server"
  command -v wsrep_sst_mariabackup >/dev/null 2>&1 ||
    die "wsrep_sst_mariabackup not found (mariadb-server)"
}

healthy() {
  local n
  for n in $(seq 1 $NODES); do running "$n" && answers "$n" || return 1; done
  if [[ $TOPOLOGY == galera ]]; then
    for n in $(seq 1 $NODES); do
      galera_synced "$n" && [[ $(wsrep_var "$n" wsrep_cluster_size) == "$NODES" ]] || return 1
    done
  else
    for n in $(seq 1 $NODES); do
      [[ $n == "$PRIMARY" ]] && continue
      [[ $(slave_field "$n" Slave_IO_Running) == Yes &&
         $(slave_field "$n" Slave_SQL_Running) == Yes ]] || return 1
    done
  fi
}

print_status() {
  local n
  for n in $(seq 1 $NODES); do
    local line
    line="node $n 127.0.0.1:$(nv "$n" PORT)"
    if ! running "$n"; then
      line+=" down"
    elif ! answers "$n"; then
      line+=" running (pid $(node_pid "$n")), not answering"
    elif [[ $TOPOLOGY == galera ]]; then
      line+=" $(wsrep_var "$n" wsrep_local_state_comment), cluster size"
      line+=" $(wsrep_var "$n" wsrep_cluster_size), $(wsrep_var "$n" wsrep_cluster_status)"
    elif [[ $n == "$PRIMARY" ]]; then
      line+=" primary, read_only=$(try_sql "$n" 'SELECT @@read_only'),"
      line+=" gtid_binlog_pos $(try_sql "$n" 'SELECT @@gtid_binlog_pos')"
    else
      line+=" replica, read_only=$(try_sql "$n" 'SELECT @@read_only'),"
      line+=" IO $(slave_field "$n" Slave_IO_Running), SQL $(slave_field "$n" Slave_SQL_Running),"
      line+=" behind $(slave_field "$n" Seconds_Behind_Master) s,"
      line+=" gtid_slave_pos $(try_sql "$n" 'SELECT @@gtid_slave_pos')"
    fi
    echo "$line"
  done
}

case "$command" in
  start)
    check_prerequisites "$topology"
    began=$(date +%s%N)
    if [[ -f $env_file ]]; then
      load_env
      [[ $TOPOLOGY == "$topology" ]] ||
        die "$state holds a $TOPOLOGY cluster, not $topology: destroy it first"
      for n in $(seq 1 $NODES); do write_cnf "$n"; done
    else
      new_cluster
      if [[ $TOPOLOGY == galera ]]; then create_galera; else create_replication; fi
    fi
    if [[ $TOPOLOGY == galera ]]; then start_galera; else start_replication; fi
    elapsed=$(( ($(date +%s%N) - began) / 1000000 ))
    printf 'test-cluster: %s cluster healthy after %d.%03d s: %s\n' "$TOPOLOGY" \
      $((elapsed / 1000)) $((elapsed % 1000)) "$(cat "$state/url")"
    ;;
  stop)
    load_env
    # Galera: the last node to leave is safe to bootstrap from; node 1 goes last.
    for n in $(seq $NODES -1 1); do stop_node "$n"; done
    ;;
  destroy)
    if [[ -f $env_file ]]; then
      load_env
      # The data goes anyway: no need for a clean shutdown (a Galera node's takes seconds).
      for n in $(seq 1 $NODES); do running "$n" && kill_node "$n"; done
      [[ -n $SOCKET_DIR && $SOCKET_DIR == /tmp/tabula-cluster.* ]] && rm -rf "$SOCKET_DIR"
    fi
    for n in $(seq 1 $NODES); do rm -rf "$state/node$n"; done
    rm -f "$env_file" "$state/url" "$state/topology" "$state/primary" "$state/script"
    ;;
  status)
    load_env
    print_status
    healthy
    ;;
  kill)
    load_env
    kill_node "$node"
    ;;
  stop-node)
    load_env
    stop_node "$node"
    ;;
  restart)
    load_env
    running "$node" && die "node $node is running: kill or stop-node it first"
    if [[ $TOPOLOGY == galera ]]; then
      others=0
      for n in $(seq 1 $NODES); do running "$n" && others=1; done
      if [[ $others == 1 ]]; then
        settle_galera_view
        start_galera_node "$node" join
      else
        start_galera_node "$node" bootstrap
      fi
      wait_galera_cluster
    else
      start_replication_node "$node"
      if [[ $node != "$PRIMARY" ]]; then wait_replica "$node"; fi
    fi
    ;;
  sql)
    load_env
    running "$node" || die "node $node is not running"
    root_sql "$node" "$sql_text"
    ;;
  promote)
    load_env
    promote "$node"
    ;;
esac
