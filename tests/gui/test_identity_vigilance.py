"""Issue 17, item 15 (RNIV) on « Patient »: the status chooser offers only what the evidence
supports. Without an INSi connection the page says the INS cannot be recovered here and never offers
« qualifiée »; « validée » is offered once a document is checked and needs the birth place."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox

from desktop.state.wizard.wizard import Operator, Step, Wizard
from desktop.ui.wizard.patient_page import PatientPage
from desktop.ui.wizard.window import WizardWindow
from shared.validation.identity_vigilance import INSI_UNAVAILABLE
from tests.support.desktop import EVRY
from tests.support.gui import activate, run
from tests.support.live import make_nir, unique_name, unique_phone

BORN = date(1958, 9, 3)


async def _never_sent(_wizard: Wizard) -> None:
    raise AssertionError("nothing is sent from this test")


def _on_patient() -> Wizard:
    wizard = Wizard.from_dashboard(Operator(user_id=7, display_name="Opératrice"))
    assert wizard.next(), wizard.errors
    search = wizard.search
    search.phone, search.last_name, search.first_name = unique_phone(), unique_name("RNIV"), "Hélène"
    search.birth_date = BORN.strftime("%d/%m/%Y")
    search.card_nir = make_nir(2, BORN)  # read from a Carte Vitale: not an identity document
    wizard.choose_new_patient()
    assert wizard.next(), wizard.errors
    wizard.set_field(Step.PATIENT, "sex", "F")
    wizard.set_field(Step.PATIENT, "address_line", "12 rue des Lilas")
    wizard.patient.choose_commune(EVRY)
    return wizard


def _offered(chooser: QComboBox) -> list[str]:
    return [str(chooser.itemData(i)) for i in range(chooser.count())]


def test_the_chooser_refuses_qualified_without_insi_and_offers_validated_with_a_document(loop, qtbot):
    wizard = _on_patient()
    window = WizardWindow(wizard, None, _never_sent)
    qtbot.addWidget(window)
    window.show()
    window.show_step()
    page = window.pages[Step.PATIENT]
    assert isinstance(page, PatientPage)
    chooser = page.form.widgets["identity_status"]
    documents = page.form.widgets["document_type"]
    assert isinstance(chooser, QComboBox)
    assert isinstance(documents, QComboBox)

    async def scenario() -> None:
        await activate(window)
        # The Carte Vitale filled the NIR; only « provisoire » is offered, and why not more is said.
        assert wizard.patient.nir
        assert _offered(chooser) == ["provisional"]
        assert page.insi_text.text() == INSI_UNAVAILABLE
        assert not page.insi_button.isVisible()

        # A status set behind the chooser's back (a draft, a script) is refused by « Suivant ».
        wizard.patient.identity_status = "qualified"
        await window.go_next()
        assert wizard.step is Step.PATIENT
        assert "Identité qualifiée : il manque" in wizard.errors["identity_status"]
        assert "téléservice INSi" in wizard.errors["identity_status"]
        wizard.set_field(Step.PATIENT, "identity_status", "provisional")

        # A passport checked: « validée » is offered, never « qualifiée » nor « récupérée ».
        documents.setCurrentIndex(documents.findData("passport"))
        assert _offered(chooser) == ["provisional", "validated"]
        chooser.setCurrentIndex(chooser.findData("validated"))
        assert wizard.patient.identity_status == "validated"
        await window.go_next()
        assert wizard.step is Step.PATIENT  # the birth place and the birth names are still missing
        assert "Lieu de naissance obligatoire" in page.form.errors["birth_place_insee"].text()

        wizard.set_field(Step.PATIENT, "birth_place_insee", "91228")
        wizard.set_field(Step.PATIENT, "birth_last_name", wizard.patient.last_name)
        wizard.set_field(Step.PATIENT, "birth_first_names", "Hélène Marie")
        page.load()
        await window.go_next()
        assert Step(wizard.step) is Step.USUAL_PROFESSIONALS, wizard.errors  # a fresh read
        assert wizard.patient.create_values()["identity_document"] == {"type": "passport"}
        assert wizard.patient.create_values()["identity_status"] == "validated"

    run(loop, scenario(), timeout=30)


def test_a_family_document_is_for_a_minor_with_the_parent_seen(loop, qtbot):
    wizard = _on_patient()
    window = WizardWindow(wizard, None, _never_sent)
    qtbot.addWidget(window)
    window.show()
    window.show_step()
    page = window.pages[Step.PATIENT]
    assert isinstance(page, PatientPage)
    documents = page.form.widgets["document_type"]
    assert isinstance(documents, QComboBox)

    async def scenario() -> None:
        await activate(window)
        parent_row = page.form.widgets["parent_last_name"]
        assert not parent_row.isVisible()
        documents.setCurrentIndex(documents.findData("family_record_book"))
        assert parent_row.isVisible()  # the parent's identity is asked for
        await window.go_next()
        assert "accepté seulement pour un mineur" in wizard.errors["document_type"]  # born in 1958

    run(loop, scenario(), timeout=30)
