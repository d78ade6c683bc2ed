#!/usr/bin/env bash
# Packs the PyInstaller bundle into a Debian package with dpkg-deb:
#   /opt/centrale/           the bundle (centrale + _internal/)
#   /usr/bin/centrale        a two-line launcher (sys.executable stays /opt/centrale/centrale,
#                            which the embedded demo server is started with)
#   /usr/share/applications/centrale.desktop, /usr/share/icons/hicolor/*/apps/centrale.{png,svg}
# No maintainer scripts: the icon cache and the desktop database follow through the dpkg triggers
# of hicolor-icon-theme and desktop-file-utils. The user's data (settings, local store, call log)
# lives in the home directory (~/.config/centrale, ~/.local/share/centrale): an upgrade or a
# removal never touches it, and the new version migrates the local store when it opens it.
#
# Usage: bash installers/linux/build_deb.sh BUNDLE_DIR OUT_DIR [VERSION]
#   BUNDLE_DIR  dist/centrale from installers/build_bundle.sh
#   VERSION     default: the project's version (pyproject.toml)
#   CENTRALE_DEB_COMPRESSION  dpkg-deb -Z value (default xz; the tests use gzip, faster)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
[[ $# -ge 2 ]] || { echo "usage: $0 BUNDLE_DIR OUT_DIR [VERSION]" >&2; exit 2; }
BUNDLE=$(cd "$1" && pwd)
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
VERSION=${3:-$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1)}
ARCH=$(dpkg --print-architecture)
COMPRESSION=${CENTRALE_DEB_COMPRESSION:-xz}
[[ -x "$BUNDLE/centrale" && -d "$BUNDLE/_internal" ]] || { echo "[deb] ERREUR : $BUNDLE n'est pas un bundle PyInstaller" >&2; exit 1; }

STAGE=$(mktemp -d "$OUT/centrale-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications"
cp -a "$BUNDLE" "$STAGE/opt/centrale"
cat > "$STAGE/usr/bin/centrale" <<'SH'
#!/bin/sh
exec /opt/centrale/centrale "$@"
SH
chmod 0755 "$STAGE/usr/bin/centrale"
install -m 0644 "$HERE/centrale.desktop" "$STAGE/usr/share/applications/centrale.desktop"
for size in 16 24 32 48 64 128 256 512; do
    install -D -m 0644 "$ROOT/installers/icons/centrale-$size.png" \
        "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/centrale.png"
done
install -D -m 0644 "$ROOT/installers/icons/centrale.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/centrale.svg"
# Files world-readable, directories and executables traversable, whatever the build umask was.
chmod -R u+rwX,go+rX,go-w "$STAGE"

SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
# libpcsclite1: the bundle uses the system's PC/SC client library (it must match the pcscd
# daemon). The xcb/GL/font libraries are what Qt's xcb platform loads from the system.
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: centrale
Version: $VERSION
Architecture: $ARCH
Maintainer: Équipe Centrale <exploitation@centrale.invalid>
Section: misc
Priority: optional
Installed-Size: $SIZE
Depends: libpcsclite1, libc6, libegl1, libgl1, libfontconfig1, libfreetype6, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1, libdbus-1-3
Recommends: pcscd
Suggests: pulseaudio | pipewire-pulse
Description: Centrale - poste opérateur de la centrale téléphonique
 Le poste des opérateurs d'une plateforme de coordination des soins :
 appels entrants (softphone SIP), déclenchements de prises en charge,
 lecture des cartes Vitale et CPS (PC/SC), suivi en temps réel.
CONTROL

DEB="$OUT/centrale_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Z"$COMPRESSION" --build "$STAGE" "$DEB" >/dev/null
echo "[deb] $DEB ($(du -h "$DEB" | cut -f1))"
