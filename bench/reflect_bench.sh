#!/usr/bin/env bash
# reflect_bench.sh [build-dir] [url]: reflection of a 1000-table x 20-column database, tabula
# against SQLAlchemy's automap (python3-sqlalchemy, python3-mysqldb from Debian), in the same run
# on the same database, counting the queries each sends.
#
#   bench/reflect_bench.sh                       # build/default, its own throwaway MariaDB
#   bench/reflect_bench.sh build/default 'mysql://root@127.0.0.1:3306/'
#
# With a URL, its user must be allowed to create the database `wide_schema`. Ends with
#   ratio: reflect_1000_tables = <SQLAlchemy seconds / tabula seconds>
#   queries: reflect_1000_tables = <tabula queries>
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/default}
url=${2:-}
python=/usr/bin/python3  # Debian's, where python3-sqlalchemy is installed

missing=()
for p in python3-sqlalchemy python3-mysqldb; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo=(); [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cmake --build "$build" --target reflect_timer >/dev/null

state=""
cleanup() { [[ -n $state ]] && scripts/test-db.sh destroy "$state" >/dev/null && rm -rf "$state"; }
trap cleanup EXIT
if [[ -z $url ]]; then
  state=$(mktemp -d /tmp/tabula-reflect-bench.XXXXXX)
  scripts/test-db.sh start "$state" >/dev/null
  url=$(cat "$state/url")
fi

# The URL's parts, for the mariadb client and SQLAlchemy.
read -r user password host port < <("$python" - "$url" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.unquote(u.username or "root"), urllib.parse.unquote(u.password or "") or "-",
      u.hostname or "127.0.0.1", u.port or 3306)
PY
)
[[ $password == "-" ]] && password=""
client=$(command -v mariadb || command -v mysql)

echo "reflect_bench: creating wide_schema (1000 tables x 20 columns)"
"$python" tests/data/gen_wide_schema.py -n 1000 -m 20 -d wide_schema |
  "$client" --no-defaults -h "$host" -P "$port" -u "$user" ${password:+-p"$password"}

base="mysql://$user${password:+:$password}@$host:$port"
tabula=$("$build/bench/reflect_timer" "$base/wide_schema" 3)
sqlalchemy=$("$python" bench/sqlalchemy_automap.py \
  "mysql+mysqldb://$user${password:+:$password}@$host:$port/wide_schema" 1)
echo "tabula:     $tabula"
echo "sqlalchemy: $sqlalchemy"

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
ratio=$("$python" -c "print(f'{$(field seconds "$sqlalchemy") / $(field seconds "$tabula"):.1f}')")
echo "ratio: reflect_1000_tables = $ratio"
echo "queries: reflect_1000_tables = $(field queries "$tabula")"
