#!/usr/bin/env bash
# `tabula demo --url` on schemas it has never seen: columns a fixed "tabula demo" would not fit
# (VARCHAR(10) under a non-ASCII name, CHAR(2), TINYINT UNSIGNED, DECIMAL(4,2), BIT(3), ENUM,
# SET, CHECKs, DATE/TIME/YEAR, VARBINARY(4), JSON), a table a trigger refuses, one a CHECK the
# demo cannot read refuses, and one whose CHECK no value can pass. The demo must exit 0, say
# what it inserted or why a table refused, and leave every table's row count as it was (counted
# at the server, a trigger's audit table included). It must write nothing into the working
# directory.
#
#   demo_any_schema.sh TABULA_BINARY STATE_DIR WORK_DIR
set -euo pipefail

tabula=${1:?usage: demo_any_schema.sh TABULA_BINARY STATE_DIR WORK_DIR}
state=${2:?}
work=${3:?}
# shellcheck disable=SC1091
source "$state/server.env"
client=$(command -v mariadb || command -v mysql)
sql() { "$client" --no-defaults --protocol=socket --socket="$SOCKET" -uroot -N -B "$@"; }
url=$(tr -d '\n' <"$state/url")

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

databases=(demo_any_schema demo_refused_only)
cleanup() {
  for db in "${databases[@]}"; do sql -e "DROP DATABASE IF EXISTS $db" || true; done
}
trap cleanup EXIT
cleanup

sql <<'SQL'
CREATE DATABASE demo_any_schema CHARACTER SET utf8mb4;
USE demo_any_schema;
-- First in name order: every insert is refused by a trigger the schema model cannot see.
CREATE TABLE Alarms (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20) NOT NULL);
INSERT INTO Alarms (note) VALUES ('a'), ('b');
CREATE TRIGGER alarms_read_only BEFORE INSERT ON Alarms FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'alarms are read-only';
-- A CHECK the demo cannot read (%): its value goes to the server, which refuses it.
CREATE TABLE Bins (id INT AUTO_INCREMENT PRIMARY KEY, n INT NOT NULL,
                   CONSTRAINT n_mod_7 CHECK (n % 7 = 3));
INSERT INTO Bins (n) VALUES (3);
CREATE TABLE Customers (
  id INT AUTO_INCREMENT PRIMARY KEY,
  `naïve` VARCHAR(10) NOT NULL,
  code CHAR(2) NOT NULL,
  age TINYINT UNSIGNED NOT NULL,
  price DECIMAL(4,2) NOT NULL,
  ratio DECIMAL(2,2) NOT NULL,
  flags BIT(3) NOT NULL,
  size ENUM('S','M','L') NOT NULL,
  tags SET('red','green') NOT NULL,
  qty INT NOT NULL CHECK (qty BETWEEN 5 AND 9),
  small SMALLINT NOT NULL CHECK (small < -100),
  label VARCHAR(8) NOT NULL CHECK (label IN ('alpha', 'beta')),
  score FLOAT NOT NULL CHECK (score >= 2.5 AND score <= 3),
  born DATE NOT NULL,
  opens TIME NOT NULL,
  since YEAR NOT NULL,
  seen DATETIME(3) NOT NULL,
  raw VARBINARY(4) NOT NULL,
  fixed BINARY(2) NOT NULL,
  meta JSON NULL,
  remark TINYTEXT NULL,
  UNIQUE KEY (code, `naïve`)
);
INSERT INTO Customers VALUES (NULL, 'ada', 'xx', 30, 12.50, 0.5, b'101', 'M', 'red', 6, -200,
  'beta', 2.75, '2020-01-01', '09:00:00', 2020, '2020-01-01 09:00:00', 'abcd', 'zz', '{}', NULL);
-- An audit table a trigger writes into: the demo's rollback must take its row away too.
CREATE TABLE Customers_log (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL,
                            logged TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TRIGGER customers_audit AFTER INSERT ON Customers FOR EACH ROW
  INSERT INTO Customers_log (customer_id) VALUES (NEW.id);
CREATE TABLE Orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL,
                     FOREIGN KEY (customer_id) REFERENCES Customers (id));
