"""The desktop's real softphone in the GUI tests: the application's own pieces (SoftphoneService on the
demo plan, PhoneBinding, the main window) in the pytest process, callers in second processes.

pjsua2 allows one Endpoint per process *at a time*: each test starts its softphone on its own qasync
loop and stops it (``libDestroy``) at its end; a new Endpoint is then created by the next test
(docs/telephony.md « Softphone in the desktop »). Callers and transfer targets are
``python -m telephony.cli call|listen --json`` processes (``tests.support.sip_peers``).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from desktop.app import pjsua2_softphone
from desktop.demo.calls import DemoCalls, direct_uri
from desktop.services.softphone import SoftphoneService, demo_plan
from desktop.state.wizard.wizard import Step, Wizard
from desktop.ui.main_window import MainWindow
from desktop.ui.phone_binding import PhoneBinding
from tests.support.desktop import EVRY
from tests.support.gui import close_main_window, open_main_window
from tests.support.live import unique_name, unique_phone
from tests.support.sip_peers import JsonLinesProcess, centrale_phone


@dataclass
class PhoneDesk:
    main: MainWindow
    binding: PhoneBinding
    service: SoftphoneService
    username: str
    directory: Path

    @property
    def uri(self) -> str:
        return direct_uri(self.username, self.service.local_port)

    def caller(
        self, name: str, number: str, *, duration: float = 30.0, extra: tuple[str, ...] = ()
    ) -> JsonLinesProcess:
        """A second process calling this desktop from ``number`` (its events as JSON lines)."""
        return centrale_phone(
            self.directory, name, "call", self.uri, "--from-user", number.replace(" ", ""),
            "--display-name", f"Appelant {name}", "--duration", f"{duration:g}", *extra,
        )  # fmt: skip


@asynccontextmanager
async def phone_desk(
    base_url: str, username: str, password: str, directory: Path, *, demo_calls: DemoCalls | None = None
) -> AsyncIterator[PhoneDesk]:
    """The main window with the application's real softphone (direct calls on a free loopback port,
    null audio), started as the application does and stopped at the end (Endpoint destroyed)."""
    service = SoftphoneService(demo_plan(username, null_audio=True), pjsua2_softphone)
    softphone = service.create()
    assert softphone is not None, service.status
    main = await open_main_window(base_url, username, password, directory, softphone)
    binding = PhoneBinding(main, main.status, service, demo_calls)
    try:
        await binding.start()
        assert service.started, service.status
        yield PhoneDesk(main, binding, service, username, directory)
    finally:
        await binding.stop()
        await close_main_window(main)


async def event(process: JsonLinesProcess, name: str, timeout: float = 15.0, **fields: Any) -> dict[str, Any]:
    """``process.wait_for`` off the loop (it blocks): Qt and the softphone's events go on meanwhile."""
    return await asyncio.to_thread(process.wait_for, name, timeout, 0, **fields)


def fill_new_patient_case(wizard: Wizard, comment: str = "Pansement après appel") -> None:
    """From « Appelant » (filled by the call) to a complete « Qualification », for a new patient."""
    assert wizard.next(), wizard.errors
    search = wizard.search
    search.phone, search.last_name, search.first_name = unique_phone(), unique_name("PATIENT"), "Hélène"
    search.birth_date = date(1940 + secrets.randbelow(60), 5, 17).strftime("%d/%m/%Y")
    wizard.choose_new_patient()
    assert wizard.next(), wizard.errors
    wizard.set_field(Step.PATIENT, "sex", "F")
    wizard.set_field(Step.PATIENT, "address_line", "12 rue des Lilas")
    wizard.patient.choose_commune(EVRY)
    assert wizard.next(), wizard.errors
    assert wizard.next(), wizard.errors
    for name, value in (
        ("profession_code", "60"),
        ("care_type", "Pansement"),
        ("care_mode", "visit"),
        ("intervention_delay_minutes", "60"),
        ("response_delay_minutes", "30"),
        ("comment", comment),
    ):
        wizard.set_prescription_field(0, name, value)
