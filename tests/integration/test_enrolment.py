"""« S'enregistrer » through a real server process (SQLite and PostgreSQL) with a real SMTP server:
the form, the SMS code (read from the demo backend's delivery rows), the e-mailed link (read from
the SMTP server), the directory check, the team's review, and every refusal in French."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.make_rpps import write_file
from tests.support.enrolment import (
    PDF,
    PNG,
    deliveries,
    last_sms_code,
    link_in,
    mails_to,
    registration_fields,
    start_enrolment_server,
)
from tests.support.live import PASSWORD, LiveServer, rpps_with_key
from tests.support.mail_fixtures import SMTP_LOGIN, mail_pki  # noqa: F401 - the session's PKI fixture
from tests.support.smtp_server import Pki, SmtpServer, smtp_server

SIGNUPS_PER_IP = 12


@pytest.fixture(scope="module")
def mail(mail_pki: Pki) -> Iterator[SmtpServer]:  # noqa: F811
    with smtp_server(mail_pki, credentials=SMTP_LOGIN) as server:
        yield server


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    mail: SmtpServer,
    mail_pki: Pki,  # noqa: F811
) -> Iterator[LiveServer]:
    directory = tmp_path_factory.mktemp(f"enrolment-{request.param}")
    env = {"CENTRALE_ENROLMENT_SIGNUPS_PER_IP_HOUR": str(SIGNUPS_PER_IP)}
    yield from start_enrolment_server(request.param, directory, mail, mail_pki, **env)


def register(server: LiveServer, **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = registration_fields(**overrides)
    response = server.client().post("/registrations", json=fields)
    assert response.status_code == 201, response.text
    return fields, response.json()


def verified(server: LiveServer, mail: SmtpServer, **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A registration through every check: document, SMS code, e-mail link → « to_review »."""
    fields, created = register(server, **overrides)
    headers = {"X-Registration-Token": created["token"]}
    client = server.client()
    sent = client.post(
        f"/registrations/{created['id']}/documents",
        files={"file": ("cps.png", PNG, "image/png")},
        headers=headers,
    )
    assert sent.status_code == 200, sent.text
    code = last_sms_code(server, fields["phone"])
    checked = client.post(f"/registrations/{created['id']}/phone-code", json={"code": code}, headers=headers)
    assert checked.status_code == 200, checked.text
    assert checked.json()["status"] == "unverified"  # the e-mail is still to confirm
    page = httpx.get(link_in(mails_to(mail, fields["email"])[0]), timeout=10)
    assert page.status_code == 200, page.text
    assert "Adresse e-mail confirmée" in page.text
    progress = client.get(f"/registrations/{created['id']}", headers=headers).json()
    assert progress["status"] == "to_review", progress
    return fields, created


def test_form_code_link_review_and_login(live: LiveServer, mail: SmtpServer) -> None:
    fields, created = verified(live, mail)
    admin = live.admin()
    queue = admin.get("/admin/registrations", params={"status": "to_review"})
    assert queue.status_code == 200, queue.text
    mine = next(r for r in queue.json() if r["id"] == created["id"])
    assert mine["identifier"] == fields["identifier"]
    assert mine["document_content_type"] == "image/png"
    assert {"network_new"} <= {f["code"] for f in mine["flags"]}
    document = admin.get(f"/admin/registrations/{created['id']}/document")
    assert document.status_code == 200
    assert document.content == PNG
    assert document.headers["content-disposition"].startswith("attachment")
    approved = admin.post(f"/admin/registrations/{created['id']}/approve", json={"create_network": True})
    assert approved.status_code == 200, approved.text
    username = approved.json()["username"]
    assert approved.json()["status"] == "approved"
    # The professional is told by SMS and e-mail, and logs in with the password they chose.
    assert any(username in t for t in deliveries(live, "sms", fields["phone"]))
    told = mails_to(mail, fields["email"], count=2)
    assert any(username in m.get_body(preferencelist=("plain",)).get_content() for m in told[1:])  # type: ignore[union-attr]
    pro = live.client(live.login(username, PASSWORD))
    profile = pro.get("/me/profile").json()
    assert profile["radius_km"] == 10
    assert profile["availability"] == "both"
    networks = {n["name"]: n["id"] for n in admin.get("/networks").json()}
    assert (
        networks[fields["network_name"]]
        in admin.get(f"/admin/users/{approved.json()['user_id']}").json()["network_ids"]
    )
    actions = {e["action"] for e in admin.get("/admin/audit", params={"limit": 1000}).json()}
    assert {"registration_list", "registration_document_read", "registration_approve"} <= actions
    # Approving twice, or rejecting an approved registration: refused.
    again = admin.post(f"/admin/registrations/{created['id']}/reject", json={"reason": "doublon"})
    assert again.status_code == 409