INSERT INTO Orders (customer_id) VALUES (1);

CREATE DATABASE demo_refused_only CHARACTER SET utf8mb4;
USE demo_refused_only;
CREATE TABLE Alarms (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20) NOT NULL);
INSERT INTO Alarms (note) VALUES ('a');
CREATE TRIGGER alarms_read_only BEFORE INSERT ON Alarms FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'alarms are read-only';
-- No value passes this CHECK: the demo says so without sending anything.
CREATE TABLE Crates (id INT AUTO_INCREMENT PRIMARY KEY,
                     label VARCHAR(10) NOT NULL CHECK (char_length(label) > 20));
SQL

counts() {
  local db=$1 table
  for table in $(sql -e "SELECT TABLE_NAME FROM information_schema.TABLES
                         WHERE TABLE_SCHEMA = '$db' ORDER BY TABLE_NAME"); do
    echo "$table $(sql -e "SELECT COUNT(*) FROM \`$db\`.\`$table\`")"
  done
}

# Runs the demo on database $1 in an empty working directory; its output lands in $out.
run_demo() {
  local db=$1 code=0
  rm -rf "$work/cwd" "$work/tmp"
  mkdir -p "$work/cwd" "$work/tmp"
  # TMPDIR: the header's temporary directory goes under it, where this test can look.
  (cd "$work/cwd" && TMPDIR="$work/tmp" "$tabula" demo --url "${url%/*}/$db") \
    >"$work/$db.out" 2>"$work/$db.err" || code=$?
  out=$(cat "$work/$db.out")
  echo "--- tabula demo on $db: exit $code"
  cat "$work/$db.out" "$work/$db.err"
  [[ $code -eq 0 ]] || fail "exit code $code"
  [[ ! -s $work/$db.err ]] || fail "something on stderr"
  [[ -z $(ls -A "$work/cwd") ]] || fail "wrote into the working directory: $(ls -A "$work/cwd")"
  local header
  header=$(sed -n 's/^  tabula-gen: \(.*\) ([0-9]* typed structs)$/\1/p' <<<"$out")
  [[ $header == "$work"/tmp/tabula-demo-*/demo_models.hpp && -s $header ]] ||
    fail "the header is not in a new directory under TMPDIR: '$header'"
}

expect() {
  grep -qE -- "$1" <<<"$out" || fail "the output does not match: $1"
}

before=$(counts demo_any_schema)
run_demo demo_any_schema
expect '^  session: Alarms refused the demo row, rolled back: alarms are read-only .*$'
expect '^  session: Bins refused the demo row, rolled back: CONSTRAINT .n_mod_7. failed.*$'
expect '^  session: inserted into Customers: \{.*"naïve":"tabula dem".*\}$'
for part in '"code":"ta"' '"age":1' '"size":"S"' '"tags":"red"' '"qty":5' '"small":-101' \
    '"label":"alpha"' '"score":2.5' '"since":2026' '"meta":"\{\}"' '"remark":"tabula demo"'; do
  expect "inserted into Customers: .*$part"
done
expect '^  session: read back the same object \(identity map\); rolled back, the data is as it was$'
expect '^  pool: open '
expect '^  done in [0-9]+ ms$'
after=$(counts demo_any_schema)
echo "--- row counts before: ${before//$'\n'/, }"
echo "--- row counts after:  ${after//$'\n'/, }"
[[ $before == "$after" ]] || fail "row counts changed"

before=$(counts demo_refused_only)
run_demo demo_refused_only
expect '^  session: Alarms refused the demo row, rolled back: alarms are read-only .*$'
expect '^  session: no demo row for Crates, nothing sent: Crates.label: no sample value passes CHECK \(char_length\(.label.\) > 20\)$'
expect '^  session: no demo row inserted \(2 of 2 tables tried\); the data is as it was$'
expect '^  pool: open '
expect '^  done in [0-9]+ ms$'
after=$(counts demo_refused_only)
[[ $before == "$after" ]] || fail "row counts changed"
echo "PASS"
