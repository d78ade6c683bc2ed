"""Telephony fixtures: a Kamailio per module, the operator's softphone in a subprocess per test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kamailio import Kamailio
from tests.support.sip_peers import OperatorProcess

OPERATOR_PASSWORD = "mot-de-passe-operateur"  # throw-away test account
SUBSCRIBERS = {"operateur": OPERATOR_PASSWORD, "tiers": "mot-de-passe-tiers"}
DIRECTORY = {
    "+33761717229": [
        {"kind": "professional", "id": "pro-1", "display_name": "Claire Martin", "detail": "Infirmière, Lyon"}
    ],
    "+33145678912": [
        {"kind": "professional", "id": "pro-2", "display_name": "Paul Durand", "detail": "Médecin"},
        {"kind": "professional", "id": "pro-3", "display_name": "Anne Durand", "detail": "Kinésithérapeute"},
    ],
}


@pytest.fixture(scope="module")
def kamailio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    server = Kamailio(tmp_path_factory.mktemp("kamailio"), SUBSCRIBERS)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def account(kamailio: Kamailio, expires: int = 60) -> dict[str, object]:
    return {
        "uri": kamailio.uri("operateur"),
        "registrar": f"sip:{kamailio.domain}",
        "username": "operateur",
        "expires_seconds": expires,
    }


@pytest.fixture
def phone_directory(tmp_path: Path) -> Path:
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(DIRECTORY), encoding="utf-8")
    return path


@pytest.fixture
def operator(tmp_path: Path, phone_directory: Path) -> Iterator[OperatorProcess]:
    """The operator's softphone (tone 440 Hz instead of a microphone, received audio recorded)."""
    process = OperatorProcess(tmp_path, phone_directory=phone_directory, tone=440, record=True)
    try:
        yield process
    finally:
        process.quit()


@pytest.fixture
def registered(operator: OperatorProcess, kamailio: Kamailio) -> OperatorProcess:
    operator.command("register", account=account(kamailio), password=OPERATOR_PASSWORD)
    operator.wait_for("RegistrationChanged", status="registered")
    return operator
