"""``FakeSoftphone``: ``telephony.api.Softphone`` without pjsua2, for the tests and the screenshots.

It is a recorder, not a simulator. Every command is appended to ``commands`` as a tuple (its name,
then its arguments: ``("answer", 1)``, ``("register", uri)``) and returns at once; nothing
happens on the network and no event follows by itself. The test (or a demo) plays the far end
with ``emit(event)``, which calls the listeners synchronously, in the order they were added (the
real adapter calls them on the loop that called ``start``). A command named in ``refuse`` raises
``PhoneError`` instead, as pjsua2 refusing it would, and is not recorded. Unlike the real adapter
it needs no ``start()`` before a command: a test of one workflow need not start anything.
"""

from __future__ import annotations

from telephony.api import AudioDevice, Listener, PhoneError, RejectCode
from telephony.config import SipAccount
from telephony.events import PhoneEvent

FAKE_CALL_ID = 99  # what ``call`` returns


class FakeSoftphone:
    def __init__(self) -> None:
        self.listeners: list[Listener] = []
        self.commands: list[tuple[object, ...]] = []
        self.refuse: set[str] = set()  # command names that raise PhoneError

    def emit(self, event: PhoneEvent) -> None:
        for listener in self.listeners:
            listener(event)

    def _do(self, name: str, *args: object) -> None:
        if name in self.refuse:
            raise PhoneError(f"Commande refusée : {name}")
        self.commands.append((name, *args))

    def add_listener(self, listener: Listener) -> None:
        self.listeners.append(listener)

    async def start(self) -> None:
        self._do("start")

    async def stop(self) -> None:
        self._do("stop")

    def audio_devices(self) -> list[AudioDevice]:
        return [AudioDevice("null", "null", 1, 1)]

    async def register(self, account: SipAccount, password: str) -> None:
        self._do("register", account.uri)

    async def unregister(self) -> None:
        self._do("unregister")

    async def network_changed(self) -> None:
        self._do("network_changed")

    async def answer(self, call_id: int) -> None:
        self._do("answer", call_id)

    async def reject(self, call_id: int, code: RejectCode = RejectCode.BUSY) -> None:
        self._do("reject", call_id, code)

    async def hang_up(self, call_id: int) -> None:
        self._do("hang_up", call_id)

    async def hold(self, call_id: int) -> None:
        self._do("hold", call_id)

    async def unhold(self, call_id: int) -> None:
        self._do("unhold", call_id)

    async def set_muted(self, call_id: int, muted: bool) -> None:
        self._do("set_muted", call_id, muted)

    async def send_dtmf(self, call_id: int, digits: str) -> None:
        self._do("send_dtmf", call_id, digits)

    async def transfer(self, call_id: int, destination: str) -> None:
        self._do("transfer", call_id, destination)

    async def call(self, destination: str) -> int:
        self._do("call", destination)
        return FAKE_CALL_ID
