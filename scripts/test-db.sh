#!/usr/bin/env bash
# A throwaway MariaDB for tabula's tests: its own data directory under /tmp, a private unix
# socket and a free TCP port on 127.0.0.1. It never touches a system server or port 3306.
#
#   test-db.sh start   STATE_DIR   create (first time) and start the server, wait until it answers
#   test-db.sh stop    STATE_DIR   stop it, keeping its data, port and socket
#   test-db.sh restart STATE_DIR   stop then start again on the same port and socket
#   test-db.sh destroy STATE_DIR   stop it and delete its data directory
#   test-db.sh status  STATE_DIR   exit 0 when it answers
#
# STATE_DIR receives:
#   url         mysql://tabula:...@127.0.0.1:PORT/tabula_test   (the test user, all privileges)
#   socket_url  the same user over the unix socket
#   server.env  DATADIR, SOCKET, PORT, PIDFILE, LOG for the commands above
#   script      the path of this script, so tests can stop and restart the server
#
# With TABULA_TEST_DB_TLS=1 in the environment of the first `start`, the server serves TLS: a
# throwaway CA and certificates are made with openssl in STATE_DIR/tls (see make_certs below)
# and the server serves server-cert.pem (naming 127.0.0.1 and localhost); with
# TABULA_TEST_DB_TLS=other it serves other-cert.pem (naming another host) instead. The choice is
# recorded in server.env (TLS) so later starts and restarts serve the same. Without it the server
# offers no TLS at all: a plain server.
set -euo pipefail

die() { echo "test-db: $*" >&2; exit 1; }

command=${1:-}
state=${2:-}
[[ -n $command && -n $state ]] || die "usage: test-db.sh start|stop|restart|destroy|status STATE_DIR"
mkdir -p "$state"
state=$(cd "$state" && pwd)
env_file="$state/server.env"

TEST_USER=tabula
TEST_PASSWORD='tabula-test-pw'
TEST_DATABASE=tabula_test

# shellcheck source=scripts/lib/mariadb-tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/mariadb-tools.sh"

load_env() {
  [[ -f $env_file ]] || die "no server state in $state (run start first)"
  # shellcheck disable=SC1090
  source "$env_file"
}

answers() {
  "$ADMIN" --no-defaults --protocol=socket --socket="$SOCKET" -uroot --connect-timeout=2 ping \
    >/dev/null 2>&1
}

