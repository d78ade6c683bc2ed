"""« Inscriptions à valider » without Qt: the flags in French, the rows and the form as shown (times
in Paris), the network to choose on « Valider », the refusal's reason checked."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from desktop.state.back_office.accounts import FormInvalid
from desktop.state.back_office.registrations import (
    CREATE_NETWORK,
    NO_NETWORK,
    RegistrationRow,
    approval_body,
    detail_lines,
    document_file_name,
    network_choices,
    rejection_reason,
    reviewable,
)
from shared.schemas.back_office import NetworkSummary
from shared.schemas.registrations import RegistrationOut


def registration(**changes: Any) -> RegistrationOut:
    fields: dict[str, Any] = {
        "id": 7,
        "status": "to_review",
        "status_label": "À valider par l'équipe",
        "identifier_kind": "rpps",
        "identifier": "10101010101",
        "last_name": "Martin",
        "first_name": "Élodie",
        "profession_code": "60",
        "profession": "Infirmier",
        "phone": "+33612345678",
        "email": "e.martin@example.org",
        "commune_insee": "91228",
        "commune_name": "Évry-Courcouronnes",
        "postal_code": "91000",
        "address_line": "3 rue de la Gare",
        "network_name": "CPTS du Val",
        "network_id": None,
        "flags": [
            {"code": "directory_unknown", "message": "Identifiant absent de l'annuaire"},
            {"code": "directory_mismatch", "message": "Annuaire : DUPONT"},
            {"code": "email_has_account", "message": "E-mail déjà utilisé"},
            {"code": "network_new", "message": "Réseau inconnu"},
        ],
        "directory": None,
        "document_content_type": "image/png",
        "document_size": 4096,
        "phone_verified_at": datetime(2025, 1, 10, 23, 30, tzinfo=UTC),
        "email_verified_at": None,
        "created_at": datetime(2025, 7, 1, 22, 15, tzinfo=UTC),
        "reviewed_by": None,
        "reviewed_at": None,
        "reject_reason": None,
        "user_id": None,
        "username": None,
    }
    fields.update(changes)
    return RegistrationOut.model_validate(fields)


def test_row_in_french_and_paris_time() -> None:
    row = RegistrationRow.of(registration())
    assert row.cells == (
        "02/07/2025 00:15",  # 22:15 UTC is past midnight in Paris (summer time)
        "Martin",
        "Élodie",
        "RPPS 10101010101",
        "Infirmier",
        "Évry-Courcouronnes (91000)",
        "CPTS du Val (nouveau)",
        "RPPS inconnu, nom/profession différents, doublon (e-mail), réseau nouveau",
    )
    adeli = RegistrationRow.of(registration(identifier_kind="adeli", identifier="751234567", flags=[]))
    assert adeli.cells[3] == "ADELI 751234567"
    assert adeli.cells[7] == "—"


def test_detail_lines() -> None:
    lines = detail_lines(registration())
    assert "Téléphone mobile : +33612345678 — vérifié : oui, le 11/01/2025 à 00:30" in lines
    assert "E-mail : e.martin@example.org — vérifié : non" in lines
    assert "Annuaire national : aucune fiche trouvée" in lines
    assert "  • doublon (e-mail) — E-mail déjà utilisé" in lines
    assert lines[-1] == "Pièce justificative : image PNG (4 Kio)"
    refused = detail_lines(registration(status="rejected", status_label="Refusée", reject_reason="Illisible"))
    assert refused[-1] == "Motif du refus : Illisible"


def test_document_file_name() -> None:
    assert document_file_name(registration(), "application/pdf") == "piece-justificative-inscription-7.pdf"
    assert document_file_name(registration(), "image/jpeg") == "piece-justificative-inscription-7.jpg"


def test_network_choice_on_approval() -> None:
    new = registration()
    networks = [
        NetworkSummary(id=3, name="Sud", members=1, professionals=1, active_members=1),
        NetworkSummary(id=2, name="Nord", members=0, professionals=0, active_members=0),
    ]
    choices = network_choices(new, networks)
    assert [c.label for c in choices] == [
        "Créer le réseau « CPTS du Val »",
        "Rattacher à « Nord »",
        "Rattacher à « Sud »",
        "Aucun réseau",
    ]
    with pytest.raises(FormInvalid) as refused:
        approval_body(new, None)
    assert "Réseau" in refused.value.errors
    assert approval_body(new, CREATE_NETWORK) == {"create_network": True}
    assert approval_body(new, 2) == {"network_id": 2}
    assert approval_body(new, NO_NETWORK) == {}
    assert approval_body(registration(network_id=5), None) == {}  # a known network: nothing to choose
    assert approval_body(registration(network_name=None), None) == {}


def test_reason_and_reviewable() -> None:
    with pytest.raises(FormInvalid) as refused:
        rejection_reason("   ")
    assert refused.value.errors["Motif"].startswith("obligatoire")
    with pytest.raises(FormInvalid):
        rejection_reason("x" * 1001)
    assert rejection_reason("  Pièce illisible ") == "Pièce illisible"
    assert reviewable(registration()) is None
    assert "vérification" in (reviewable(registration(status="unverified")) or "")
    assert reviewable(registration(status="approved", status_label="Validée")) == (
        "Cette inscription est déjà traitée (validée)"
    )


def test_delivery_filters_and_rows() -> None:
    from desktop.state.back_office.audit import FilterInvalid
    from desktop.state.back_office.deliveries import DeliveryFilterForm, DeliveryRow
    from shared.schemas.notify import DeliveryView

    form = DeliveryFilterForm("n° 12", "sms", "suppressed", "offer", "30/03/2025", "30/03/2025")
    assert form.params() == {
        "user_id": 12,
        "channel": "sms",
        "status": "suppressed",
        "purpose": "offer",
        "since": "2025-03-30T00:00:00+01:00",  # the day the clocks change, in Paris
        "until": "2025-03-31T00:00:00+02:00",
    }
    with pytest.raises(FilterInvalid, match="Professionnel"):
        DeliveryFilterForm(professional="Dupont").params()
    with pytest.raises(FilterInvalid, match="Période"):
        DeliveryFilterForm(since="02/03/2025", until="01/03/2025").params()
    view = DeliveryView(
        id=5,
        channel="sms",
        purpose="offer",
        user_id=12,
        user_name="Martin Élodie",
        recipient="+33 6 •• •• •• 78",
        subject=None,
        text="…",
        status="suppressed",
        status_label="Non envoyé",
        reason="heures de silence",
        attempts=0,
        next_attempt_at=None,
        last_error=None,
        created_at=datetime(2025, 1, 1, 7, 5, tzinfo=UTC),
        sent_at=None,
        provider_message_id=None,
        prescription_id=None,
    )
    assert DeliveryRow.of(view).cells == (
        "01/01/2025 08:05",
        "SMS",
        "Nouvelle demande",
        "Martin Élodie",
        "+33 6 •• •• •• 78",
        "Non envoyé",
        "0",
        "heures de silence",
    )
