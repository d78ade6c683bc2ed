#!/usr/bin/env bash
# Sets the machine up (scripts/bootstrap.sh) and runs every check: ruff, mypy (strict outside
# desktop/ui), the import rules and the whole pytest suite (unit, integration on SQLite and
# PostgreSQL). Extra arguments go to pytest. With CI set, PostgreSQL tests fail rather than skip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
VENV=.venv/bin
echo "== ruff"
"$VENV/ruff" check .
echo "== mypy"
"$VENV/mypy"
echo "== pytest"
set +e
"$VENV/pytest" "$@"
status=$?
set -e
# pytest exits 5 when it collected nothing: that is a failure here, not a pass.
if [[ $status -eq 5 ]]; then
    echo "pytest n'a exécuté aucun test" >&2
    exit 1
fi
exit $status
