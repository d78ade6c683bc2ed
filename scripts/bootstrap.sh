#!/usr/bin/env bash
# Takes a fresh Debian/Ubuntu machine to a working checkout: Debian packages, a virtual
# environment in .venv, an editable install of centrale with every extra, and the web app's
# front-end packages in server/web/node_modules (npm ci, pinned by server/web/package-lock.json).
# Idempotent: a second run only checks (about a second) and changes nothing.
# --peers: also the tools the side-by-side benchmarks compare us with (bench/peers/, issue 21);
# without it, nothing of them is installed.
set -euo pipefail

PEERS=0
for arg in "$@"; do
    case "$arg" in
        --peers) PEERS=1 ;;
        *) printf '[bootstrap] ERREUR : option inconnue : %s (seule --peers existe)\n' "$arg" >&2; exit 2 ;;
    esac
done

cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
STAMP="$VENV/.centrale-install-stamp"

say() { printf '[bootstrap] %s\n' "$*"; }
die() { printf '[bootstrap] ERREUR : %s\n' "$*" >&2; exit 1; }

# Debian packages, with what needs them:
#   swig libpcsclite-dev       build pyscard (source-only on Linux)
#   pcscd vsmartcard-vpcd      the PC/SC daemon and the virtual reader used by the card tests
#   kamailio sip-tester        SIP registrar/proxy and SIPp for the telephony tests
#   kamailio-utils-modules     http_client: Kamailio asks the server whom to ring (docs/hotline.md)
#   xvfb                       a real X screen for GUI screenshots
#   libegl1 … libxcb-cursor0 … what Qt (PySide6) loads: offscreen for the GUI tests, xcb for a window
#   python3-venv python3-dev   the virtual environment and headers for compiled packages
#   postgresql-client          psql, used to create the throw-away test databases
#   nsis                       makensis: the Windows installer script is compiled by the tests
#   chromium fonts-dejavu-core the headless browser of tests/browser (driven by Playwright for
#                              Python, which never downloads a browser of its own) and a font
#   nodejs npm                 (only when node or npm is missing) npm ci of server/web's packages
DEB_PACKAGES=(swig libpcsclite-dev libpcsclite1 pcscd vsmartcard-vpcd kamailio kamailio-utils-modules sip-tester xvfb
              python3-venv python3-dev gcc postgresql-client nsis chromium fonts-dejavu-core
              libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libglib2.0-0
              libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
              libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1)

