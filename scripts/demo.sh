#!/usr/bin/env bash
# Sets the machine up (scripts/bootstrap.sh) and runs the main job: the operator desktop with an
# embedded central server (SQLite, demo data, simulated responders), logged in as the demo
# operator. Without a display (no DISPLAY / WAYLAND_DISPLAY: a server, a container), it runs the
# central server's demo alone and prints its URL and the demo logins; CENTRALE_DEMO=server forces
# that. The server demo's data lives in var/demo (delete it to start afresh); CENTRALE_DATA_DIR
# moves it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export CENTRALE_DATA_DIR="${CENTRALE_DATA_DIR:-$PWD/var/demo}"
if [[ "${CENTRALE_DEMO:-desktop}" != "server" && -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
    exec .venv/bin/centrale --demo "$@"
fi
echo "[demo] pas d'écran : serveur central seul (le poste se lance avec un affichage : .venv/bin/centrale --demo)"
exec .venv/bin/centrale-server demo "$@"
