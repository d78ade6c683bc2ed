"""Issue 18, « Wording », two fixes on « Patient » that had no test: the NIR's error is said once
after « Suivant » (under the field, not again in the live check below it), and the Carte Vitale's
notice wraps rather than widen the form (the window keeps its width, no sideways scrolling)."""

from __future__ import annotations

import asyncio
from datetime import date

from PySide6.QtWidgets import QLabel, QLineEdit, QScrollArea

from desktop.state.wizard.patient_step import CARD_NIR_NOTICE
from desktop.state.wizard.wizard import Operator, Step, Wizard
from desktop.ui.wizard.patient_page import PatientPage
from desktop.ui.wizard.window import WizardWindow
from tests.support.desktop import EVRY
from tests.support.gui import activate, run, type_text, wait_for
from tests.support.live import make_nir, unique_name, unique_phone

BORN = date(1961, 4, 12)


async def _never_sent(_wizard: Wizard) -> None:
    raise AssertionError("nothing is sent from this test")


def _on_patient(card_nir: str = "") -> Wizard:
    """A new patient, standing on « Patient » with sex, address and commune given."""
    wizard = Wizard.from_dashboard(Operator(user_id=7, display_name="Opératrice"))
    assert wizard.next(), wizard.errors
    search = wizard.search
    search.phone, search.last_name, search.first_name = unique_phone(), unique_name("NIR"), "Hélène"
    search.birth_date = BORN.strftime("%d/%m/%Y")
    search.card_nir = card_nir
    wizard.choose_new_patient()
    assert wizard.next(), wizard.errors
    assert wizard.step is Step.PATIENT
    wizard.set_field(Step.PATIENT, "sex", "F")
    wizard.set_field(Step.PATIENT, "address_line", "12 rue des Lilas")
    wizard.patient.choose_commune(EVRY)
    return wizard


def _window(qtbot, wizard: Wizard) -> tuple[WizardWindow, PatientPage]:
    window = WizardWindow(wizard, None, _never_sent)
    qtbot.addWidget(window)
    window.show()
    window.show_step()
    page = window.pages[Step.PATIENT]
    assert isinstance(page, PatientPage)
    return window, page


def _shown_with(page: PatientPage, words: str) -> list[QLabel]:
    return [label for label in page.findChildren(QLabel) if label.isVisible() and words in label.text()]


def test_the_nir_error_is_said_once_after_suivant(loop, qtbot):
    wizard = _on_patient()
    window, page = _window(qtbot, wizard)
    good = make_nir(2, BORN)
    bad = good[:-2] + f"{(int(good[-2:]) % 97) + 1:02d}"  # a wrong key
    nir = page.form.widgets["nir"]
    assert isinstance(nir, QLineEdit)

    async def scenario() -> None:
        await activate(window)
        nir.setFocus()
        await type_text(window, bad)
        message = wizard.patient.nir_feedback(wizard.today())
        assert message
        assert message in page.nir_check.text()  # the live check says it while typing
        assert len(_shown_with(page, message)) == 1

        await window.go_next()
        assert wizard.step is Step.PATIENT  # refused
        assert wizard.errors.get("nir") == message
        assert page.form.errors["nir"].text() == message
        assert [label.objectName() for label in _shown_with(page, message)] == ["error_nir"]  # once
        assert message not in window.message.text()  # not under the page either

        nir.setFocus()
        nir.selectAll()
        await type_text(window, good)  # corrected: the error goes, the key is said right
        assert _shown_with(page, message) == []
        assert "Clé du NIR correcte" in page.nir_check.text()

    run(loop, scenario(), timeout=20)


def test_the_carte_vitale_notice_wraps_instead_of_widening_the_form(loop, qtbot):
    wizard = _on_patient(card_nir=make_nir(2, BORN))
    assert wizard.patient.notices.get("nir") == CARD_NIR_NOTICE
    window, page = _window(qtbot, wizard)
    window.resize(1, 720)  # as narrow as the window goes: the notice is longer than a line there
    label = page.nir_check

    async def scenario() -> None:
        await wait_for(lambda: label.isVisible(), what="the notice")
        assert CARD_NIR_NOTICE in label.text()
        narrowest = window.width()
        scroll = page.parentWidget()
        while scroll is not None and not isinstance(scroll, QScrollArea):
            scroll = scroll.parentWidget()
        assert isinstance(scroll, QScrollArea)
        assert label.width() < label.fontMetrics().horizontalAdvance(CARD_NIR_NOTICE)  # on several lines
        wizard.patient.notices["nir"] = f"{CARD_NIR_NOTICE} ; {CARD_NIR_NOTICE}"  # longer still
        page.load()
        await asyncio.sleep(0.1)  # the layout settles
        assert window.width() == narrowest  # the window did not grow
        assert window.minimumSizeHint().width() <= narrowest
        assert scroll.horizontalScrollBar().maximum() == 0  # nor does the form scroll sideways
        assert label.height() >= label.heightForWidth(label.width())  # every wrapped line shown

    run(loop, scenario(), timeout=20)
