"""Hostile or clumsy input over HTTP: every refusal is JSON in French, nothing odd is altered or crashes."""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import httpx
import pytest

from tests.support.live import LiveServer, make_nir, patient_body

_phones = itertools.count(secrets.randbelow(5000))


def fresh_body(**overrides: Any) -> dict[str, Any]:
    """A valid patient with a fiction-range number of this module (04 65 71 xx xx)."""
    n = next(_phones) % 10000
    return patient_body(phone=f"+3346571{n:04d}", **overrides)


@pytest.fixture(scope="module")
def operator(server: LiveServer) -> httpx.Client:
    return server.user("operator")[1]


def raw_post(client: httpx.Client, path: str, content: bytes | Iterator[bytes]) -> httpx.Response:
    return client.post(path, content=content, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(
    "content",
    [b'{"last_name": "DUPONT",', b"{'last_name': 'DUPONT'}", b"not json at all", b'{"a": 1} trailing'],
)
def test_malformed_json_is_a_400(server: LiveServer, operator: httpx.Client, content: bytes) -> None:
    for client, path in ((operator, "/patients"), (server.admin(), "/admin/users")):
        response = raw_post(client, path, content)
        assert response.status_code == 400, response.text
        assert response.json() == {"detail": "Corps de requête JSON invalide", "code": "json_invalid"}


def test_wrong_types_get_french_field_messages(operator: httpx.Client) -> None:
    body = fresh_body(birth_date=123, latitude="north", sex="X")
    response = operator.post("/patients", json=body)
    assert response.status_code == 422, response.text
    result = response.json()
    assert result["code"] == "validation_error"
    by_field = {e["field"]: e for e in result["errors"]}
    assert set(by_field) == {"birth_date", "latitude", "sex"}
    assert by_field["birth_date"]["message"].startswith("date")
    assert "AAAA-MM-JJ" in by_field["birth_date"]["message"]
    assert by_field["latitude"] == {"field": "latitude", "message": "nombre attendu", "code": "float_parsing"}
    assert by_field["sex"]["code"] == "enum"
    assert by_field["sex"]["message"].startswith("valeur non reconnue (valeurs possibles : ")
    assert all(letter in by_field["sex"]["message"] for letter in "FMU")
    # Errors come in the order of the fields; the detail names the first one by its French label.
    assert [e["field"] for e in result["errors"]] == ["sex", "birth_date", "latitude"]
    assert result["detail"] == f"Sexe : {by_field['sex']['message']}"
    # Nothing was created for this number.
    assert operator.get("/patients", params={"phone": body["phone"]}).json()["items"] == []


@pytest.mark.parametrize(
    ("overrides", "field", "message", "code"),
    [
        ({"latitude": 91}, "latitude", "doit être inférieur ou égal à 90", "less_than_equal"),
        ({"longitude": -180.5}, "longitude", "doit être supérieur ou égal à -180", "greater_than_equal"),
        (
            {"acknowledge_duplicates": "perhaps"},
            "acknowledge_duplicates",
            "vrai ou faux attendu",
            "bool_parsing",
        ),
        ({"last_name": ["DUPONT"]}, "last_name", "texte attendu", "string_type"),
        ({"postal_code": "9100"}, "postal_code", "Code postal invalide (5 chiffres)", "postal_code_invalid"),
        ({"email": "marie@"}, "email", "Adresse e-mail invalide", "email_invalid"),
        (
            {"commune_insee": "2C001"},
            "commune_insee",
            "Code INSEE invalide (5 caractères, 2A/2B pour la Corse)",
            "insee_invalid",
        ),
        (
            {"last_name": "DUPONT3"},
            "last_name",
            "Le champ « Nom » contient des caractères invalides",
            "name_invalid_characters",
        ),
        ({"nickname": "Lulu"}, "nickname", "champ inconnu", "extra_forbidden"),
    ],
)
def test_one_bad_field(operator: httpx.Client, overrides, field, message, code) -> None:
    response = operator.post("/patients", json=fresh_body(**overrides))
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": field, "message": message, "code": code}]
    assert response.json()["code"] == code
    assert response.json()["detail"].endswith(f" : {message}")


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("last_name", 100),
        ("first_name", 100),
        ("address_line", 200),
        ("address_complement", 200),
        ("digicode", 50),
        ("door", 50),
        ("occupation", 100),
        ("city", 100),
    ],
)
def test_too_long_strings_are_refused(
    server: LiveServer, operator: httpx.Client, field: str, limit: int
) -> None:
    too_long = fresh_body(**{field: "A" * (limit + 1)})
    response = operator.post("/patients", json=too_long)
    assert response.status_code == 422, response.text
    [problem] = response.json()["errors"]
    assert problem["field"] == field
    assert "trop long" in problem["message"] or "dépasser" in problem["message"]
    assert str(limit) in problem["message"]
    # At the limit it is stored, and read back whole, on both databases.
    just_right = fresh_body(**{field: "A" * limit})
    created = operator.post("/patients", json=just_right)
    assert created.status_code == 201, created.text
    assert operator.get(f"/patients/{created.json()['id']}").json()[field] == "A" * limit
    patched = operator.patch(
        f"/patients/{created.json()['id']}", json={"version": 1, field: "B" * (limit + 1)}
    )
    assert patched.status_code == 422
    assert patched.json()["errors"][0]["field"] == field


