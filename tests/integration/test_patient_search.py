"""Patient search over HTTP: phone notations, name prefixes, NIR, likely duplicates, refusals."""

from __future__ import annotations

import itertools
import secrets
from datetime import date
from typing import Any

import httpx
import pytest

from tests.support.live import LiveServer, make_nir, patient_body, unique_name

_phones = itertools.count(secrets.randbelow(5000))


@pytest.fixture(scope="module")
def operator(server: LiveServer) -> httpx.Client:
    """An operator shared by the module's tests that do not look at who acted."""
    return server.user("operator")[1]


def phone() -> tuple[int, str]:
    """A fiction-range number of this module (03 53 01 xx xx), never the same twice: (n, E.164)."""
    n = next(_phones) % 10000
    return n, f"+3335301{n:04d}"


def born() -> date:
    return date(1925 + secrets.randbelow(80), 1 + secrets.randbelow(12), 1 + secrets.randbelow(28))


def create(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    overrides.setdefault("phone", phone()[1])
    response = client.post("/patients", json=patient_body(**overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def search(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get("/patients", params=params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def ids(result: dict[str, Any], match: str = "exact") -> list[int]:
    return [item["id"] for item in result["items"] if item["match"] == match]


def test_phone_in_any_notation_through_phone_and_phone2(server: LiveServer, operator: httpx.Client) -> None:
    n, e164 = phone()
    patient = create(operator, phone=e164, sex="M", birth_date_obj=date(1950, 6, 15))
    m, other = phone()
    second = create(operator, phone2=other)
    a, b = f"{n // 100:02d}", f"{n % 100:02d}"
    for typed in (f"03 53 01 {a} {b}", f"03.53.01.{a}.{b}", e164, "00" + e164[1:], f"+33 (0)3 53 01 {a} {b}"):
        result = search(operator, phone=typed)
        assert result["truncated"] is False
        [item] = result["items"]
        assert item == {
            "id": patient["id"],
            "last_name": patient["last_name"],
            "first_name": "Hélène",
            "birth_last_name": None,
            "birth_date": "1950-06-15",
            "age": patient["age"],
            "sex": "M",
            "phone": e164,
            "postal_code": "91000",
            "city": "Évry-Courcouronnes",
            "identity_status": "provisional",
            "match": "exact",
            "reasons": ["même téléphone"],
            "likely_duplicates": [],
        }
    c, d = f"{m // 100:02d}", f"{m % 100:02d}"
    for typed in (f"03-53-01-{c}-{d}", "0033 3 53 01 " + c + d):
        found = search(operator, phone=typed)["items"]
        assert [(i["id"], i["phone"], i["reasons"]) for i in found] == [
            (second["id"], second["phone"], ["même téléphone"])
        ]


def test_last_name_prefix_ignores_accents_case_and_punctuation(server: LiveServer) -> None:
    _, operator = server.user("supervisor")
    first = unique_name("Zoé")
    helies = create(operator, last_name="HÉLIÈS", first_name=first)
    almeida = create(operator, last_name="D'ALMEIDA", first_name=first)
    goff = create(operator, last_name="LE GOFF", first_name=first)
    cases = [
        ("hél", helies),
        ("HEL", helies),
        ("helies", helies),
        ("dalm", almeida),
        ("d'al", almeida),
        ("D’ALM", almeida),
        ("d al", almeida),
        ("legof", goff),
        ("le g", goff),
        ("Le-Goff", goff),
    ]
    for typed, patient in cases:
        for first_typed in (first.lower(), first.upper()[:5]):
            result = search(operator, last_name=typed, first_name=first_typed)
            assert ids(result) == [patient["id"]], (typed, first_typed, result)
            assert ids(result, "similar") == []
    # A prefix that does not start the name finds nothing.
    assert search(operator, last_name="almeida", first_name=first)["items"] == []
    assert search(operator, last_name="goff", first_name=first)["items"] == []
    # Two letters of the last name suffice.
    assert ids(search(operator, last_name="Lé", first_name=first)) == [goff["id"]]


def test_birth_last_name_first_name_and_birth_date(server: LiveServer) -> None:
    _, operator = server.user("secretary")
    birth_name = unique_name("KERGUELEN")
    day = born()
    married = create(
        operator, last_name="MARTIN", birth_last_name=birth_name, first_name="Gaëlle", birth_date_obj=day
    )
    by_birth_name = search(operator, last_name=birth_name[:-1].lower())
    assert ids(by_birth_name) == [married["id"]]
    assert by_birth_name["items"][0]["birth_last_name"] == birth_name
    other = create(operator, first_name="Gwenaëlle", birth_date_obj=day)
    result = search(operator, first_name="gaë", birth_date=day.isoformat())
    assert ids(result) == [married["id"]]
    assert ids(search(operator, first_name="GWEN", birth_date=day.isoformat())) == [other["id"]]
    assert ids(search(operator, first_name="gaë", birth_date=date(1924, 1, 1).isoformat())) == []


def test_nir_is_an_exact_criterion(server: LiveServer, operator: httpx.Client) -> None:
    day = date(1966, 7, 21)
    nir = make_nir(1, day, "2B", "033")
    patient = create(operator, sex="M", birth_date_obj=day, nir=nir)
    spaced = f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]} {nir[13:]}".lower()
    for typed in (nir, spaced):
        result = search(operator, nir=typed)
        assert [(i["id"], i["match"], i["reasons"]) for i in result["items"]] == [
            (patient["id"], "exact", ["même NIR"])
        ]
    assert patient["id"] not in [
        i["id"] for i in search(operator, nir=make_nir(2, day, "2B", "033"))["items"]
    ]
    wrong = operator.get("/patients", params={"nir": nir[:13] + f"{int(nir[13:]) % 97 + 1:02d}"})
    assert wrong.status_code == 422
    assert wrong.json() == {"detail": "La clé du NIR est invalide", "code": "nir_key_invalid"}


def test_results_flag_likely_duplicates_and_similar_patients(
    server: LiveServer, operator: httpx.Client
) -> None:
    suffix = unique_name("")
    day = born()
    _, phone_a = phone()
    first = create(
        operator, last_name=f"BERTHIER {suffix}", first_name="Jeanne", birth_date_obj=day, phone=phone_a
    )
    second = create(operator, last_name=f"Bertier {suffix}", first_name="Jeane", birth_date_obj=day)
    same_name = "même date de naissance et nom proche"

    by_phone = search(operator, phone=phone_a)
    [item] = by_phone["items"]
    assert (item["id"], item["match"]) == (first["id"], "exact")
    assert item["likely_duplicates"] == [{"id": second["id"], "reasons": [same_name]}]

    # Found by phone, but not by the name typed with it: shown as similar, with the reason.
    typed_other = search(operator, phone=phone_a, last_name="XAVIER")
    assert [(i["id"], i["match"], i["reasons"]) for i in typed_other["items"]] == [
        (first["id"], "similar", ["même téléphone"])
    ]
    # The second by its own name and birth date; the first is similar through birth date and name.
    result = search(operator, last_name=f"bertier {suffix}", first_name="jeane", birth_date=day.isoformat())
    assert [(i["id"], i["match"]) for i in result["items"]] == [
        (second["id"], "exact"),
        (first["id"], "similar"),
    ]
    assert result["items"][0]["reasons"] == [same_name]
    assert result["items"][0]["likely_duplicates"] == [{"id": first["id"], "reasons": [same_name]}]
    assert result["items"][1]["reasons"] == [same_name]
    assert result["items"][1]["likely_duplicates"] == [{"id": second["id"], "reasons": [same_name]}]
    assert result["truncated"] is False

    # Same phone as a third patient: a likely duplicate by phone.
    third = create(operator, phone2=phone_a, last_name=unique_name("ROUX"), birth_date_obj=date(1931, 1, 1))
    hints = {
        h["id"]: h["reasons"]
        for h in search(operator, phone=phone_a, last_name=f"BERTHIER {suffix}")["items"][0][
            "likely_duplicates"
        ]
    }
    assert hints == {second["id"]: [same_name], third["id"]: ["même téléphone"]}


@pytest.mark.parametrize(
    "params",
    [{"last_name": "d"}, {"last_name": "é"}, {"last_name": "'-"}, {"first_name": "Hélène"}, {}],
)
def test_too_broad_searches_are_refused(
    server: LiveServer, operator: httpx.Client, params: dict[str, str]
) -> None:
    response = operator.get("/patients", params=params)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Précisez la recherche : téléphone, date de naissance, NIR ou au moins 2 lettres du nom",
        "code": "search_too_broad",
    }


@pytest.mark.parametrize(
    ("params", "status", "detail", "code"),
    [
        ({"phone": "03 53 01"}, 422, "Numéro de téléphone invalide : il est trop court", "phone_too_short"),
        (
            {"phone": "06 AB"},
            422,
            "Le numéro de téléphone contient des caractères invalides",
            "phone_invalid_characters",
        ),
        (
            {"phone": "03 53 01 12 34 56"},
            422,
            "Numéro de téléphone invalide : il est trop long",
            "phone_too_long",
        ),
        (
            {"birth_date": "31/12/1980"},
            422,
            "Date de naissance : date invalide (AAAA-MM-JJ attendu)",
            "date_from_datetime_parsing",
        ),
        (
            {"birth_date": "2023-02-30"},
            422,
            "Date de naissance : date invalide (AAAA-MM-JJ attendu)",
            "date_from_datetime_parsing",
        ),
    ],
)
def test_invalid_criteria_are_refused_in_french(
    server: LiveServer, operator: httpx.Client, params, status, detail, code
) -> None:
    response = operator.get("/patients", params=params)
    assert response.status_code == status, response.text
    assert response.json()["detail"] == detail
    assert response.json()["code"] == code


def test_search_is_for_staff_only(server: LiveServer) -> None:
    _, professional = server.professional()
    for client in (server.admin(), professional):
        response = client.get("/patients", params={"last_name": "dupont"})
        assert response.status_code == 403
        assert response.json() == {"detail": "Accès refusé pour votre rôle", "code": "forbidden"}
    anonymous = server.client().get("/patients", params={"last_name": "dupont"})
    assert anonymous.status_code == 401
