#!/usr/bin/env bash
# The side-by-side benchmarks (issue 21), not part of CI: installs the peers through
# `scripts/bootstrap.sh --peers`, then runs every comparison and prints one table.
#   bash bench/peers/run.sh [--quick] [--only directory,matching] [--workdir /tmp/centrale-peers]
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/bootstrap.sh --peers >/dev/null
exec .venv/bin/python -m bench.peers "$@"
