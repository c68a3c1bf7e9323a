#!/usr/bin/env bash
# Loads the real-world sample schemas of tests/data into the test MariaDB started by test-db.sh:
# sakila, employees (+ its views, functions, procedures), employees_partitioned, Chinook,
# Chinook_AutoIncrement, wordpress, wordpress_ms, mariadb_features (MariaDB 10.11 features and
# tricky defaults; with mariadb_features_other, the target of its cross-database foreign key),
# and the synthetic wide_200 and wide_1000. Schemas only (and the 9 departments rows):
# reflection tests need the catalog, not the data. Idempotent: each script drops its database
# first.
#
#   load-samples.sh STATE_DIR
set -euo pipefail

state=${1:?usage: load-samples.sh STATE_DIR}
data="$(cd "$(dirname "$0")/../tests/data" && pwd)"
# shellcheck disable=SC1091
source "$state/server.env"
client=$(command -v mariadb || command -v mysql)
run() { "$client" --no-defaults --protocol=socket --socket="$SOCKET" -uroot "$@" >/dev/null; }

run < "$data/sakila/sakila-schema.sql"
run < "$data/employees/employees-schema.sql"
run employees < "$data/employees/departments-data.sql"
run employees < "$data/employees/objects.sql"
run < "$data/employees/employees_partitioned-schema.sql"
run < "$data/chinook/Chinook_MySql.sql"
run < "$data/chinook/Chinook_MySql_AutoIncrementPKs.sql"
run < "$data/wordpress/wp-schema.sql"
run < "$data/wordpress/wp-multisite-schema.sql"
run < "$data/mariadb_features/mariadb-features.sql"

# A synthetic wide schema (200 tables x 20 columns, quirky names) for scaling checks.
"$(command -v /usr/bin/python3 || command -v python3)" "$data/gen_wide_schema.py" -n 200 -m 20 \
  --quirky --views 5 -d wide_200 | run
# And one of 1000 tables, for code generation at scale.
"$(command -v /usr/bin/python3 || command -v python3)" "$data/gen_wide_schema.py" -n 1000 -m 20 \
  --quirky --views 5 -d wide_1000 | run
echo "load-samples: loaded sakila, employees, employees_partitioned, Chinook, Chinook_AutoIncrement, wordpress, wordpress_ms, wide_200, wide_1000, mariadb_features"
