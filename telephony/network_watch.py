"""Detects a change of the local address used to reach the registrar (pjsua2-free).

Connecting a UDP socket sends nothing; it only asks the kernel which source address it would use,
which changes when Wi-Fi, a VPN or a cable comes or goes.
"""

from __future__ import annotations

import socket
from collections.abc import Callable


def source_address_towards(host: str, port: int = 5060) -> str | None:
    """Local IP address the kernel would use to reach ``host``; None when there is no route."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((host, port))
            return str(probe.getsockname()[0])
    except OSError:
        return None


class AddressWatch:
    """Call ``check()`` now and then; it returns True once per change of the local address."""

    def __init__(self, probe: Callable[[], str | None]) -> None:
        self._probe = probe
        self._last = probe()

    @property
    def address(self) -> str | None:
        return self._last

    def check(self) -> bool:
        current = self._probe()
        changed = current != self._last
        self._last = current
        return changed
