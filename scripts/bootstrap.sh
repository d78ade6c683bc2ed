#!/usr/bin/env bash
# Takes a fresh Debian/Ubuntu machine to a working checkout: Debian packages, a virtual
# environment in .venv, and an editable install of centrale with every extra.
# Idempotent: a second run only checks (about a second) and changes nothing.
set -euo pipefail

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
#   xvfb                       a real X screen for GUI screenshots
#   libegl1 … libxcb-cursor0 … what Qt (PySide6) loads: offscreen for the GUI tests, xcb for a window
#   python3-venv python3-dev   the virtual environment and headers for compiled packages
#   postgresql-client          psql, used to create the throw-away test databases
#   nsis                       makensis: the Windows installer script is compiled by the tests
DEB_PACKAGES=(swig libpcsclite-dev libpcsclite1 pcscd vsmartcard-vpcd kamailio sip-tester xvfb
              python3-venv python3-dev gcc postgresql-client nsis
              libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libglib2.0-0
              libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
              libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${DEB_PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
    done
else
    say "dpkg introuvable : ce n'est pas une machine Debian/Ubuntu, installez à la main : ${DEB_PACKAGES[*]}"
fi

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
say "prêt : $VENV"
