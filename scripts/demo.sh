#!/usr/bin/env bash
# Sets the machine up (scripts/bootstrap.sh) and runs the main job: for now the central server on
# its embedded SQLite database, loaded with demo data; it prints its URL and the demo logins.
# The demo's data lives in var/demo (delete it to start afresh); CENTRALE_DATA_DIR moves it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export CENTRALE_DATA_DIR="${CENTRALE_DATA_DIR:-$PWD/var/demo}"
exec .venv/bin/centrale-server demo "$@"
