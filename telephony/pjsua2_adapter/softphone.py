"""``Pjsua2Softphone``: the asyncio face of the pjsua2 thread, implementing ``telephony.api.Softphone``.

Each command is queued to the pjsua2 thread and awaited; events come back through
``loop.call_soon_threadsafe`` and reach the listeners on the loop that called ``start``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import pjsua2 as pj

from telephony.api import AudioDevice, Listener, PhoneError, RejectCode
from telephony.config import PhoneConfig, SipAccount
from telephony.events import PhoneEvent
from telephony.pjsua2_adapter.engine import EndpointBusy, Engine
from telephony.pjsua2_adapter.phone import Phone

log = logging.getLogger(__name__)
T = TypeVar("T")


class Pjsua2Softphone:
    def __init__(self, config: PhoneConfig | None = None) -> None:
        self.config = config or PhoneConfig()
        self._listeners: list[Listener] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._engine: Engine | None = None
        self._phone: Phone | None = None
        self._devices: list[AudioDevice] = []

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    @property
    def local_port(self) -> int:
        """The UDP port the SIP transport is bound to (useful with ``port=0``)."""
        return self._engine.local_port if self._engine else 0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        engine = Engine(self.config, self._from_pjsua2_thread)
        phone = Phone(engine)

        def setup() -> None:
            phone.setup()
            assert phone.audio is not None
            self._devices = phone.audio.devices()

        try:
            await loop.run_in_executor(None, engine.start, setup)
        except pj.Error as exc:
            raise PhoneError(f"Le téléphone n'a pas pu démarrer : {exc.info()}") from None
        except (ValueError, EndpointBusy) as exc:  # an unknown audio device, a second Endpoint (French)
            raise PhoneError(f"Le téléphone n'a pas pu démarrer : {exc}") from None
        self._engine, self._phone = engine, phone

    async def stop(self) -> None:
        engine, self._engine, self._phone = self._engine, None, None
        if engine is not None and self._loop is not None:
            await self._loop.run_in_executor(None, engine.stop)

    def audio_devices(self) -> list[AudioDevice]:
        return list(self._devices)

    def _from_pjsua2_thread(self, event: PhoneEvent) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._dispatch, event)

    def _dispatch(self, event: PhoneEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("listener failed on %s", type(event).__name__)

    async def _run(self, command: Callable[[Phone], T]) -> T:
        engine, phone = self._engine, self._phone
        if engine is None or phone is None:
            raise PhoneError("Le téléphone n'est pas démarré")
        try:
            result: T = await asyncio.wrap_future(engine.submit(lambda: command(phone)))
        except pj.Error as exc:
            raise PhoneError(f"Commande refusée par la pile SIP : {exc.info()}") from None
        return result

    # ---- commands -------------------------------------------------------------------------
    async def register(self, account: SipAccount, password: str) -> None:
        await self._run(lambda p: p.register(account, password))

    async def unregister(self) -> None:
        await self._run(lambda p: p.registration.unregister())

    async def network_changed(self) -> None:
        await self._run(lambda p: p.registration.network_changed())

    async def answer(self, call_id: int) -> None:
        await self._run(lambda p: p.answer(call_id))

    async def reject(self, call_id: int, code: RejectCode = RejectCode.BUSY) -> None:
        await self._run(lambda p: p.reject(call_id, code))

    async def hang_up(self, call_id: int) -> None:
        await self._run(lambda p: p.hang_up(call_id))

    async def hold(self, call_id: int) -> None:
        await self._run(lambda p: p.hold(call_id))

    async def unhold(self, call_id: int) -> None:
        await self._run(lambda p: p.unhold(call_id))

    async def set_muted(self, call_id: int, muted: bool) -> None:
        await self._run(lambda p: p.set_muted(call_id, muted))

    async def send_dtmf(self, call_id: int, digits: str) -> None:
        await self._run(lambda p: p.send_dtmf(call_id, digits))

    async def transfer(self, call_id: int, destination: str) -> None:
        await self._run(lambda p: p.transfer(call_id, destination))

    async def call(self, destination: str) -> int:
        result: Any = await self._run(lambda p: p.call(destination))
        return int(result)
