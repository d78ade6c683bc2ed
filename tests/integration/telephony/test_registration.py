"""Registration against a real Kamailio: digest auth, refusal, unreachable and restarted registrar."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from tests.integration.telephony.conftest import OPERATOR_PASSWORD, account
from tests.support.kamailio import Kamailio, free_udp_port
from tests.support.sip_peers import OperatorProcess, centrale_phone


def test_registers_with_digest_auth_then_unregisters(operator: OperatorProcess, kamailio: Kamailio) -> None:
    operator.command("register", account=account(kamailio), password=OPERATOR_PASSWORD)
    done = operator.wait_for("RegistrationChanged", status="registered")
    assert done["code"] == 200
    assert "Connecté" in done["message"]
    mark = operator.mark()
    operator.command("unregister")
    assert operator.wait_for("RegistrationChanged", after=mark, status="unregistered")["code"] == 200


def test_a_wrong_password_is_refused_and_reported(operator: OperatorProcess, kamailio: Kamailio) -> None:
    operator.command("register", account=account(kamailio), password="pas-le-bon")
    refused = operator.wait_for("RegistrationChanged", status="auth_failed")
    assert refused["code"] in (401, 403)
    assert "mot de passe" in refused["message"]
    assert not operator.find("RegistrationChanged", status="registered")
    assert "pas-le-bon" not in operator.log_tail()


def test_the_cli_registers_and_fails_on_a_wrong_password(tmp_path: Path, kamailio: Kamailio) -> None:
    base = ["register", "--uri", kamailio.uri("operateur"), "--registrar", f"sip:{kamailio.domain}",
            "--user", "operateur", "--password-env", "TEST_SIP_PASSWORD", "--once"]  # fmt: skip
    os.environ["TEST_SIP_PASSWORD"] = OPERATOR_PASSWORD
    try:
        good = centrale_phone(tmp_path, "cli-good", *base)
        assert good.wait_exit() == 0
        assert good.find("RegistrationChanged", status="registered")
        os.environ["TEST_SIP_PASSWORD"] = "faux"
        bad = centrale_phone(tmp_path, "cli-bad", *base)
        assert bad.wait_exit() == 1
        assert bad.find("RegistrationChanged", status="auth_failed")
    finally:
        del os.environ["TEST_SIP_PASSWORD"]


def test_an_unreachable_registrar_is_reported_then_joined_when_it_starts(
    operator: OperatorProcess, tmp_path: Path
) -> None:
    late = Kamailio(tmp_path / "late", {"operateur": OPERATOR_PASSWORD}, port=free_udp_port())
    (tmp_path / "late").mkdir()
    operator.command("register", account=account(late), password=OPERATOR_PASSWORD)
    status = operator.wait_for("RegistrationChanged", timeout=8, status="retrying")
    assert "injoignable" in status["message"]
    late.start()
    try:
        operator.wait_for("RegistrationChanged", timeout=15, status="registered")
    finally:
        late.stop()


def test_a_restarted_registrar_gets_the_registration_back(operator: OperatorProcess, tmp_path: Path) -> None:
    (tmp_path / "pbx").mkdir()
    pbx = Kamailio(tmp_path / "pbx", {"operateur": OPERATOR_PASSWORD}, port=free_udp_port())
    pbx.start()
    try:
        operator.command("register", account=account(pbx, expires=4), password=OPERATOR_PASSWORD)
        operator.wait_for("RegistrationChanged", status="registered")
        pbx.stop()  # a crash: the registrar forgets every location
        mark = operator.mark()
        lost = operator.wait_for("RegistrationChanged", timeout=15, after=mark, status="retrying")
        assert "hors service" in lost["message"]
        pbx.start()
        mark = operator.mark()
        operator.wait_for("RegistrationChanged", timeout=20, after=mark, status="registered")
        assert pbx.has_location("operateur")
    finally:
        pbx.stop()


def test_a_network_change_re_registers(operator: OperatorProcess, kamailio: Kamailio) -> None:
    operator.command("register", account=account(kamailio), password=OPERATOR_PASSWORD)
    operator.wait_for("RegistrationChanged", status="registered")
    mark = operator.mark()
    started = time.monotonic()
    operator.command("network_changed")
    operator.wait_for("RegistrationChanged", after=mark, status="registering")
    operator.wait_for("RegistrationChanged", after=mark, status="registered")
    assert time.monotonic() - started < 8


def test_a_busy_sip_port_is_a_clear_start_up_error(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        peer = centrale_phone(tmp_path, "busy", "listen", "--port", str(port))
        assert peer.wait_exit() == 2
    assert "centrale-phone : Le téléphone n'a pas pu démarrer" in peer.log_tail()
    assert "Address already in use" in peer.log_tail()


def test_a_registrar_restarted_at_once_gets_the_registration_back_at_the_next_refresh(
    operator: OperatorProcess, tmp_path: Path
) -> None:
    (tmp_path / "pbx").mkdir()
    pbx = Kamailio(tmp_path / "pbx", {"operateur": OPERATOR_PASSWORD}, port=free_udp_port())
    pbx.start()
    try:
        operator.command("register", account=account(pbx, expires=4), password=OPERATOR_PASSWORD)
        operator.wait_for("RegistrationChanged", status="registered")
        assert pbx.has_location("operateur")
        pbx.restart()
        assert not pbx.has_location("operateur")  # the new registrar knows nobody
        deadline = time.monotonic() + 8
        while not pbx.has_location("operateur") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert pbx.has_location("operateur")
    finally:
        pbx.stop()