def test_bodies_over_one_mebibyte_are_refused(server: LiveServer, operator: httpx.Client) -> None:
    big = json.dumps(fresh_body(occupation="x" * (1024 * 1024))).encode()
    expected = {"detail": "Requête trop volumineuse (1048576 octets au plus)", "code": "payload_too_large"}
    response = raw_post(operator, "/patients", big)
    assert response.status_code == 413
    assert response.json() == expected

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    chunked = raw_post(operator, "/patients", chunks())
    assert chunked.status_code == 413
    assert chunked.json() == expected
    # A small chunked body still goes through.
    small = json.dumps(fresh_body()).encode()
    assert raw_post(operator, "/patients", iter([small[:10], small[10:]])).status_code == 201


def test_sql_and_html_looking_text_is_stored_verbatim(operator: httpx.Client) -> None:
    odd = {
        "last_name": "D'Arc-O'Neil",
        "first_name": "Jeanne-Marie",
        "address_line": "'); DROP TABLE patients;--",
        "address_complement": '" OR 1=1 -- ; SELECT * FROM users',
        "occupation": "<script>alert(1)</script>",
        "digicode": "%_*\\",
        "door": "{{7*7}} ${7*7}",
        "city": "Saint-Étienne 😀",
    }
    created = operator.post("/patients", json=fresh_body(**odd))
    assert created.status_code == 201, created.text
    stored = operator.get(f"/patients/{created.json()['id']}").json()
    assert {k: stored[k] for k in odd} == odd
    assert {k: created.json()[k] for k in odd} == odd
    found = operator.get("/patients", params={"last_name": "d'arc-o'n"}).json()["items"]
    assert created.json()["id"] in [i["id"] for i in found]
    # LIKE wildcards in a search are letters to match, not patterns.
    wildcard = operator.get("/patients", params={"last_name": "%%", "birth_date": "1900-01-01"})
    assert wildcard.status_code == 200
    assert wildcard.json()["items"] == []


@pytest.mark.parametrize("text", ["12 rue\x00 des Lilas", "12 rue\x07 des Lilas", "\x1b[31m12 rue"])
def test_control_characters_are_refused_not_crashing(operator: httpx.Client, text: str) -> None:
    body = fresh_body(address_line=text)
    response = operator.post("/patients", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {
            "field": "address_line",
            "message": "Le texte contient des caractères de contrôle interdits",
            "code": "control_characters",
        }
    ]
    assert operator.get("/patients", params={"phone": body["phone"]}).json()["items"] == []
    created = operator.post("/patients", json=fresh_body(address_complement="Bât. A\tporte 2\nau fond"))
    assert created.status_code == 201, created.text
    assert created.json()["address_complement"] == "Bât. A\tporte 2\nau fond"
    patched = operator.patch(f"/patients/{created.json()['id']}", json={"version": 1, "occupation": text})
    assert patched.status_code == 422
    assert patched.json()["code"] == "control_characters"


