"""Directory search and caller lookup on a live server (SQLite and PostgreSQL) after an import."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bench.make_rpps import write_file
from tests.integration.conftest import start_live
from tests.support.live import LiveServer, patient_body, rpps_with_key

HELENE, ALMEIDA, GOFF, MARTINE = (rpps_with_key(8_800_000_001 + i) for i in range(4))
SWITCHBOARD = [rpps_with_key(8_800_000_100 + i) for i in range(3)]
REGISTERED = rpps_with_key(8_800_000_200)
DIRECT = "0761717229"  # Dr D'ALMEIDA's own line
BOARD = "0596 61 00 10"  # a Martinique practice answering for three professionals


def row(
    rpps: str, last: str, first: str, profession: str = "60", phone: str = "", **more: str
) -> dict[str, str]:
    return {
        "Type d'identifiant PP": "8",
        "Identifiant PP": rpps,
        "Identification nationale PP": "8" + rpps,
        "Nom d'exercice": last,
        "Prénom d'exercice": first,
        "Code profession": profession,
        "Code postal (coord. structure)": "29200",
        "Code commune (coord. structure)": "29019",
        "Libellé commune (coord. structure)": "BREST",
        "Téléphone (coord. structure)": phone,
        **more,
    }


EXTRA = [
    row(HELENE, "ZÉPHIRIN", "Hélène", "60", "0298000001"),
    row(ALMEIDA, "D'ALMEIDA", "Jean-Marc", "10", DIRECT, **{"Code savoir-faire": "SM54",
        "Libellé savoir-faire": "Médecine générale", "Code type savoir-faire": "S"}),
    row(GOFF, "LE-GOFF", "Gwenaëlle", "70", "0298000003"),
    row(MARTINE, "ZÉPHIRINE", "Martine", "10", "0298000004"),
    *(row(r, f"STANDARD{'ABC'[i]}", "Paul", "70", BOARD, **{"Raison sociale site": "CABINET DU PORT"})
      for i, r in enumerate(SWITCHBOARD)),
    row(REGISTERED, "ZÉPHYR", "Léa", "60", "0298000005"),
]  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    directory = tmp_path_factory.mktemp(f"directory-{request.param}")
    for server in start_live(request.param, directory):
        path = directory / "extraction.txt"
        write_file(path, 2_000, seed=5, malformed_every=0, extra=EXTRA)
        result = subprocess.run(
            [sys.executable, "-m", "server.cli", "import-rpps", str(path)],
            env=server.process.env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        yield server


@pytest.fixture(scope="module")
def operator(live: LiveServer) -> httpx.Client:
    return live.user("operator")[1]


def names(client: httpx.Client, **params: str) -> list[tuple[str, str | None]]:
    response = client.get("/directory/professionals", params=params)
    assert response.status_code == 200, response.text
    return [(i["last_name"], i["first_name"]) for i in response.json()["items"]]


def test_accents_and_case_do_not_matter(operator: httpx.Client) -> None:
    assert names(operator, last_name="zeph", first_name="hel") == [("ZÉPHIRIN", "Hélène")]
    assert names(operator, last_name="ZÉPHIRI") == [("ZÉPHIRIN", "Hélène"), ("ZÉPHIRINE", "Martine")]


def test_apostrophes_and_hyphens_are_optional(operator: httpx.Client) -> None:
    # The generated part of the file has other D'ALMEIDA and LE-GOFF: first names tell them apart.
    for typed in ("d'alm", "dalm", "D ALMEIDA", "d’almeida"):
        assert names(operator, last_name=typed, first_name="jean m") == [("D'ALMEIDA", "Jean-Marc")], typed
    for typed in ("le-goff", "le goff", "legof"):
        assert names(operator, last_name=typed, first_name="gwen") == [("LE-GOFF", "Gwenaëlle")], typed
    assert names(operator, last_name="jean-marc d'almeida") == []  # a prefix of the last name


def test_an_item_carries_the_directory_fields(operator: httpx.Client) -> None:
    response = operator.get(
        "/directory/professionals", params={"last_name": "d'almeida", "first_name": "jean-m"}
    )
    [item] = response.json()["items"]
    assert item == {
        "rpps": ALMEIDA, "last_name": "D'ALMEIDA", "first_name": "Jean-Marc", "profession_code": "10",
        "profession": "Médecin", "specialty": "Médecine générale", "commune": "BREST",
        "postal_code": "29200", "phone": "+33761717229", "registered": False,
    }  # fmt: skip


def test_fewer_than_three_letters_are_refused(operator: httpx.Client) -> None:
    for params in ({"last_name": "ze"}, {"last_name": "d'a", "first_name": "j"}, {}):
        response = operator.get("/directory/professionals", params=params)
        assert response.status_code == 422, params
        assert response.json()["code"] == "name_too_short"
        assert "Saisissez au moins 3 lettres" in response.json()["detail"]
    assert names(operator, first_name="hél", last_name="z") == [("ZÉPHIRIN", "Hélène")]


def test_the_profession_filter(operator: httpx.Client) -> None:
    assert names(operator, last_name="zephirin", profession="10") == [("ZÉPHIRINE", "Martine")]
    assert names(operator, last_name="zephirin", profession="60") == [("ZÉPHIRIN", "Hélène")]
    unknown = operator.get("/directory/professionals", params={"last_name": "zep", "profession": "99"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "profession_unknown")


def test_registered_professionals_come_first_and_are_flagged(
    live: LiveServer, operator: httpx.Client
) -> None:
    live.professional(rpps=REGISTERED, last_name="Zéphyr", first_name="Léa", profession_code="60")
    response = operator.get("/directory/professionals", params={"last_name": "zep"})
    items = response.json()["items"]
    assert [(i["rpps"], i["registered"]) for i in items] == [
        (REGISTERED, True), (HELENE, False), (MARTINE, False)
    ]  # fmt: skip
    assert items[0]["commune"] == "BREST"  # directory data completes the account's
    limited = operator.get("/directory/professionals", params={"last_name": "zep", "limit": "2"}).json()
    assert ([i["rpps"] for i in limited["items"]], limited["truncated"]) == ([REGISTERED, HELENE], True)


def lookup(client: httpx.Client, phone: str) -> dict[str, Any]:
    response = client.get("/directory/lookup-phone", params={"phone": phone})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_every_notation_of_a_number_finds_the_same_professional(operator: httpx.Client) -> None:
    for typed in (
        "07.61.71.72.29",
        "07 61 71 72 29",
        "+33 7 61 71 72 29",
        "+33 (0)7 61 71 72 29",
        "0033761717229",
    ):
        answer = lookup(operator, typed)
        assert answer["phone"] == "+33761717229"
        assert answer["shared"] is False
        assert [(c["kind"], c["rpps"], c["matched_by"]) for c in answer["candidates"]] == [
            ("professional", ALMEIDA, ["directory"])
        ], typed


def test_a_switchboard_returns_every_professional_behind_it(operator: httpx.Client) -> None:
    for typed in (BOARD, "+596 596 61 00 10", "+33 5 96 61 00 10"):
        answer = lookup(operator, typed)
        assert answer["phone"] == "+596596610010"
        assert answer["shared"] is True
        assert sorted(c["rpps"] for c in answer["candidates"]) == sorted(SWITCHBOARD)
        assert {c["site"] for c in answer["candidates"]} == {"CABINET DU PORT"}


def test_patients_and_accounts_are_found_patients_only_by_staff(
    live: LiveServer, operator: httpx.Client
) -> None:
    number = "0298 44 55 66"
    patient = operator.post("/patients", json=patient_body(phone2=number)).json()
    staff_user, _ = live.user("secretary")
    live.admin().patch(f"/admin/users/{staff_user['id']}", json={"phone": number}).raise_for_status()
    _, responder = live.professional()
    answer = lookup(operator, number)
    assert answer["shared"] is True
    assert [(c["kind"], c.get("user_id") or c.get("patient_id")) for c in answer["candidates"]] == [
        ("user", staff_user["id"]), ("patient", patient["id"])
    ]  # fmt: skip
    seen_by_responder = lookup(responder, number)
    assert [c["kind"] for c in seen_by_responder["candidates"]] == ["user"]
    audit = live.admin().get(
        "/admin/audit", params={"patient_id": patient["id"], "action": "patient_search_result"}
    )
    assert [e["detail"]["criteria"] for e in audit.json()] == [["phone"]]


def test_an_unknown_number_finds_nobody_and_a_bad_one_is_refused(operator: httpx.Client) -> None:
    assert lookup(operator, "03 99 99 99 99") == {"phone": "+33399999999", "shared": False, "candidates": []}
    refused = operator.get("/directory/lookup-phone", params={"phone": "12"})
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("Numéro de téléphone invalide")