# With --peers (bench/peers/): the peers' Debian packages, added to the list above.
#   postgresql-NN-postgis-3    PostGIS for the installed PostgreSQL major (matching: ST_DWithin)
#   baresip-core               the softphone peer of bench/peers/softphone.py (registered to Kamailio)
if ((PEERS)); then
    pg_major=$(psql -h 127.0.0.1 -U postgres -d test -Atc 'SHOW server_version_num' 2>/dev/null | cut -c1-2 || true)
    [[ "$pg_major" =~ ^[0-9]+$ ]] || pg_major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
    [[ "$pg_major" =~ ^[0-9]+$ ]] || die "--peers : version de PostgreSQL introuvable (pour PostGIS)"
    PEER_DEB_PACKAGES=("postgresql-$pg_major-postgis-3" baresip-core)
    DEB_PACKAGES+=("${PEER_DEB_PACKAGES[@]}")
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${DEB_PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
    done
else
    say "dpkg introuvable : ce n'est pas une machine Debian/Ubuntu, installez à la main : ${DEB_PACKAGES[*]}"
fi
# Node.js and npm by command, not by package: a machine may already have them from elsewhere
# (NodeSource's nodejs carries its own npm, and Debian's npm package would conflict with it).
# Debian 12's own are node 18 and npm 9; any npm from 7 on reads the lock file (lockfileVersion 3).
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
    if ! command -v apt-get >/dev/null 2>&1; then
        die "apt-get introuvable ; installez ces paquets à la main : ${missing[*]}"
    fi
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "il faut être root (ou avoir sudo) pour installer : ${missing[*]}"
        SUDO="sudo"
    fi
    say "installation des paquets Debian : ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q >/dev/null || die "apt-get update a échoué"
    # Daemons (pcscd, kamailio) must not be started by the package scripts: the tests start
    # their own instances on loopback.
    policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy"
    fi
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
        || { [[ -n "$policy" ]] && $SUDO rm -f "$policy"; die "apt-get install a échoué pour : ${missing[*]}"; }
    [[ -n "$policy" ]] && $SUDO rm -f "$policy"
fi

# Python 3.11 or 3.12: pjsua2-python has no wheels beyond 3.12.
PYTHON=""
for candidate in "${CENTRALE_PYTHON:-}" python3.12 python3.11 python3; do
    [[ -n "$candidate" ]] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
        'import sys; raise SystemExit(0 if (3, 11) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null; then
        PYTHON=$(command -v "$candidate"); break
    fi
done
[[ -n "$PYTHON" ]] || die "Python 3.11 ou 3.12 introuvable (pjsua2-python n'existe pas au-delà de 3.12)"

if [[ ! -x "$VENV/bin/python" ]]; then
    say "création de l'environnement virtuel avec $PYTHON"
    "$PYTHON" -m venv "$VENV" || die "python -m venv a échoué (paquet python3-venv ?)"
fi

want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$want" ]]; then
    say "installation des dépendances Python (pip)"
    log="$VENV/pip-install.log"
    if ! { "$VENV/bin/python" -m pip install -q --upgrade pip \
           && "$VENV/bin/python" -m pip install -q -e ".[server,desktop,dev,build]"; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "pip install a échoué (journal complet : $log)"
    fi
    echo "$want" > "$STAMP"
fi

# With --peers: the peers' PyPI packages, installed in the venv only when missing. websockets (the
# bare broadcast server of bench/peers/fanout.py) already comes with the desktop extra; listed here
# so the peers need nothing else.
if ((PEERS)); then
    PEER_PYPI_PACKAGES=(websockets)
    for pkg in "${PEER_PYPI_PACKAGES[@]}"; do
        if ! "$VENV/bin/python" -m pip show -q "$pkg" >/dev/null 2>&1; then
            say "installation du paquet Python des benchmarks comparés : $pkg"
            "$VENV/bin/python" -m pip install -q "$pkg" >"$VENV/pip-peers.log" 2>&1 \
                || { tail -n 40 "$VENV/pip-peers.log" >&2; die "pip install $pkg a échoué"; }
        fi
    done
fi

# The web app's front-end packages (htmx.org, htmx-ext-sse; axe-core for the accessibility tests),
# exactly as server/web/package-lock.json pins them. npm ci empties node_modules first, stamp
# included: it runs again only when a package file changed or node_modules went away.
WEB="$ROOT/server/web"
NPM_STAMP="$WEB/node_modules/.centrale-npm-stamp"
npm_want=$(cat "$WEB/package.json" "$WEB/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ ! -f "$NPM_STAMP" || "$(cat "$NPM_STAMP")" != "$npm_want" ]]; then
    command -v npm >/dev/null 2>&1 || die "npm introuvable (paquet Debian npm)"
    npm_major=$(npm --version 2>/dev/null | cut -d. -f1)
    [[ "$npm_major" =~ ^[0-9]+$ && "$npm_major" -ge 7 ]] \
        || die "npm $(npm --version 2>/dev/null) trop ancien : il faut npm 7 ou plus pour package-lock.json"
    say "installation des paquets npm du web (npm ci dans server/web)"
    log="$VENV/npm-ci.log"
    # --ignore-scripts: none of these packages builds anything, and no package script runs here.
    if ! (cd "$WEB" && npm ci --no-audit --no-fund --ignore-scripts) >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "npm ci a échoué dans server/web (journal complet : $log)"
    fi
    echo "$npm_want" > "$NPM_STAMP"
fi
say "prêt : $VENV"