def test_lone_surrogates_do_not_crash_the_server(operator: httpx.Client) -> None:
    body = json.dumps(fresh_body(occupation="PLACEHOLDER")).replace("PLACEHOLDER", "\\ud800x").encode()
    response = raw_post(operator, "/patients", body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "string_unicode"
    assert response.json()["errors"][0]["field"] == "occupation"
    assert response.json()["detail"].startswith("Profession : ")


def test_unknown_route_and_wrong_method_answer_json_in_french(
    server: LiveServer, operator: httpx.Client
) -> None:
    for client in (operator, server.client()):
        for path in ("/no-such-thing", "/patients/1/nothing", "/admin"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.headers["content-type"].startswith("application/json")
            assert response.json() == {"detail": "Ressource introuvable", "code": "not_found"}
    outside = httpx.get(str(server.client().base_url).replace("/api/v1", "/nowhere"))
    assert outside.status_code == 404
    assert outside.json()["code"] == "not_found"
    for method, path in (("DELETE", "/patients/1"), ("PUT", "/patients"), ("DELETE", "/admin/users/1")):
        response = operator.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.json() == {
            "detail": "Méthode non permise sur cette adresse",
            "code": "method_not_allowed",
        }
        assert response.headers["allow"]
    not_a_number = operator.get("/patients/abc")
    assert not_a_number.status_code == 422
    assert not_a_number.json()["errors"] == [
        {"field": "patient_id", "message": "nombre entier attendu", "code": "int_parsing"}
    ]


def test_json_of_the_wrong_shape(operator: httpx.Client) -> None:
    payloads: list[Any] = [[], "texte", 42]
    for payload in payloads:
        response = operator.post("/patients", json=payload)
        assert response.status_code == 422, (payload, response.text)
        assert response.json() == {
            "detail": "objet JSON attendu",
            "code": "model_attributes_type",
            "errors": [{"field": "", "message": "objet JSON attendu", "code": "model_attributes_type"}],
        }
    no_body = operator.post("/patients")
    assert no_body.status_code == 422
    assert (no_body.json()["code"], no_body.json()["detail"]) == ("missing", "champ obligatoire")
    not_a_list = operator.put("/patients/1/usual-professionals", json={"rpps": "x"})
    assert not_a_list.status_code == 422
    assert (not_a_list.json()["code"], not_a_list.json()["detail"]) == ("list_type", "liste attendue")


def test_the_same_form_sent_six_times_at_once(server: LiveServer, operator: httpx.Client) -> None:
    """A double-click (or six): one patient is created, the others get a clean 409, never a 500."""
    born = date(1977, 10, 10)
    body = fresh_body(sex="M", birth_date_obj=born, nir=make_nir(1, born))
    clients = [server.client(str(operator.headers["authorization"]).split()[1]) for _ in range(6)]
    with ThreadPoolExecutor(len(clients)) as pool:
        created = list(pool.map(lambda c: c.post("/patients", json=body), clients))
    assert sorted(r.status_code for r in created) == [201] + [409] * 5, [r.text for r in created]
    [winner] = [r.json()["id"] for r in created if r.status_code == 201]
    assert {(r.json()["code"], r.json()["patient_id"]) for r in created if r.status_code == 409} == {
        ("nir_exists", winner)
    }

    def patch(i: int) -> httpx.Response:
        return clients[i].patch(f"/patients/{winner}", json={"version": 1, "floor": str(i)})

    with ThreadPoolExecutor(len(clients)) as pool:
        floors = list(pool.map(patch, range(len(clients))))
    assert sorted(r.status_code for r in floors) == [200] + [409] * 5, [r.text for r in floors]
    [floor] = [r.json()["floor"] for r in floors if r.status_code == 200]
    stored = operator.get(f"/patients/{winner}").json()
    assert (stored["version"], stored["floor"]) == (2, floor)
