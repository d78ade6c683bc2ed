"""A real pcscd with the vpcd driver for the whole card test session, and emulated cards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pcsc import CardSlots, PcscDaemon, PcscdUnavailable, required


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscDaemon]:
    daemon = PcscDaemon(tmp_path_factory.mktemp("pcscd"))
    try:
        daemon.start()
    except PcscdUnavailable as exc:
        if required():
            pytest.fail(f"CI exige pcscd et vsmartcard-vpcd : {exc}")
        pytest.skip(str(exc))
    yield daemon
    daemon.stop()


@pytest.fixture
def slots(pcscd: PcscDaemon) -> Iterator[CardSlots]:
    if pcscd.process is None:  # a test stopped it on purpose
        pcscd.start()
    cards = CardSlots(pcscd)
    yield cards
    cards.remove_all()
