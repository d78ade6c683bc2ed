"""The card reader's adapters behind ``cardreader.api.CardReader``: the same members everywhere,
and pyscard loaded by the PC/SC adapter only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cardreader.api import CardReader
from cardreader.fake import FakeCardReader
from cardreader.pcsc import CardWatcher, PcscCardReader
from cardreader.service import CardService
from tests.support.protocol_check import protocol_methods, signature_mismatches

ROOT = Path(__file__).resolve().parents[3]


def test_every_adapter_is_a_card_reader() -> None:
    readers: list[CardReader] = [PcscCardReader(), FakeCardReader(), CardService()]  # mypy: conformance
    assert len(readers) == 3


@pytest.mark.parametrize("adapter", [PcscCardReader, FakeCardReader, CardService])
def test_the_adapters_declare_the_protocol_exactly(adapter: type) -> None:
    assert "list_readers" in protocol_methods(CardReader)
    assert signature_mismatches(CardReader, adapter) == []


def test_importing_the_api_the_service_and_the_fake_does_not_load_pyscard() -> None:
    code = (
        "import sys\n"
        "import cardreader.api, cardreader.events, cardreader.service, cardreader.fake\n"
        "cardreader.service.CardService(); cardreader.fake.FakeCardReader()\n"
        "assert 'smartcard' not in sys.modules, sorted(m for m in sys.modules if m.startswith('smartcard'))\n"
        "import cardreader.pcsc\n"
        "assert 'smartcard' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_a_bare_card_service_still_reads_through_pcsc() -> None:
    """The desktop's ``CardService()`` from before the adapters: PC/SC, pyscard loaded at start."""
    watcher = CardService(poll_ms=123)._new_watcher(lambda event: None)
    assert isinstance(watcher, CardWatcher)
    assert isinstance(PcscCardReader()._new_watcher(lambda event: None), CardWatcher)
