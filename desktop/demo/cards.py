"""The demo's cards (`centrale --demo`): our emulator in the vpcd reader of the local pcscd.

A Carte Vitale of a family of three — the insured mother and father are new patients, their son
LE GOFF Yann is a patient of the demo data (server/demo_data.py, same identity and NIR) — and
the CPS of a demo doctor of the directory (pro01, BERNARD Julien). Each goes into its own vpcd
slot when the operator asks (a demo toolbar action), and comes out on the second press.

pcscd: a running one (system service, socket activation) is used when it shows the vpcd readers;
otherwise, as root with pcscd and vsmartcard-vpcd installed, a private one is started with its own
reader.conf (two free TCP ports) and stopped with the demo. Nothing here imports Qt.

The demo is PC/SC by nature (cards in pcscd's vpcd reader, a private pcscd): this module imports
``cardreader.pcsc`` and the emulator's pcscd, the one desktop module besides the composition root
allowed to (``tests/support/import_rules.py``); only ``desktop/app.py`` builds ``DemoCards``, for
``--demo``, and hands it to the application.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Any

from cardreader.emulator.pcscd import READER_NAME, PcscdUnavailable, PrivatePcscd, vpcd_registration
from cardreader.emulator.profiles import build_profile
from cardreader.emulator.vpcd import DEFAULT_PORT, VpcdCardSession
from cardreader.errors import CardReadError
from cardreader.pcsc import list_readers
from shared.validation import nir_key

log = logging.getLogger(__name__)

VITALE_SLOT = 0
CPS_SLOT = 1
# The « Démonstration » toolbar's actions (desktop/ui/demo_cards.py): insert or pull out each card.
LABELS = {
    VITALE_SLOT: ("Insérer la carte Vitale de démonstration", "Retirer la carte Vitale de démonstration"),
    CPS_SLOT: ("Insérer la carte CPS de démonstration", "Retirer la carte CPS de démonstration"),
}
SHORTCUTS = {VITALE_SLOT: "Ctrl+Shift+V", CPS_SLOT: "Ctrl+Shift+C"}
KEY_NAMES = {VITALE_SLOT: "Ctrl+Maj+V", CPS_SLOT: "Ctrl+Maj+C"}  # as a French keyboard names them


def action_text(slot: int, inserted: bool) -> str:
    """« Retirer la carte Vitale de démonstration (Ctrl+Maj+V) » once it is in the reader."""
    return f"{LABELS[slot][1 if inserted else 0]} ({KEY_NAMES[slot]})"


def _nir(sex: int, born: date, department: str, commune: str, order: int) -> str:
    body = f"{sex}{born.year % 100:02d}{born.month:02d}{department}{commune}{order:03d}"
    return f"{body}{nir_key(body):02d}"


def _rpps(n: int) -> str:
    """A demo RPPS (server/demo_data.py ``demo_rpps``: 1999…, Luhn key)."""
    body = f"1999{n:06d}"
    total = 0
    for i, char in enumerate(reversed(body)):
        digit = int(char) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


# LE GOFF Yann (born 05/04/2015 in Brétigny-sur-Orge, 91103) is the demo data's sixth patient:
# NIR order 100 + 5. His parents are not in the demo data: « Ce patient n'est pas enregistré ».
DEMO_FAMILY: list[dict[str, str]] = [
    {
        "last_name": "LE GOFF",
        "first_name": "Maëlle",
        "birth_date": "19860917",
        "nationality": "FR",
        "nir": _nir(2, date(1986, 9, 17), "91", "103", 412),
    },
    {
        "last_name": "LE GOFF",
        "first_name": "Erwan",
        "birth_date": "19840302",
        "nationality": "FR",
        "nir": _nir(1, date(1984, 3, 2), "29", "019", 87),
    },
    {
        "last_name": "LE GOFF",
        "first_name": "Yann",
        "birth_date": "20150405",
        "nationality": "FR",
        "nir": _nir(1, date(2015, 4, 5), "91", "103", 105),
    },
]
# pro01 of the demo data: LAST_NAMES[1], FIRST_NAMES[7], a doctor (profession 10).
DEMO_DOCTOR = {
    "last_name": "BERNARD",
    "first_name": "Julien",
    "national_id": "8" + _rpps(1),
    "profession_code": "10",
}


def demo_vitale_profile() -> dict[str, Any]:
    return {"type": "vitale2", "beneficiaries": [dict(item) for item in DEMO_FAMILY]}


def demo_cps_profile() -> dict[str, Any]:
    return {"type": "cps3", "holder": dict(DEMO_DOCTOR)}


class DemoCardUnavailable(RuntimeError):
    """Why the demo cannot insert cards (French, for the terminal)."""


def vpcd_port() -> int:
    """Slot 0's TCP port as registered by vsmartcard-vpcd (CHANNELID, default 35963)."""
    registered = vpcd_registration("CHANNELID")
    if registered:
        with suppress(ValueError):
            return int(registered, 0)
    return DEFAULT_PORT


