"""Shared by the comment, document and incident tests: real files, a prescription scene, the feed."""

from __future__ import annotations

import base64
import itertools
import json
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from tests.support.live import LiveServer, patient_body

# A real 16 × 16 baseline JPEG (CPython's test data, imghdrdata/python.jpg), 543 bytes.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8Q"
    "EBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ"
    "EBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAABwQF/8QAJBAAAQQBBAICAwAAAAAAAAAAAQID"
    "BAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/EACMRAAECBQMFAAAAAAAAAAAAAAECEQMEBQYhABIxFRZhgeH/"
    "2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPkJWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXmm3fX5m2nF4GlVxx/HOpx"
    "4ks51+MiU/Iaad7UcUo4tILoS4kqcWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5SWVPuciFKRFLgSrwetnyPIB+"
    "Vb4N9mKhQMzo5po9XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27flGAUgmITjbhSmCg3BYlyeWDkMolv"
    "w4KOp1KM6iCNvngZHwetf//Z"
)
_latitudes = itertools.count(46.0, 0.3)  # one place per scene: tests share a server


def png_bytes() -> bytes:
    """A 1 × 1 red PNG, built chunk by chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(pad_to: int = 0) -> bytes:
    """A one-page PDF with its cross-reference table; `pad_to` appends a comment up to that size."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    if pad_to:
        out += b"%" + b"0" * (pad_to - len(out) - 2) + b"\n"
    return out


@dataclass
class Scene:
    """A pending prescription: who asked, who was notified, who was not."""

    operator: httpx.Client
    requester: httpx.Client
    responders: list[httpx.Client]
    outsider: httpx.Client
    patient_id: int
    case_id: int
    prescription_id: int

    @property
    def base(self) -> str:
        return f"/prescriptions/{self.prescription_id}"


def scene(server: LiveServer, *, usual: bool = False, pool: int = 2, longitude: float = 6.0) -> Scene:
    """With `usual`, the first responder is the patient's usual nurse, notified alone (in full)."""
    lat = next(_latitudes)
    _, operator = server.user("operator")
    asker, requester = server.professional(latitude=lat, longitude=longitude, profession_code="10")
    nurses = [
        server.professional(latitude=lat, longitude=longitude, profession_code="60") for _ in range(pool)
    ]
    _, outsider = server.professional(latitude=lat + 2, longitude=longitude, profession_code="60")
    patient = operator.post("/patients", json=patient_body(latitude=lat, longitude=longitude))
    assert patient.status_code == 201, patient.text
    patient_id = patient.json()["id"]
    if usual:
        declared = operator.put(
            f"/patients/{patient_id}/usual-professionals",
            json=[{"profession_code": "60", "rpps": nurses[0][0]["rpps"]}],
        )
        assert declared.status_code == 200, declared.text
    prescription = {
        "profession_code": "60",
        "care_type": "Pansement",
        "care_mode": "visit",
        "intervention_delay_minutes": 120,
        "response_delay_minutes": 60,
        "comment": "Pansement à refaire",
    }
    sent = operator.post(
        "/cases",
        json={
            "caller": {"name": "Dr Appelant"},
            "requester": {"rpps": asker["rpps"]},
            "patient_id": patient_id,
            "prescriptions": [prescription],
        },
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["prescriptions"][0]["notified_count"] == (1 if usual else pool)
    return Scene(
        operator,
        requester,
        [client for _, client in nurses],
        outsider,
        patient_id,
        sent.json()["case_id"],
        sent.json()["prescriptions"][0]["id"],
    )


def feed_events(server: LiveServer, type_: str, **match: Any) -> list[dict[str, Any]]:
    """The change-feed rows of a type, read in the database (whatever route serves the feed)."""
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT seq, case_id, prescription_id, data FROM events WHERE type = :t ORDER BY seq"),
                {"t": type_},
            ).all()
    finally:
        engine.dispose()
    found = [
        {"seq": seq, "case_id": c, "prescription_id": p, "data": json.loads(d) if isinstance(d, str) else d}
        for seq, c, p, d in rows
    ]
    return [e for e in found if all(e["data"].get(k) == v for k, v in match.items())]


def check_served_feed(client: httpx.Client, event: dict[str, Any], type_: str) -> None:
    """The same event as GET /changes serves it to the staff."""
    served = client.get("/changes", params={"after": event["seq"] - 1, "limit": 1})
    assert served.status_code == 200, served.text
    assert served.json()["events"][0]["seq"] == event["seq"]
    assert served.json()["events"][0]["type"] == type_
    assert served.json()["events"][0]["data"] == event["data"]
