"""A throw-away Kamailio on 127.0.0.1 for the tests: the shipped configuration (telephony/kamailio/)
started by its launcher, on a free UDP port.

Digest authentication of REGISTER against a db_text ``subscriber`` table; locations in memory
(usrloc db_mode 0), so a restart forgets them, exactly like a PBX restart. INVITEs are not
challenged: they stand for calls arriving from the PBX trunk. Every request-URI on this proxy is
looked up in the location table; with ``hotline`` set, INVITEs to the hotline user are distributed
by the central server (docs/hotline.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from telephony.kamailio.launcher import (
    MODULES_DIRS,
    HotlineRouting,
    KamailioProcess,
    KamailioSettings,
    binary,
    free_udp_port,
    modules_dir,
)

__all__ = [
    "MODULES_DIRS", "HotlineRouting", "Kamailio", "binary", "free_udp_port", "modules_dir", "require",
    "require_module",
]  # fmt: skip


def require(name: str, package: str) -> str:
    """The tool's path; a missing tool fails the run under CI and skips the test otherwise."""
    found = binary(name)
    if found is None:
        reason = f"{name} introuvable (paquet Debian {package} ; lancez scripts/bootstrap.sh)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def require_module(module: str, package: str) -> None:
    """Like ``require``, for a Kamailio module shipped in another Debian package."""
    if not Path(modules_dir(), f"{module}.so").exists():
        reason = (
            f"module Kamailio {module} introuvable (paquet Debian {package} ; lancez scripts/bootstrap.sh)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


class Kamailio(KamailioProcess):
    def __init__(
        self,
        directory: Path,
        subscribers: dict[str, str],
        port: int | None = None,
        hotline: HotlineRouting | None = None,
    ) -> None:
        if hotline is not None:
            require_module("http_client", "kamailio-utils-modules")
        settings = KamailioSettings(directory, subscribers, port or free_udp_port(), hotline=hotline)
        super().__init__(settings, require("kamailio", "kamailio"))
        self.subscribers = subscribers
