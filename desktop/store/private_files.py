"""The workstation's local files are the operator's alone: the data directory ``0700``, every file
in it ``0600`` — created so (never readable by others, not even for an instant) and tightened at
start when an older release, a copy or a restore left them looser.

SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file, so a database created
here ``0600`` keeps its companions ``0600`` too. On Windows the modes mean nothing: the data
directory is under the user's profile (``%LOCALAPPDATA%``), which its ACL already keeps private.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
_POSIX = os.name == "posix"


def private_directory(folder: Path) -> Path:
    """``folder`` created ``0700`` (its parents as usual), or tightened to it, with every file in it
    tightened to ``0600``; returns ``folder``."""
    folder.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    if _POSIX:
        _tighten(folder, DIRECTORY_MODE)
        for entry in folder.iterdir():
            if entry.is_file() and not entry.is_symlink():
                _tighten(entry, FILE_MODE)
    return folder


def private_file(path: Path) -> Path:
    """``path`` created empty ``0600`` if missing (SQLite takes an empty file as a new database),
    or tightened to ``0600``; its directory made private first."""
    private_directory(path.parent)
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(descriptor)
    if _POSIX:
        _tighten(path, FILE_MODE)
    return path


def _tighten(path: Path, wanted: int) -> None:
    current = stat.S_IMODE(path.lstat().st_mode)
    if current & ~wanted:  # looser than wanted (never loosened: a stricter mode is kept)
        log.warning("%s was readable by others (mode %o): tightened to %o", path, current, wanted)
        path.chmod(current & wanted)
