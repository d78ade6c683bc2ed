"""The card tests' fixtures, for the conftest of each folder that has card tests: a private pcscd
with the vpcd driver per test module, and emulated cards put into its slots.

Per module, not per session: pcscd 1.9 serves one socket (/run/pcscd/pcscd.comm), so a daemon
kept for the whole session by one folder's tests would make another folder's card tests fail or
skip depending on the order they run in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pcsc import CardSlots, PcscDaemon, PcscdUnavailable, required


@pytest.fixture(scope="module")
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
