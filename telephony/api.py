"""What the desktop needs from a softphone; the pjsua2 adapter and any fake implement it.

Commands are coroutines; they raise ``PhoneError`` (with a French message) when pjsua2 refuses.
Events are delivered to listeners on the asyncio loop that called ``start``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from telephony.config import SipAccount
from telephony.events import PhoneEvent

Listener = Callable[[PhoneEvent], None]


class RejectCode(enum.IntEnum):
    BUSY = 486  # Busy Here: the PBX may try another operator
    DECLINE = 603  # Decline: refused everywhere


class PhoneError(RuntimeError):
    """A command the softphone could not carry out; ``str()`` is French for the operator."""


@dataclass(frozen=True, slots=True)
class AudioDevice:
    name: str
    driver: str
    inputs: int
    outputs: int


class Softphone(Protocol):
    def add_listener(self, listener: Listener) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def audio_devices(self) -> list[AudioDevice]: ...

    async def register(self, account: SipAccount, password: str) -> None: ...

    async def unregister(self) -> None: ...

    async def network_changed(self) -> None:
        """The machine's address changed (Wi-Fi, VPN, cable): rebind and re-register."""

    async def answer(self, call_id: int) -> None: ...

    async def reject(self, call_id: int, code: RejectCode = RejectCode.BUSY) -> None: ...

    async def hang_up(self, call_id: int) -> None: ...

    async def hold(self, call_id: int) -> None: ...

    async def unhold(self, call_id: int) -> None: ...

    async def set_muted(self, call_id: int, muted: bool) -> None: ...

    async def send_dtmf(self, call_id: int, digits: str) -> None: ...

    async def transfer(self, call_id: int, destination: str) -> None:
        """Blind transfer (REFER); progress comes as ``TransferProgress`` events."""

    async def call(self, destination: str) -> int:
        """Click-to-call a SIP URI or a phone number; returns the new call id."""
