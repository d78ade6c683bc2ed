"""The RNIV's rules (shared/validation/identity_vigilance.py), each with the source it follows, and the
INSi adapter's selection (never the fake by default, never beside a remote database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from server.insi import InsiSettingError, teleservice_for
from server.insi.fake import FakeInsi
from server.settings import Settings, SettingsError
from shared.domain import IdentityStatus
from shared.schemas.identity_evidence import InsiQuery
from shared.validation import ValidationFailure, nir_key
from shared.validation.identity_vigilance import (
    IdentityDocument,
    check_document,
    check_status_evidence,
    highest_supported,
    missing_strict_traits,
    supported_statuses,
)

TODAY = date(2026, 12, 4)
P, R, V, Q = (IdentityStatus.PROVISIONAL, IdentityStatus.RECOVERED, IdentityStatus.VALIDATED,
              IdentityStatus.QUALIFIED)  # fmt: skip


@pytest.mark.parametrize(
    ("document", "insi", "offered"),
    [(False, False, [P]), (True, False, [P, V]), (False, True, [P, R]), (True, True, [P, R, V, Q])],
)
def test_rniv1_each_status_needs_its_evidence(
    document: bool, insi: bool, offered: list[IdentityStatus]
) -> None:
    """[RNIV1]: validée = document, récupérée = INSi, qualifiée = both."""
    assert supported_statuses(document_checked=document, insi_recovered=insi) == offered
    assert highest_supported(document_checked=document, insi_recovered=insi) == offered[-1]


def test_rniv1_a_refusal_names_what_is_missing() -> None:
    with pytest.raises(ValidationFailure) as refused:
        check_status_evidence(Q, document_checked=False, insi_recovered=False)
    assert refused.value.code == "identity_evidence_missing"
    assert refused.value.message == (
        "Identité qualifiée : il manque une pièce d'identité à haut niveau de confiance vérifiée "
        "et l'INS récupérée par le téléservice INSi"
    )
    check_status_evidence(V, document_checked=True, insi_recovered=False)
    check_status_evidence(P, document_checked=False, insi_recovered=False)


def test_rniv1_five_strict_traits_birth_place_included() -> None:
    complete = {"birth_last_name": "Leroy", "birth_first_names": "Anne", "birth_date": "1960-01-01",
                "sex": "F", "birth_place_insee": "91228"}  # fmt: skip
    assert missing_strict_traits(complete) == []
    assert missing_strict_traits({**complete, "birth_place_insee": ""}) == ["Lieu de naissance (code INSEE)"]
    assert missing_strict_traits({**complete, "sex": "U"}) == ["Sexe"]


@pytest.mark.parametrize("document", ["identity_card", "passport", "residence_permit"])
def test_idna_high_trust_documents_for_anyone(document: str) -> None:
    """[IDNA]: the passport, the identity card, the residence permit."""
    check_document(IdentityDocument(document), None, None, date(1950, 1, 1), TODAY)


@pytest.mark.parametrize("document", ["family_record_book", "birth_certificate"])
def test_ara_family_documents_only_for_a_minor_with_a_parent_seen(document: str) -> None:
    """[ARA] (RNIV volet 1 § 3.3.3): a minor, with a parent's high-trust document."""
    family = IdentityDocument(document)
    with pytest.raises(ValidationFailure) as adult:
        check_document(
            family, IdentityDocument.PASSPORT, "Leroy Claire", date(2008, 12, 4), TODAY
        )  # 18 today
    assert adult.value.code == "identity_document_minor_only"
    child = date(2008, 12, 5)
    for parent_document, parent in ((None, "Leroy Claire"), (IdentityDocument.PASSPORT, " "),
                                    (IdentityDocument.BIRTH_CERTIFICATE, "Leroy Claire")):  # fmt: skip
        with pytest.raises(ValidationFailure) as refused:
            check_document(family, parent_document, parent, child, TODAY)
        assert refused.value.code == "identity_document_parent_missing"
    check_document(family, IdentityDocument.IDENTITY_CARD, "Leroy Claire", child, TODAY)


def test_the_fake_insi_is_chosen_explicitly_and_never_beside_a_remote_database(tmp_path: Path) -> None:
    assert teleservice_for("") is None
    assert Settings.from_env({"CENTRALE_DATA_DIR": str(tmp_path)}).insi == ""  # none by default
    assert isinstance(teleservice_for("fake"), FakeInsi)
    remote = {"CENTRALE_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://centrale@db.example.org/c"}
    with pytest.raises(SettingsError, match="CENTRALE_INSI=fake est refusé"):
        Settings.from_env({**remote, "CENTRALE_INSI": "fake"})
    with pytest.raises(InsiSettingError):
        teleservice_for("no_such_module:factory")


def test_the_fake_insi_answers_with_the_test_oid_and_the_nir_s_birth_place() -> None:
    born = date(1960, 1, 15)
    body = f"2{born.year % 100:02d}{born.month:02d}91228123"
    nir = f"{body}{nir_key(body):02d}"
    query = InsiQuery(birth_last_name="Leroy", first_name="Anne", sex="F", birth_date=born, nir=nir)
    found = FakeInsi().search(query)
    assert found is not None
    assert (found.nir, found.ins_oid, found.birth_place_insee) == (nir, "1.2.250.1.213.1.4.10", "91228")
    fields = query.model_dump()
    assert FakeInsi().search(InsiQuery.model_validate({**fields, "nir": None})) is None
    assert FakeInsi().search(InsiQuery.model_validate({**fields, "sex": "M"})) is None  # not this NIR's
