"""The attachment pre-check: type by content, 2 Mo at most, the same verdict as the server's."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.attachments import read_attachment
from desktop.state.attachments import check_attachment, detect_type, safe_filename, size_text
from server.services.documents import check_content
from server.services.documents import detect_type as server_detect_type
from shared.schemas.exchanges import DOCUMENT_MAX_BYTES
from shared.validation import ValidationFailure

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
SAMPLES = [PDF, PNG, JPG, b"GIF89a....", b"<html>%PDF-</html>", b"PK\x03\x04", b"%PDF", b" %PDF-1.4"]


@pytest.mark.parametrize("data", SAMPLES)
def test_detection_agrees_with_the_server(data: bytes) -> None:
    assert detect_type(data) == server_detect_type(data)


@pytest.mark.parametrize(
    ("data", "expected"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPG, "image/jpeg")]
)
def test_accepted_types(data: bytes, expected: str) -> None:
    attachment = check_attachment("compte-rendu", data)
    assert (attachment.content_type, attachment.data) == (expected, data)
    assert check_content(data) == expected  # the server accepts it too


def test_a_fake_pdf_is_refused_by_its_content_whatever_its_name() -> None:
    with pytest.raises(ValidationFailure) as refused:
        check_attachment("ordonnance.pdf", b"Ceci n'est pas un PDF")
    assert refused.value.message == (
        "« ordonnance.pdf » refusé : Seuls les fichiers JPG, PNG et PDF sont acceptés"
    )


def test_over_2_mo_is_refused_with_the_size() -> None:
    with pytest.raises(ValidationFailure) as refused:
        check_attachment("scan.pdf", PDF + b"0" * (DOCUMENT_MAX_BYTES))
    assert refused.value.message == "« scan.pdf » refusé : Limitation à 2 Mo par fichier (2,0 Mo)"
    at_limit = PDF.ljust(DOCUMENT_MAX_BYTES, b"0")
    assert check_attachment("juste.pdf", at_limit).content_type == "application/pdf"


def test_empty_file_refused() -> None:
    with pytest.raises(ValidationFailure, match="Le fichier est vide"):
        check_attachment("vide.png", b"")


def test_read_attachment_from_disk(tmp_path: Path) -> None:
    good = tmp_path / "cr.pdf"
    good.write_bytes(PDF)
    assert read_attachment(good).filename == "cr.pdf"
    big = tmp_path / "gros.pdf"
    with big.open("wb") as handle:
        handle.write(PDF)
        handle.truncate(5 * 1024 * 1024)
    with pytest.raises(ValidationFailure) as refused:
        read_attachment(big)
    assert refused.value.message == "« gros.pdf » refusé : Limitation à 2 Mo par fichier (5,0 Mo)"
    with pytest.raises(ValidationFailure, match=r"« absent\.pdf » illisible"):
        read_attachment(tmp_path / "absent.pdf")


def test_size_text_and_safe_names() -> None:
    assert [size_text(12), size_text(320 * 1024), size_text(2_621_440)] == ["12 octets", "320 Ko", "2,5 Mo"]
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\dossier\\cr\x00.pdf") == "cr.pdf"
    assert safe_filename(" .. ") == "document"
