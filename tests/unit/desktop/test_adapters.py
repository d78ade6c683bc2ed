"""The composition root (desktop/app.py) chooses the adapters: the real ones build pjsua2's
softphone and the PC/SC reader, the fakes the recorders; loading desktop.app loads neither."""

from __future__ import annotations

import subprocess
import sys

from cardreader.fake import FakeCardReader
from desktop.adapters import Adapters
from desktop.app import fake_adapters, pcsc_card_reader, pjsua2_softphone, real_adapters
from desktop.services.softphone import demo_plan
from telephony.fake import FakeSoftphone


def test_the_real_adapters_are_pjsua2_and_pcsc() -> None:
    from cardreader.pcsc import PcscCardReader
    from telephony.pjsua2_adapter import Pjsua2Softphone

    adapters = real_adapters()
    assert (adapters.softphone, adapters.card_reader) == (pjsua2_softphone, pcsc_card_reader)
    config = demo_plan("operateur").config
    assert config is not None
    phone = pjsua2_softphone(config)  # nothing started: no Endpoint in this process
    assert isinstance(phone, Pjsua2Softphone)
    assert phone.config is config
    assert isinstance(pcsc_card_reader(), PcscCardReader)  # built, not started


def test_the_fakes_and_no_adapters_at_all() -> None:
    adapters = fake_adapters()
    assert adapters.softphone is not None
    assert adapters.card_reader is not None
    config = demo_plan("operateur").config
    assert config is not None
    assert isinstance(adapters.softphone(config), FakeSoftphone)
    assert isinstance(adapters.card_reader(), FakeCardReader)
    assert Adapters() == Adapters(softphone=None, card_reader=None)  # what tests get by default


def test_loading_the_composition_root_loads_no_adapter() -> None:
    heavy = ("pjsua2", "smartcard", "PySide6", "cardreader.events")
    probe = f"import sys, desktop.app, desktop.adapters\nprint([m for m in {heavy!r} if m in sys.modules])\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
