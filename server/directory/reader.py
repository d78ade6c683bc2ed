"""Streaming the extraction: a .txt or the .zip it is published in, UTF-8 or Latin-1, line by line."""

from __future__ import annotations

import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TextIO

MEMBER_HINT = "Personne_activite"
UTF8_BOM = b"\xef\xbb\xbf"


class SourceError(Exception):
    """The file cannot be read as an extraction (message in French)."""


@dataclass
class Source:
    name: str
    size: int
    stream: IO[bytes]


@contextmanager
def open_source(path: Path, member_hint: str = MEMBER_HINT) -> Iterator[Source]:
    """The extraction's byte stream; inside a .zip, the member named like `member_hint` (by default
    ``Personne_activite``), or the only .txt."""
    if not path.is_file():
        raise SourceError(f"Fichier introuvable : {path}")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            texts = [i for i in archive.infolist() if i.filename.lower().endswith(".txt")]
            chosen = [i for i in texts if member_hint.lower() in i.filename.lower()] or texts
            if len(chosen) != 1:
                raise SourceError(f"Archive sans fichier « {member_hint} » unique : {path.name}")
            with archive.open(chosen[0]) as stream:
                yield Source(f"{path.name}:{chosen[0].filename}", chosen[0].file_size, stream)
        return
    with open(path, "rb") as stream:
        yield Source(path.name, path.stat().st_size, stream)


def detect_encoding(header: bytes) -> str:
    """UTF-8 when the header line decodes as UTF-8, else Latin-1 (its accented names tell them apart:
    « Prénom », « Libellé »)."""
    try:
        header.decode("utf-8")
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def _spaced(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")  # French thousands separator (narrow no-break space)


class Progress:
    """A progress bar on stderr: share of the bytes read, lines and lines per second (French)."""

    WIDTH = 24

    def __init__(
        self,
        total_bytes: int,
        out: TextIO | None = None,
        interval: float | None = None,
        label: str = "Import RPPS",
    ) -> None:
        self.total = max(total_bytes, 1)
        self.label = label
        self.out = out or sys.stderr
        self.live = self.out.isatty()
        self.interval = interval if interval is not None else (0.25 if self.live else 5.0)
        self.started = time.monotonic()
        self._last = self.started

    def _text(self, done_bytes: int, lines: int, now: float) -> str:
        share = min(done_bytes / self.total, 1.0)
        filled = int(share * self.WIDTH)
        rate = lines / max(now - self.started, 1e-6)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        return f"{self.label} {share:4.0%} |{bar}| {_spaced(lines)} lignes, {_spaced(round(rate))} lignes/s"

    def update(self, done_bytes: int, lines: int) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        end = "\r" if self.live else "\n"
        self.out.write(self._text(done_bytes, lines, now) + end)
        self.out.flush()

    def finish(self, lines: int) -> None:
        self.out.write(self._text(self.total, lines, time.monotonic()) + "\n")
        self.out.flush()