# A throwaway PKI in $1, valid for 10 days, made with openssl:
#   ca.pem, ca-key.pem          the test CA
#   server-cert.pem, -key.pem   signed by it, naming IP 127.0.0.1 and DNS localhost (what the
#                               server serves)
#   other-cert.pem, -key.pem    signed by it, naming only other.invalid (a wrong host name)
#   client-cert.pem, -key.pem   signed by it, a client certificate
#   ca2.pem, ca2-key.pem        a second, unrelated CA
#   crl-empty.pem               the test CA's CRL, revoking nothing
#   crl-server-revoked.pem      the test CA's CRL revoking server-cert.pem
# Keys are mode 600; nothing here is secret outside the test run.
make_certs() {
  local dir=$1
  command -v openssl >/dev/null 2>&1 || die "openssl not found: run scripts/install-deps.sh --server"
  mkdir -p "$dir"
  (
    cd "$dir"
    umask 077
    local ca
    for ca in ca ca2; do
      openssl req -x509 -newkey rsa:2048 -nodes -days 10 -subj "/CN=tabula test $ca" \
        -keyout "$ca-key.pem" -out "$ca.pem" >/dev/null 2>&1 || die "openssl: cannot make $ca"
    done
    local name san
    for name in server other client; do
      case $name in
        server) san="subjectAltName=IP:127.0.0.1,DNS:localhost" ;;
        other) san="subjectAltName=DNS:other.invalid" ;;
        client) san="subjectAltName=DNS:tabula-client" ;;
      esac
      openssl req -newkey rsa:2048 -nodes -subj "/CN=tabula test $name" \
        -keyout "$name-key.pem" -out "$name.csr" >/dev/null 2>&1 ||
        die "openssl: cannot make the $name key"
      openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 10 \
        -extfile <(echo "$san") -out "$name-cert.pem" >/dev/null 2>&1 ||
        die "openssl: cannot sign the $name certificate"
      rm -f "$name.csr"
    done
    printf '[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 10\n' >ca.cnf
    : >index.txt
    echo 01 >crlnumber
    local ca_args=(-config ca.cnf -keyfile ca-key.pem -cert ca.pem)
    openssl ca "${ca_args[@]}" -gencrl -out crl-empty.pem >/dev/null 2>&1 &&
      openssl ca "${ca_args[@]}" -revoke server-cert.pem >/dev/null 2>&1 &&
      openssl ca "${ca_args[@]}" -gencrl -out crl-server-revoked.pem >/dev/null 2>&1 ||
      die "openssl: cannot make the CRLs"
    chmod 644 ./*-cert.pem ca.pem ca2.pem crl-*.pem
  )
}

server_pid() { [[ -f $PIDFILE ]] && cat "$PIDFILE" 2>/dev/null || true; }

start_server() {
  local user_flag=() tls_flags=()
  [[ $(id -u) -eq 0 ]] && user_flag=(--user=root)
  if [[ ${TLS:-0} == 1 || ${TLS:-0} == other ]]; then
    local served=server
    [[ $TLS == other ]] && served=other
    tls_flags=(--ssl-ca="$state/tls/ca.pem" --ssl-cert="$state/tls/$served-cert.pem"
      --ssl-key="$state/tls/$served-key.pem")
  fi
  local attempt
  for attempt in 1 2 3; do
    : >"$LOG"
    "$MARIADBD" --no-defaults --datadir="$DATADIR" --socket="$SOCKET" --port="$PORT" \
      --bind-address=127.0.0.1 --pid-file="$PIDFILE" --log-error="$LOG" "${user_flag[@]}" \
      --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=128M \
      --innodb-log-file-size=48M --innodb-flush-log-at-trx-commit=2 --max-connections=400 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --lower-case-table-names=0 "${tls_flags[@]}" >/dev/null 2>&1 &
    local pid=$! i
    for i in $(seq 1 300); do
      if answers; then return 0; fi
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if grep -q "Address already in use\|Can't start server: Bind" "$LOG" 2>/dev/null; then
      # Someone took the port between picking and binding: take another one.
      pick_port PORT
      write_env
      continue
    fi
    break
  done
  echo "test-db: mariadbd did not come up; its log follows" >&2
  tail -n 40 "$LOG" >&2 || true
  exit 1
}

died_on_its_own=0
stop_server() {
  local pid
  pid=$(server_pid)
  [[ -n $pid ]] || return 0
  if ! kill -0 "$pid" 2>/dev/null; then
    # Gone before it was asked to stop: killed by a test, or crashed. Its log says which (a
    # crash leaves the query and a stack trace there), and is removed with the state.
    # scripts/test.sh looks for this sentence to run the preset once more.
    echo "test-db: mariadbd $pid was no longer running when asked to stop; the end of its log:" >&2
    tail -n 60 "$LOG" >&2 || true
    died_on_its_own=1
  else
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "test-db: mariadbd $pid ignored SIGTERM for 30 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PIDFILE"
}

write_env() {
  cat >"$env_file" <<EOF
DATADIR='$DATADIR'
SOCKET='$SOCKET'
PORT='$PORT'
PIDFILE='$PIDFILE'
LOG='$LOG'
TLS='${TLS:-0}'
EOF
  echo "mysql://$TEST_USER:$TEST_PASSWORD@127.0.0.1:$PORT/$TEST_DATABASE" >"$state/url"
  echo "mysql://$TEST_USER:$TEST_PASSWORD@/$TEST_DATABASE?socket=$SOCKET" >"$state/socket_url"
  echo "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")" >"$state/script"
}

case "$command" in
  start)
    if [[ -f $env_file ]]; then
      load_env
      if answers; then exit 0; fi
    else
      # Short path: a unix socket path must fit in 108 bytes, so live under /tmp, not the build dir.
      base=$(mktemp -d /tmp/tabula-db.XXXXXX)
      DATADIR="$base/data"
      SOCKET="$base/mysqld.sock"
      PIDFILE="$base/mysqld.pid"
      LOG="$base/mysqld.log"
      pick_port PORT
      TLS=${TABULA_TEST_DB_TLS:-0}
      mkdir -p "$DATADIR"
      case $TLS in
        0) ;;
        1 | other) make_certs "$state/tls" ;;
        *) die "TABULA_TEST_DB_TLS must be 1 or other, not '$TLS'" ;;
      esac
      write_env
      user_flag=()
      [[ $(id -u) -eq 0 ]] && user_flag=(--user=root)
      # A private tmpdir: installs running at the same time (the plain and the TLS fixtures)
      # otherwise collide on their temporary tables in /tmp.
      mkdir -p "$base/tmp"
      if ! "$INSTALL_DB" --no-defaults --datadir="$DATADIR" --auth-root-authentication-method=normal \
          --skip-test-db --tmpdir="$base/tmp" "${user_flag[@]}" >"$base/install.log" 2>&1; then
        cat "$base/install.log" >&2
        die "mariadb-install-db failed"
      fi
      start_server
      "$CLIENT" --no-defaults --protocol=socket --socket="$SOCKET" -uroot <<SQL
DELETE FROM mysql.global_priv WHERE User = '';
CREATE USER '$TEST_USER'@'%' IDENTIFIED BY '$TEST_PASSWORD';
CREATE USER '$TEST_USER'@'localhost' IDENTIFIED BY '$TEST_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'localhost' WITH GRANT OPTION;
CREATE DATABASE $TEST_DATABASE;
FLUSH PRIVILEGES;
SQL
      echo "test-db: MariaDB up on 127.0.0.1:$PORT (socket $SOCKET)"
      exit 0
    fi
    start_server
    ;;
  stop)
    load_env
    stop_server
    ;;
  restart)
    load_env
    stop_server
    start_server
    ;;
  destroy)
    if [[ -f $env_file ]]; then
      load_env
      stop_server
      [[ $DATADIR == /tmp/tabula-db.*/data ]] && rm -rf "$(dirname "$DATADIR")"
    fi
    rm -f "$env_file" "$state/url" "$state/socket_url" "$state/script"
    rm -rf "$state/tls"
    # The tests stop and restart the server through this script only: one that died on its own
    # crashed, and the run says so (its log is above).
    ((died_on_its_own == 0)) || exit 1
    ;;
  status)
    load_env
    answers
    ;;
  *)
    die "unknown command '$command'"
    ;;
esac
