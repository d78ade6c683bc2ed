"""``Pjsua2Softphone``: the asyncio face of the pjsua2 thread, implementing ``telephony.api.Softphone``.

Each command is queued to the pjsua2 thread and awaited; events come back through
``loop.call_soon_threadsafe`` and reach the listeners on the loop that called ``start``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pjsua2 as pj

from telephony.api import AudioDevice, Listener, PhoneError, RejectCode
from telephony.config import PhoneConfig, SipAccount
from telephony.events import PhoneEvent
from telephony.pjsua2_adapter.engine import EndpointBusy, Engine
from telephony.pjsua2_adapter.loop_face import LoopFace
from telephony.pjsua2_adapter.phone import Phone


class Pjsua2Softphone(LoopFace[PhoneEvent, Phone]):
    def __init__(self, config: PhoneConfig | None = None) -> None:
        super().__init__("Le téléphone n'est pas démarré")
        self.config = config or PhoneConfig()
        self._devices: list[AudioDevice] = []

    def add_listener(self, listener: Listener) -> None:  # the Protocol's own signature
        super().add_listener(listener)

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
        self._engine, self._target = engine, phone

    def audio_devices(self) -> list[AudioDevice]:
        return list(self._devices)

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
