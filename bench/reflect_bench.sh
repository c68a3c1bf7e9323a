#!/usr/bin/env bash
# reflect_bench.sh [build-dir] [url]: reflection of a 1000-table x 20-column database, tabula
# against SQLAlchemy's automap (python3-sqlalchemy, python3-mysqldb from Debian), in the same run
# on the same database, counting the queries each sends.
#
#   bench/reflect_bench.sh                       # build/default, its own throwaway MariaDB
#   bench/reflect_bench.sh build/default 'mysql://root@127.0.0.1:3306/'
#
# With a URL, its user must be allowed to create the database `wide_schema`; the URL's database is
# replaced by `wide_schema` and everything else is kept. All three clients (the mariadb client
# that loads the schema, tabula, SQLAlchemy) connect as the URL says, over a unix socket too:
#   bench/reflect_bench.sh build/default 'mysql://root@localhost/?socket=/run/mysqld/mysqld.sock'
# (socket, charset, connect_timeout, read_timeout, write_timeout, sslca, sslcert and sslkey are
# passed on). Ends with
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
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
cmake --build "$build" --target reflect_timer

state=""
# Keeps the script's exit status: with a URL there is no server to destroy, and a false test
# here must not become the status.
cleanup() {
  if [[ -n $state ]]; then scripts/test-db.sh destroy "$state" >/dev/null && rm -rf "$state"; fi
}
trap cleanup EXIT
if [[ -z $url ]]; then
  state=$(mktemp -d /tmp/tabula-reflect-bench.XXXXXX)
  scripts/test-db.sh start "$state" >/dev/null
  url=$(cat "$state/url")
fi

# The URL for each client, all from the same parts (tabula's URL syntax, include/tabula/url.hpp):
# line 1 tabula's URL and line 2 SQLAlchemy's, both naming wide_schema; then the mariadb client's
# arguments, one a line.
mapfile -t urls < <("$python" - "$url" <<'PY'
import math, re, sys, urllib.parse

u = urllib.parse.urlsplit(sys.argv[1])
if u.scheme not in ("mysql", "mariadb"):
    sys.exit(f"reflect_bench: not a mysql:// URL: {u.scheme}://...")
options = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))

def seconds(name):
    """A tabula duration (250ms, 5s, 2m, 1h, or seconds) in whole seconds, rounded up."""
    m = re.fullmatch(r"(\d+)(ms|s|m|min|h)?", options[name])
    if not m:
        sys.exit(f"reflect_bench: option '{name}' = '{options[name]}' is not a duration")
    ms = int(m[1]) * {"ms": 1, "s": 1000, None: 1000, "m": 60000, "min": 60000, "h": 3600000}[m[2]]
    return str(max(1, math.ceil(ms / 1000)))

netloc = u.netloc.rsplit("@", 1)[-1]  # host:port as written (brackets kept)
userinfo = u.netloc.rsplit("@", 1)[0] + "@" if "@" in u.netloc else ""
print(urllib.parse.urlunsplit((u.scheme, u.netloc, "/wide_schema", u.query, "")))

# SQLAlchemy + MySQLdb: the same user, password, host and port; socket and options as query
# parameters under MySQLdb's names; tabula's default charset.
sa = {"charset": options.get("charset", "utf8mb4")}
if "socket" in options:
    sa["unix_socket"] = options["socket"]
for name in ("connect_timeout", "read_timeout", "write_timeout"):
    if name in options:
        sa[name] = seconds(name)
for ours, theirs in (("sslca", "ssl_ca"), ("sslcert", "ssl_cert"), ("sslkey", "ssl_key")):
    if ours in options:
        sa[theirs] = options[ours]
print(f"mysql+mysqldb://{userinfo}{netloc}/wide_schema?" + urllib.parse.urlencode(sa, safe="/"))

# The mariadb client.
args = ["--no-defaults"]
if u.hostname:
    args.append(f"--host={u.hostname}")
if u.port:
    args.append(f"--port={u.port}")
if "socket" in options:
    args.append(f"--socket={options['socket']}")
if u.username:
    args.append(f"--user={urllib.parse.unquote(u.username)}")
if u.password is not None and urllib.parse.unquote(u.password):
    args.append(f"--password={urllib.parse.unquote(u.password)}")
args.append(f"--default-character-set={options.get('charset', 'utf8mb4')}")
if "connect_timeout" in options:
    args.append(f"--connect-timeout={seconds('connect_timeout')}")
for ours, theirs in (("sslca", "ssl-ca"), ("sslcert", "ssl-cert"), ("sslkey", "ssl-key")):
    if ours in options:
        args.append(f"--{theirs}={options[ours]}")
print("\n".join(args))
PY
)
[[ ${#urls[@]} -ge 3 ]] || { echo "reflect_bench: could not read the URL" >&2; exit 1; }
tabula_url=${urls[0]}
sqlalchemy_url=${urls[1]}
client_args=("${urls[@]:2}")
client=$(command -v mariadb || command -v mysql)

echo "reflect_bench: creating wide_schema (1000 tables x 20 columns)"
"$python" tests/data/gen_wide_schema.py -n 1000 -m 20 -d wide_schema | "$client" "${client_args[@]}"

tabula=$("$build/bench/reflect_timer" "$tabula_url" 3)
sqlalchemy=$("$python" bench/sqlalchemy_automap.py "$sqlalchemy_url" 1)
echo "tabula:     $tabula"
echo "sqlalchemy: $sqlalchemy"

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
ratio=$("$python" -c "print(f'{$(field seconds "$sqlalchemy") / $(field seconds "$tabula"):.1f}')")
echo "ratio: reflect_1000_tables = $ratio"
echo "queries: reflect_1000_tables = $(field queries "$tabula")"
