"""« Téléphonie » of the back office without Qt: the hotline's settings as a form, each wrong field
refused in French, a valid form the exact `PUT /hotline/settings` body."""

from __future__ import annotations

from desktop.state.back_office.telephony import TelephonyForm, parse_codes, unanswered_note
from shared.schemas.hotline import Code, HotlineSettings

SETTINGS = HotlineSettings(
    pause_reasons=[Code(code="repas", label="Repas"), Code(code="unanswered", label="Appels non répondus")],
    qualifications=[Code(code="renseignement", label="Renseignement")],
    wrap_up_seconds=30,
    unanswered_limit=3,
    strategy="longest_idle",
    ring_seconds=15,
)


def test_the_form_round_trips_the_settings() -> None:
    form = TelephonyForm.of(SETTINGS)
    assert form.pause_reasons == "repas = Repas\nunanswered = Appels non répondus"
    assert form.checked() == SETTINGS
    form.qualifications += "\n\nrappel_prevu = Rappel prévu  "
    form.numbers["wrap_up_seconds"] = 45
    saved = form.checked()
    assert saved is not None
    assert saved.qualifications[-1] == Code(code="rappel_prevu", label="Rappel prévu")
    assert saved.wrap_up_seconds == 45


def test_each_wrong_field_is_refused_in_french() -> None:
    form = TelephonyForm.of(SETTINGS)
    form.pause_reasons = "repas = Repas\nRepas du soir"
    form.qualifications = "Erreur-numéro = Erreur"
    form.numbers["ring_seconds"] = 2
    form.strategy = "random"
    assert form.checked() is None
    assert form.errors == {
        "pause_reasons": "Ligne 2 : écrivez « code = Libellé » (par exemple « repas = Repas »)",
        "qualifications": (
            "Ligne 1 : le code « Erreur-numéro » ne doit contenir que a-z, 0-9 et _ (40 au plus)"
        ),
        "ring_seconds": "Durée de sonnerie d'une offre (s) : entre 5 et 120",
        "strategy": "Choisissez une stratégie de distribution",
    }
    assert parse_codes("a = A\na = B") == ([], "Ligne 2 : le code « a » est déjà dans la liste")
    assert parse_codes("  \n") == ([], "Au moins une ligne « code = Libellé »")
    assert unanswered_note([Code(code="repas", label="Repas")]).startswith(
        "« unanswered = Appels non répondus »"
    )
    assert unanswered_note(SETTINGS.pause_reasons) == ""
