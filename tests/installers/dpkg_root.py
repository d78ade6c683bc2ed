"""A private dpkg root: packages installed into a folder with their own database, never the host.

Its status file starts as a copy of the host's, so that ``Depends`` are checked for real against
what this machine has installed (libpcsclite1, the xcb libraries…); nothing else of the host is
touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

HOST_ADMIN = Path("/var/lib/dpkg")


class DpkgRoot:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.admin = path / "var" / "lib" / "dpkg"
        for sub in ("info", "updates", "triggers", "alternatives"):
            (self.admin / sub).mkdir(parents=True, exist_ok=True)
        shutil.copy(HOST_ADMIN / "status", self.admin / "status")
        (self.admin / "available").touch()
        if (HOST_ADMIN / "arch").exists():
            shutil.copy(HOST_ADMIN / "arch", self.admin / "arch")
        self.env = {**os.environ, "PATH": f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin"}

    def dpkg(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["dpkg", f"--root={self.path}", f"--log={self.path / 'dpkg.log'}", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def installed_version(self, package: str) -> str | None:
        result = subprocess.run(
            ["dpkg-query", f"--admindir={self.admin}", "-W", "-f=${Status} ${Version}", package],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0 or not result.stdout.startswith("install ok installed"):
            return None
        return result.stdout.rsplit(" ", 1)[1]

    def files_outside_the_database(self) -> list[str]:
        """Every file or link left in the root, but dpkg's own database and log."""
        return sorted(
            entry.relative_to(self.path).as_posix()
            for entry in self.path.rglob("*")
            if not entry.is_dir() and not entry.is_relative_to(self.admin) and entry != self.path / "dpkg.log"
        )
