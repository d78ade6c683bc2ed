"""Renders centrale.svg to the PNG sizes the installers use, and a Windows .ico (PNG entries).

Run once after changing the SVG (the PNGs and the .ico are committed):
    QT_QPA_PLATFORM=offscreen .venv/bin/python installers/icons/render_icons.py
"""

from __future__ import annotations

import struct
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, b"PNG")
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """ICO with PNG-compressed entries (Windows Vista and later read them at every size)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in pngs.items():
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    return header + entries + blobs


def main() -> None:
    _app = QGuiApplication([])
    renderer = QSvgRenderer(str(HERE / "centrale.svg"))
    pngs = {size: render(renderer, size) for size in SIZES}
    for size, png in pngs.items():
        (HERE / f"centrale-{size}.png").write_bytes(png)
    (HERE / "centrale.ico").write_bytes(ico({size: pngs[size] for size in ICO_SIZES}))


if __name__ == "__main__":
    main()
