#!/usr/bin/env bash
# The main job, from a fresh clone: installs build dependencies, builds, and runs `tabula demo`.
# With no arguments it uses the embedded SQLite default (the bundled Chinook sample); pass
# `--url mysql://user:pass@host:port/db` to run it against MySQL/MariaDB.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset default
cmake --build --preset default --target tabula_cli
mkdir -p build/demo
exec build/default/cli/tabula demo --sqlite-path build/demo/chinook.db \
  --header build/demo/demo_models.hpp "$@"
