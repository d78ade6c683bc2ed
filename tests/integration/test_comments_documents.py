"""Comments and documents on a prescription, against real server processes (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import httpx

from tests.integration.exchange_scenes import (
    JPEG,
    check_served_feed,
    feed_events,
    pdf_bytes,
    png_bytes,
    scene,
)
from tests.support.live import LiveServer

MIB = 1024 * 1024
TOO_LARGE = {"code": "document_too_large", "detail": "Limitation à 2 Mo par fichier"}
UNSUPPORTED = {"code": "unsupported_media_type", "detail": "Seuls les fichiers JPG, PNG et PDF sont acceptés"}


def upload(
    client: httpx.Client, base: str, name: str, data: bytes, declared: str, **form: str
) -> httpx.Response:
    return client.post(f"{base}/documents", files={"file": (name, data, declared)}, data=form)


def test_comments_with_tags_are_listed_in_order_and_announced_without_their_text(server: LiveServer) -> None:
    s = scene(server)
    first = s.operator.post(
        f"{s.base}/comments", json={"text": "  Patiente sourde, insister  ", "tag": "accès"}
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["text"], body["tag"], body["prescription_id"]) == (
        "Patiente sourde, insister",
        "accès",
        s.prescription_id,
    )
    assert body["author"]["name"] == "Operator de test"
    second = s.requester.post(f"{s.base}/comments", json={"text": "Merci de rappeler le cabinet"})
    assert second.status_code == 201, second.text
    assert second.json()["tag"] is None

    listed = s.operator.get(f"{s.base}/comments")
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()] == [body["id"], second.json()["id"]]  # newest last
    timeline = s.operator.get(f"/patients/{s.patient_id}/timeline").json()
    assert any(e["kind"] == "comment" and "Patiente sourde" in e["label"] for e in timeline)

    events = feed_events(server, "prescription_commented", comment_id=body["id"])
    assert len(events) == 1
    assert events[0]["prescription_id"] == s.prescription_id
    assert events[0]["data"]["tag"] == "accès"
    assert "Patiente sourde" not in json.dumps(events[0], ensure_ascii=False)
    check_served_feed(s.operator, events[0], "prescription_commented")
    audit = server.admin().get(
        "/admin/audit", params={"patient_id": s.patient_id, "action": "prescription_comment"}
    )
    assert [e["detail"]["comment_id"] for e in audit.json()] == [body["id"], second.json()["id"]]


def test_comment_validation(server: LiveServer) -> None:
    s = scene(server, pool=1)
    for payload, code in (
        ({"text": "   "}, "text_required"),
        ({"text": ""}, "text_required"),
        ({"text": "x" * 4001}, "string_too_long"),
        ({"text": "ok", "tag": "t" * 51}, "string_too_long"),
        ({"text": "ok", "colour": "red"}, "extra_forbidden"),
    ):
        refused = s.operator.post(f"{s.base}/comments", json=payload)
        assert refused.status_code == 422, payload
        assert refused.json()["code"] == code
    assert s.operator.get(f"{s.base}/comments").json() == []
    assert s.operator.post("/prescriptions/999999999/comments", json={"text": "x"}).status_code == 404


def test_who_may_comment(server: LiveServer) -> None:
    s = scene(server)
    first, second = s.responders
    for refused in (
        s.outsider.get(f"{s.base}/comments"),
        s.outsider.post(f"{s.base}/comments", json={"text": "Je peux ?"}),
    ):
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "forbidden"
    assert server.admin().get(f"{s.base}/comments").status_code == 403
    denied = server.admin().get("/admin/audit", params={"action": "forbidden"}).json()
    assert any(e["detail"].get("attempted") == "prescription_comment" for e in denied)

    # Pending: an anonymised responder may ask the requester a question before accepting.
    question = second.post(f"{s.base}/comments", json={"text": "Y a-t-il un ascenseur ?", "tag": "question"})
    assert question.status_code == 201, question.text
    assert first.get(f"{s.base}/comments").status_code == 200

    assert first.post(f"{s.base}/accept").status_code == 200
    reply = s.requester.post(f"{s.base}/comments", json={"text": "Code 1234, 3e étage"})
    assert reply.status_code == 201
    # Taken by someone else: the exchange belongs to the requester and the acceptor now.
    closed = second.get(f"{s.base}/comments")
    assert closed.status_code == 403
    assert closed.json()["code"] == "exchange_closed"
    assert second.post(f"{s.base}/comments", json={"text": "Et moi ?"}).status_code == 403
    seen = first.get(f"{s.base}/comments")
    assert [c["text"] for c in seen.json()] == ["Y a-t-il un ascenseur ?", "Code 1234, 3e étage"]
    assert first.post(f"{s.base}/comments", json={"text": "Je passe à 15 h"}).status_code == 201


def test_documents_are_recognised_by_content_and_returned_byte_identical(server: LiveServer) -> None:
    s = scene(server, pool=1)
    pdf = pdf_bytes()
    for name, data, declared, expected_type, expected_name in (
        ("photo.jpeg", JPEG, "image/jpeg", "image/jpeg", "photo.jpg"),
        ("plaie.png", png_bytes(), "image/png", "image/png", "plaie.png"),
        ("ordonnance.pdf", pdf, "application/pdf", "application/pdf", "ordonnance.pdf"),
        ("scan.jpg", pdf, "image/jpeg", "application/pdf", "scan.pdf"),  # a PDF renamed .jpg
        ("../../etc/Compte rendu é.PNG", png_bytes(), "text/plain", "image/png", "Compte rendu é.png"),
        ("x" * 300 + ".pdf", pdf, "application/pdf", "application/pdf", "x" * 196 + ".pdf"),
    ):
        added = upload(s.operator, s.base, name, data, declared)
        assert added.status_code == 201, added.text
        meta = added.json()
        assert (meta["content_type"], meta["filename"], meta["size"]) == (
            expected_type,
            expected_name,
            len(data),
        )
        got = s.operator.get(f"{s.base}/documents/{meta['id']}")
        assert got.status_code == 200
        assert got.content == data
        assert got.headers["content-type"] == expected_type
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert "filename*=UTF-8''" in got.headers["content-disposition"]
    accented = s.operator.get(f"{s.base}/documents").json()[4]
    got = s.operator.get(f"{s.base}/documents/{accented['id']}")
    assert got.headers["content-disposition"].endswith("filename*=UTF-8''Compte%20rendu%20%C3%A9.png")

    titled = upload(s.operator, s.base, "IMG_0001.pdf", pdf, "application/pdf", title="Ordonnance du 12")
    assert titled.json()["filename"] == "Ordonnance du 12.pdf"
    listed = s.operator.get(f"{s.base}/documents").json()
    assert [d["filename"] for d in listed][-1] == "Ordonnance du 12.pdf"
    assert len(listed) == 7
    assert s.operator.get(f"/prescriptions/{s.prescription_id}/documents/999999999").status_code == 404

    events = feed_events(server, "prescription_document_added", document_id=titled.json()["id"])
    assert len(events) == 1
    assert events[0]["data"]["content_type"] == "application/pdf"
    assert "Ordonnance" not in json.dumps(events[0])
    check_served_feed(s.operator, events[0], "prescription_document_added")


def test_documents_refused_by_type_and_size(server: LiveServer) -> None:
    s = scene(server, pool=1)
    for name, data in (
        ("notes.pdf", b"Ceci n'est pas un PDF\n"),
        ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 100),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 100),
        ("page.pdf", b" %PDF-1.4 but not at the start"),
    ):
        refused = upload(s.operator, s.base, name, data, "application/pdf")
        assert refused.status_code == 415, name
        assert refused.json() == UNSUPPORTED

    exact = upload(s.operator, s.base, "max.pdf", pdf_bytes(pad_to=2 * MIB), "application/pdf")
    assert exact.status_code == 201, exact.text
    assert exact.json()["size"] == 2 * MIB
    one_more = upload(s.operator, s.base, "max.pdf", pdf_bytes(pad_to=2 * MIB + 1), "application/pdf")
    assert one_more.status_code == 413
    assert one_more.json() == TOO_LARGE
    # Five megabytes are refused before anything is read: even before the token is checked.
    anonymous = server.client()
    huge = upload(anonymous, s.base, "big.pdf", pdf_bytes(pad_to=5_000_000), "application/pdf")
    assert huge.status_code == 413
    assert huge.json() == TOO_LARGE
    assert upload(anonymous, s.base, "small.pdf", pdf_bytes(), "application/pdf").status_code == 401

    empty = upload(s.operator, s.base, "vide.pdf", b"", "application/pdf")
    assert empty.status_code == 422
    assert empty.json()["code"] == "document_empty"
    assert [d["size"] for d in s.operator.get(f"{s.base}/documents").json()] == [2 * MIB]

    # Elsewhere the general limit (1 MiB) is unchanged.
    big_comment = s.operator.post(f"{s.base}/comments", json={"text": "x" * (3 * MIB // 2)})
    assert big_comment.status_code == 413
    assert big_comment.json()["code"] == "payload_too_large"


def test_who_may_see_documents(server: LiveServer) -> None:
    s = scene(server)
    first, second = s.responders
    added = upload(s.operator, s.base, "ordonnance.pdf", pdf_bytes(), "application/pdf")
    assert added.status_code == 201
    doc = f"{s.base}/documents/{added.json()['id']}"
    # Anonymised responders never get documents; people never notified neither.
    for client, code in (
        (second, "documents_restricted"),
        (first, "documents_restricted"),
        (s.outsider, "forbidden"),
    ):
        for response in (
            client.get(f"{s.base}/documents"),
            client.get(doc),
            upload(client, s.base, "a.png", png_bytes(), "image/png"),
        ):
            assert response.status_code == 403
            assert response.json()["code"] == code
    assert server.admin().get(doc).status_code == 403
    # The acceptor and the requester do.
    assert first.post(f"{s.base}/accept").status_code == 200
    assert first.get(doc).content == pdf_bytes()
    assert upload(first, s.base, "plaie.png", png_bytes(), "image/png").status_code == 201
    assert len(s.requester.get(f"{s.base}/documents").json()) == 2
    assert second.get(doc).status_code == 403

    # A usual professional, notified in full before anyone accepts, does too.
    u = scene(server, usual=True)
    usual = u.responders[0]
    assert upload(usual, u.base, "bilan.jpg", JPEG, "image/jpeg").status_code == 201
    listed = usual.get(f"{u.base}/documents").json()
    assert usual.get(f"{u.base}/documents/{listed[0]['id']}").content == JPEG
    assert u.responders[1].get(f"{u.base}/documents").status_code == 403  # not notified yet
    read = server.admin().get(
        "/admin/audit", params={"patient_id": u.patient_id, "action": "prescription_document_read"}
    )
    assert len(read.json()) == 1
