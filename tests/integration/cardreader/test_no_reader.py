"""A running pcscd without any reader: « Aucun lecteur de cartes n'est branché »."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cardreader.errors import CardErrorCode, CardReadError
from cardreader.events import CardEvent
from cardreader.pcsc import CardWatcher, list_readers, read_once
from tests.support.pcsc import PcscDaemon


def test_pcscd_without_reader(pcscd: PcscDaemon, tmp_path: Path) -> None:
    pcscd.stop()
    bare = PcscDaemon(tmp_path, with_vpcd=False)
    bare.start()
    try:
        assert list_readers() == []
        with pytest.raises(CardReadError) as caught:
            read_once()
        assert caught.value.code is CardErrorCode.NO_READER
        done = subprocess.run(
            [sys.executable, "-m", "cardreader.cli", "read", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 1
        assert json.loads(done.stdout) == {
            "error": "no_reader",
            "message": "Aucun lecteur de cartes n'est branché",
        }
        events: list[CardEvent] = []
        watcher = CardWatcher(events.append, poll_ms=100)
        watcher.start()
        time.sleep(0.5)
        watcher.stop()
        assert events == []
    finally:
        bare.stop()
        pcscd.start()
