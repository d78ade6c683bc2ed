"""The adapters the desktop runs on, as its composition root (``desktop/app.py``) chose them.

Nothing else in the desktop builds an adapter or knows which one it has: the softphone is a
``telephony.api.Softphone``, the card reader a ``cardreader.api.CardReader``. ``desktop.app``
gives the real ones (pjsua2, PC/SC) or the fakes (``fake_adapters``); the application builds each
once, after the login (``desktop/ui/application.py``), and hands it down: the softphone to the
session, the card reader to the main window's ``CardBinding``, whose reader also lists the readers
of « Paramètres ». A factory may raise ``ImportError`` (pjsua2 or pyscard missing on this
workstation): the desktop then works without that part and says so.

Imported before the login window: the adapters' modules are named for the type checker only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cardreader.api import CardReader
    from desktop.services.softphone import SoftphoneFactory

    CardReaderFactory = Callable[[], CardReader]


@dataclass(frozen=True, slots=True)
class Adapters:
    """What to build the softphone and the card reader with; None: this desktop has none (tests)."""

    softphone: SoftphoneFactory | None = None
    card_reader: CardReaderFactory | None = None
