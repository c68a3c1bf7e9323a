# Shared by scripts/test-db.sh and scripts/test-cluster.sh (sourced, after each defines die):
# where the MariaDB programs are, and free TCP ports for the servers they start.

# find_binary NAME...: the path of the first of NAMEs on PATH or in /usr/sbin.
find_binary() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    if [[ -x /usr/sbin/$name ]]; then echo "/usr/sbin/$name"; return 0; fi
  done
  return 1
}

MARIADBD=$(find_binary mariadbd mysqld) || die "mariadbd not found: run scripts/install-deps.sh --server"
INSTALL_DB=$(find_binary mariadb-install-db mysql_install_db) || die "mariadb-install-db not found"
ADMIN=$(find_binary mariadb-admin mysqladmin) || die "mariadb-admin not found"
CLIENT=$(find_binary mariadb mysql) || die "mariadb client not found"

# Ports lie below Linux's ephemeral range (32768-60999), so that outgoing connections do not
# take them between picking and binding; never 3306. A port is free when nothing accepts a
# connection on it (bash's /dev/tcp).
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_port VAR: sets VAR to a free port not picked before by this run.
picked_ports=" "
pick_port() {
  local port
  for _ in $(seq 1 100); do
    port=$(( 10000 + (RANDOM * 32768 + RANDOM) % 22000 ))
    [[ $port -eq 3306 || $picked_ports == *" $port "* ]] && continue
    if port_is_free "$port"; then
      picked_ports+="$port "
      printf -v "$1" '%s' "$port"
      return 0
    fi
  done
  die "no free TCP port found"
}
