#!/usr/bin/env bash
# Builds the desktop's one-folder bundle with PyInstaller: <out>/centrale/centrale (+ _internal/).
# Usage: bash installers/build_bundle.sh [OUT_DIR]   (default: build/installers)
# Needs the project's venv with the desktop, server and build extras (scripts/bootstrap.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${1:-$ROOT/build/installers}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PYTHON=${CENTRALE_BUILD_PYTHON:-$ROOT/.venv/bin/python}
if ! "$PYTHON" -c 'import PyInstaller' 2>/dev/null; then
    echo "[bundle] ERREUR : PyInstaller absent ($PYTHON -m pip install -e '.[build]')" >&2
    exit 1
fi
start=$(date +%s)
# --clean, and PyInstaller's own cache inside OUT: nothing is reused from an earlier build, and two
# builds at once (two checkouts) never clean each other's cache.
export PYINSTALLER_CONFIG_DIR="$OUT/pyinstaller-cache"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$OUT/dist" --workpath "$OUT/work" installers/centrale.spec
echo "[bundle] $OUT/dist/centrale ($(du -sh "$OUT/dist/centrale" | cut -f1), $(( $(date +%s) - start )) s)"