def test_reject_tells_why_and_reviewing_is_for_admins(live: LiveServer, mail: SmtpServer) -> None:
    fields, created = verified(live, mail)
    _operator, client = live.user("operator")
    refused = client.get("/admin/registrations")
    assert refused.status_code == 403
    too_early = live.admin().post(f"/admin/registrations/{created['id']}/reject", json={"reason": "  "})
    assert too_early.status_code == 422
    rejected = live.admin().post(
        f"/admin/registrations/{created['id']}/reject", json={"reason": "Pièce illisible"}
    )
    assert rejected.status_code == 200, rejected.text
    assert "Motif : Pièce illisible" in deliveries(live, "sms", fields["phone"])[-1]
    approve = live.admin().post(f"/admin/registrations/{created['id']}/approve")
    assert approve.status_code == 409


def test_bad_input_is_refused_in_french(live: LiveServer) -> None:
    client = live.client()
    cases: list[tuple[dict[str, Any], int, str]] = [
        (registration_fields(identifier="10001045368"), 422, "rpps_key_invalid"),
        (
            registration_fields(identifier_kind="adeli", identifier="751234567"),
            422,
            "adeli_not_for_profession",
        ),
        (registration_fields(phone="01 99 00 12 34"), 422, "phone_not_mobile"),
        (registration_fields(email="pas-une-adresse"), 422, "email_invalid"),
        (registration_fields(password="court"), 422, "string_too_short"),
        (registration_fields(commune_insee="99999"), 422, "commune_unknown"),
        (registration_fields(network_id=999999), 422, "network_unknown"),
        ({**registration_fields(), "surprise": 1}, 422, "extra_forbidden"),
    ]
    for body, status, code in cases:
        response = client.post("/registrations", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["code"] == code, response.text
        assert response.json()["detail"]
    assert (
        client.post(
            "/registrations", content=b"{pas du json", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    # ADELI is fine for a profession without RPPS (orthophoniste), with the document in the form.
    adeli = registration_fields(identifier_kind="adeli", identifier="751234567", profession_code="91")
    multipart = {k: str(v) for k, v in adeli.items()}
    ok = client.post(
        "/registrations", data=multipart, files={"document": ("adeli.pdf", PDF, "application/pdf")}
    )
    assert ok.status_code == 201, ok.text
    for data, status in ((b"x" * (2 * 1024 * 1024 + 1), 413), (b"GIF89a" + b"0" * 50, 415)):
        refused = client.post(
            "/registrations",
            data={k: str(v) for k, v in registration_fields().items()},
            files={"document": ("cps.png", data, "image/png")},
        )
        assert refused.status_code == status, refused.text
        assert refused.json()["detail"]


def test_code_tries_resend_and_expiry(live: LiveServer) -> None:
    fields, created = register(live)
    headers = {"X-Registration-Token": created["token"]}
    client = live.client()
    url = f"/registrations/{created['id']}/phone-code"
    assert client.post(url, json={"code": "000000"}).status_code == 404  # no token: nothing to probe
    real = last_sms_code(live, fields["phone"])
    wrong = "111111" if real != "111111" else "222222"
    for left in (4, 3, 2, 1, 0):
        answer = client.post(url, json={"code": wrong}, headers=headers)
        assert answer.status_code == 422
        assert answer.json()["code"] == "code_wrong"
        assert answer.json()["tries_left"] == left
    exhausted = client.post(url, json={"code": real}, headers=headers)
    assert exhausted.json()["code"] == "code_tries_exhausted"
    assert client.post(f"{url}/resend", headers=headers).status_code == 429  # 60 s apart
    live.advance(61)
    assert client.post(f"{url}/resend", headers=headers).status_code == 200
    fresh = last_sms_code(live, fields["phone"])
    live.advance(601)  # 10 minutes and a second later
    expired = client.post(url, json={"code": fresh}, headers=headers)
    assert expired.json()["code"] == "code_expired"
    live.advance(61)
    assert client.post(f"{url}/resend", headers=headers).status_code == 200
    accepted = client.post(url, json={"code": last_sms_code(live, fields["phone"])}, headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["phone_verified"] is True


def test_duplicates_are_flagged_not_revealed(live: LiveServer, mail: SmtpServer) -> None:
    existing, _client = live.professional()
    fields, first = verified(live, mail)
    username = live.admin().post(f"/admin/registrations/{first['id']}/approve").json()["username"]
    _, fresh = register(live)
    _, same_rpps = register(live, identifier=existing["rpps"])
    same_email_fields, same_email = register(live, email=fields["email"])
    assert fresh.keys() == same_rpps.keys() == same_email.keys()
    assert fresh["status"] == same_rpps["status"] == same_email["status"] == "unverified"
    flags = {
        r["id"]: {f["code"] for f in r["flags"]}
        for r in live.admin().get("/admin/registrations", params={"status": "unverified"}).json()
    }
    assert "identifier_has_account" in flags[same_rpps["id"]]
    assert "email_has_account" in flags[same_email["id"]]
    assert "identifier_has_account" not in flags[fresh["id"]]
    # The address's holder is told instead of receiving a verification link.
    holder_mail = mails_to(mail, same_email_fields["email"], count=3)[-1]
    assert username in holder_mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "/pro/inscription/email" not in holder_mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_directory_check_flags_unknown_and_mismatch(live: LiveServer, tmp_path: Path) -> None:
    known = rpps_with_key(77_000_001 + hash(live.kind) % 1000)
    person = {
        "Type d'identifiant PP": "8",
        "Identifiant PP": known,
        "Identification nationale PP": "8" + known,
        "Nom d'exercice": "DUPONT",
        "Prénom d'exercice": "Claire",
        "Code profession": "60",
        "Libellé profession": "Infirmier",
    }
    extraction = tmp_path / "PS_LibreAcces_Personne_activite_202401010000.txt"
    write_file(extraction, 20, malformed_every=0, extra=[person])
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "import-rpps", str(extraction)],
        env=live.process.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    _, matching = register(live, identifier=known, last_name="Dupont", first_name="Claire")
    _, mismatch = register(
        live, identifier=known, last_name="Durand", first_name="Claire", profession_code="70"
    )
    _, unknown = register(live, identifier=rpps_with_key(88_000_002))
    rows = {r["id"]: r for r in live.admin().get("/admin/registrations").json()}
    assert not {"directory_unknown", "directory_mismatch"} & {
        f["code"] for f in rows[matching["id"]]["flags"]
    }
    assert rows[matching["id"]]["directory"]["last_name"] == "DUPONT"
    mismatched = {f["code"]: f["message"] for f in rows[mismatch["id"]]["flags"]}
    assert "DUPONT" in mismatched["directory_mismatch"]
    assert "Infirmier" in mismatched["directory_mismatch"]
    assert "directory_unknown" in {f["code"] for f in rows[unknown["id"]]["flags"]}


def test_sign_up_flood_is_limited(live: LiveServer) -> None:
    live.advance(3600)  # the earlier tests' sign-ups leave the hour's window
    client = live.client()
    phone = registration_fields()["phone"]
    for _ in range(3):
        assert client.post("/registrations", json=registration_fields(phone=phone)).status_code == 201
    same_phone = client.post("/registrations", json=registration_fields(phone=phone))
    assert same_phone.status_code == 429
    assert int(same_phone.headers["retry-after"]) > 3600
    statuses = [
        client.post("/registrations", json=registration_fields()).status_code for _ in range(SIGNUPS_PER_IP)
    ]
    assert statuses.count(201) == SIGNUPS_PER_IP - 3
    assert statuses[-1] == 429
    live.advance(3600)
    assert client.post("/registrations", json=registration_fields()).status_code == 201


def test_web_form_refuses_a_forged_post(live: LiveServer) -> None:
    base = live.process.base_url
    before = len(live.admin().get("/admin/registrations").json())
    fields = registration_fields()
    form = {
        "type_identifiant": "rpps",
        "identifiant": fields["identifier"],
        "nom": fields["last_name"],
        "prenom": fields["first_name"],
        "profession": "60",
        "commune": "91228",
        "adresse": fields["address_line"],
        "telephone": fields["phone"],
        "email": fields["email"],
        "mot_de_passe": PASSWORD,
        "confirmation": PASSWORD,
    }
    files = {"justificatif": ("cps.png", PNG, "image/png")}
    with httpx.Client(base_url=base, timeout=10) as browser:
        token = browser.get("/pro/inscription").cookies["centrale_login"]
        forged = browser.post("/pro/inscription", data={**form, "jeton": "contrefait"}, files=files)
        assert forged.status_code == 403
        assert "Le formulaire a expiré" in forged.text
        other_site = browser.post(
            "/pro/inscription",
            data={**form, "jeton": token},
            files=files,
            headers={"Origin": "https://ailleurs.example"},
        )
        assert other_site.status_code == 403
    assert len(live.admin().get("/admin/registrations").json()) == before  # nothing stored
    refusals = live.admin().get("/admin/audit", params={"action": "csrf_refused", "limit": 1000}).json()
    assert any(e["detail"].get("reason") == "enrolment_token" for e in refusals)
