"""Scripted callers (SIPp) through Kamailio: a caller who gives up, a refused call, odd identities."""

from __future__ import annotations

from pathlib import Path

from tests.integration.telephony.conftest import OPERATOR_PASSWORD, account
from tests.integration.telephony.test_calls import call_records
from tests.support.kamailio import Kamailio
from tests.support.sip_peers import OperatorProcess
from tests.support.sipp import cancel_before_answer, finish_sipp, rejected, start_sipp


def test_a_caller_who_hangs_up_before_an_answer_is_a_missed_call(
    registered: OperatorProcess, kamailio: Kamailio, tmp_path: Path
) -> None:
    scenario = cancel_before_answer('"Cabinet Dupont" <sip:0590123456@[local_ip]:[local_port]>')
    sipp = start_sipp(tmp_path, "cancel", scenario, kamailio.domain, "operateur")
    incoming = registered.wait_for("IncomingCall")
    assert incoming["caller"] == "+590590123456"  # Guadeloupe, from the national 0590 form
    assert incoming["display_name"] == "Cabinet Dupont"
    unknown = registered.wait_for("CallerIdentified", call_id=incoming["call_id"])
    assert (unknown["outcome"], unknown["candidates"]) == ("unknown", [])
    ended = registered.wait_for("CallEnded", call_id=incoming["call_id"])
    assert (ended["cause"], ended["code"], ended["duration_seconds"]) == ("missed", 487, 0.0)
    assert finish_sipp(sipp, tmp_path, "cancel") == 0
    [record] = call_records(registered)
    assert (record["outcome"], record["remote_number"], record["answered_at"]) == (
        "missed",
        "+590590123456",
        None,
    )
    assert registered.command_error("answer", call_id=incoming["call_id"])  # nothing stale left


def test_the_operator_refuses_a_call_whose_number_is_shared(
    registered: OperatorProcess, kamailio: Kamailio, tmp_path: Path
) -> None:
    scenario = rejected(
        '"Anonymous" <sip:anonymous@anonymous.invalid>',
        'P-Asserted-Identity: "Cabinet Durand" <sip:0145678912@127.0.0.1>',
        603,
    )
    sipp = start_sipp(tmp_path, "reject", scenario, kamailio.domain, "operateur")
    incoming = registered.wait_for("IncomingCall")
    assert (incoming["caller"], incoming["display_name"]) == ("+33145678912", "Cabinet Durand")
    popped = registered.wait_for("CallerIdentified", call_id=incoming["call_id"])
    assert sorted(c["id"] for c in popped["candidates"]) == ["pro-2", "pro-3"]
    registered.command("reject", call_id=incoming["call_id"], code=603)
    ended = registered.wait_for("CallEnded", call_id=incoming["call_id"])
    assert (ended["cause"], ended["code"]) == ("rejected", 603)
    assert finish_sipp(sipp, tmp_path, "reject") == 0
    assert call_records(registered)[0]["outcome"] == "rejected"


def test_a_slow_directory_shows_the_number_first_then_the_professional(
    kamailio: Kamailio, tmp_path: Path, phone_directory: Path
) -> None:
    operator = OperatorProcess(tmp_path, phone_directory=phone_directory, lookup_delay=1.0)
    try:
        operator.command("register", account=account(kamailio), password=OPERATOR_PASSWORD)
        operator.wait_for("RegistrationChanged", status="registered")
        scenario = rejected('"Claire Martin" <sip:0761717229@[local_ip]:[local_port]>', "", 486)
        sipp = start_sipp(tmp_path, "slow", scenario, kamailio.domain, "operateur")
        incoming = operator.wait_for("IncomingCall")
        pending = operator.wait_for("CallerIdentified", call_id=incoming["call_id"], outcome="pending")
        assert (pending["number"], pending["candidates"]) == ("+33761717229", [])
        assert pending["t"] - incoming["t"] < 0.5
        found = operator.wait_for("CallerIdentified", call_id=incoming["call_id"], outcome="identified")
        assert found["t"] - incoming["t"] >= 0.9
        assert found["candidates"][0]["display_name"] == "Claire Martin"
        operator.command("reject", call_id=incoming["call_id"], code=486)
        assert finish_sipp(sipp, tmp_path, "slow") == 0
        assert call_records(operator)[0]["identification"] == "identified"
    finally:
        operator.quit()
