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
# pytest exits 5 when it collected nothing: that is a failure here, not a pass.
checked() { if [[ $1 -eq 5 ]]; then echo "pytest n'a exécuté aucun test" >&2; echo 1; else echo "$1"; fi; }
if [[ $# -gt 0 ]]; then
    set +e
    "$VENV/pytest" "$@"
    status=$?
    set -e
    exit "$(checked $status)"
fi
# The whole suite: two pytest processes side by side (most tests wait on servers, browsers and SIP
# peers, not on the CPU). The first holds every test of the shared pcscd (cards: tests/gui,
# tests/integration/cardreader), the Qt and browser tests and the SIP ones; the second the rest.
# Every test runs; only the wall-clock time changes. Each one's output is printed when both ended.
logs=$(mktemp -d)
DEVICES=(tests/gui tests/integration/cardreader tests/integration/telephony tests/browser tests/installers)
REST=(tests)
for path in "${DEVICES[@]}"; do REST+=("--ignore=$path"); done
set +e
"$VENV/pytest" -p no:cacheprovider --basetemp="$logs/devices-tmp" "${DEVICES[@]}" >"$logs/devices.log" 2>&1 &
devices=$!
"$VENV/pytest" -p no:cacheprovider --basetemp="$logs/rest-tmp" "${REST[@]}" >"$logs/rest.log" 2>&1 &
rest=$!
wait $devices
devices_status=$(checked $?)
wait $rest
rest_status=$(checked $?)
set -e
echo "== pytest (cartes, Qt, navigateur, SIP, installateurs) : ${DEVICES[*]}"
cat "$logs/devices.log"
echo "== pytest (le reste) : tests sans ${DEVICES[*]}"
cat "$logs/rest.log"
echo "== résumé des deux"
for log in "$logs/devices.log" "$logs/rest.log"; do
    grep -E "^(FAILED|ERROR) |^=+ .*(passed|failed|error).* =+$" "$log" || echo "$log : pas de résumé pytest"
done
if [[ $devices_status -ne 0 || $rest_status -ne 0 ]]; then
    exit 1
fi