def _vpcd_readers() -> list[str] | None:
    """The vpcd readers of the running pcscd; None when no pcscd answers."""
    try:
        return [name for name in list_readers() if name.startswith(READER_NAME)]
    except CardReadError:
        return None


class DemoCards:
    """The demo's two cards and the pcscd they go into; ``stop()`` pulls them and ends our pcscd."""

    def __init__(self, port: int, pcscd: PrivatePcscd | None = None) -> None:
        self.port = port  # slot 0; slot 1 is port + 1
        self.pcscd = pcscd  # None: the system's pcscd, left running
        self._sessions: dict[int, VpcdCardSession] = {}

    @classmethod
    def start(cls, directory: Path, timeout: float = 10.0, port: int | None = None) -> DemoCards:
        """Use the running pcscd's vpcd reader (slot 0 on ``port``, default: the registered
        CHANNELID), else start a private pcscd (root only)."""
        readers = _vpcd_readers()
        if readers:
            return cls(port or vpcd_port())
        if readers is not None:
            raise DemoCardUnavailable("le pcscd en service n'a pas le lecteur virtuel vpcd (vsmartcard-vpcd)")
        pcscd = PrivatePcscd(directory)
        try:
            pcscd.start(timeout)
        except PcscdUnavailable as exc:
            raise DemoCardUnavailable(str(exc)) from exc
        return cls(pcscd.port, pcscd)

    @classmethod
    def start_if_possible(cls, directory: Path) -> DemoCards | None:
        """``start``, or None with the reason in the log (the demo goes on without cards)."""
        try:
            return cls.start(directory)
        except (DemoCardUnavailable, OSError) as exc:
            log.warning("cartes de démonstration indisponibles : %s", exc)
            return None

    def inserted(self, slot: int) -> bool:
        session = self._sessions.get(slot)
        return session is not None and session.connected.is_set()

    def insert(self, slot: int) -> None:
        if self.inserted(slot):
            return
        self._sessions.pop(slot, None)
        profile = demo_vitale_profile() if slot == VITALE_SLOT else demo_cps_profile()
        built = build_profile(profile)
        session = VpcdCardSession(built.card, port=self.port + slot)
        session.insert(timeout=2.0)
        self._sessions[slot] = session

    def remove(self, slot: int) -> None:
        session = self._sessions.pop(slot, None)
        if session is not None:
            session.remove()

    def toggle(self, slot: int) -> bool:
        """Insert the card, or pull it out; returns True when it is now in the reader."""
        if self.inserted(slot):
            self.remove(slot)
            return False
        self.insert(slot)
        return True

    def stop(self) -> None:
        for slot in list(self._sessions):
            self.remove(slot)
        pcscd, self.pcscd = self.pcscd, None
        if pcscd is not None:
            pcscd.stop()
