"""Issue 18, « Lists », on the wizard's real pages: « Intervenant » in the tutorial's order and words,
« Type PeC » as the tutorial's row of buttons (usable by keyboard, one Tab stop as the list was),
no town inside the caller's « Profession », the four mandatory search traits marked « * » (and
said so to a screen reader), and the results with the age computed on the platform's date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QWidget

from desktop.services.caller_lookup import ServerLookup
from desktop.state import times
from desktop.state.wizard.wizard import Operator, Step, Wizard
from desktop.ui.wizard.caller_page import CallerPage
from desktop.ui.wizard.choice_buttons import ChoiceButtons
from desktop.ui.wizard.qualification_page import QualificationPage
from desktop.ui.wizard.search_page import SearchPage
from shared.validation import normalize_phone
from tests.support.desktop import operator_account
from tests.support.dispatch import Desk, place
from tests.support.gui import activate, run, type_text, wait_for
from tests.support.live import LiveServer, patient_body, unique_name, unique_phone
from tests.support.supervision_gui import api_client

OPERATOR = Operator(user_id=7, display_name="Opératrice")


def _qualification_page(qtbot) -> QualificationPage:
    wizard = Wizard.from_dashboard(OPERATOR)
    page = QualificationPage(wizard)
    qtbot.addWidget(page)
    page.load()
    page.show()
    return page


def test_intervenant_lists_the_tutorials_professions_first_in_its_words(qtbot):
    page = _qualification_page(qtbot)
    box = page._tabs[0].form.widgets["profession_code"]
    assert isinstance(box, QComboBox)
    shown = [(box.itemData(i), box.itemText(i)) for i in range(box.count())]
    assert shown[0] == ("", "— choisir —")
    assert shown[1:6] == [
        ("60", "Infirmier(e)"),
        ("70", "Kiné"),
        ("10", "Médecin"),
        ("21", "Pharmacien"),
        ("50", "Sage-femme"),
    ]
    rest = [text for _code, text in shown[6:]]
    assert "Infirmier psychiatrique" in rest
    assert "Orthophoniste" in rest
    assert len(shown) == 1 + 23  # every TRE_G15 profession, each once
    page.wizard.set_prescription_field(0, "profession_code", "70")
    assert page.wizard.qualification.prescriptions[0].summary().startswith("Kiné")


def test_type_pec_is_a_row_of_buttons_usable_by_keyboard(loop, qtbot):
    page = _qualification_page(qtbot)
    form = page._tabs[0].form
    row = form.widgets["care_mode"]
    assert isinstance(row, ChoiceButtons)
    labels = [button.text() for button in row.buttons]
    assert labels[:5] == ["Visite", "Consultation", "Visio", "Conseil", "Télémédecine"]  # the tutorial's
    assert all(button.isCheckable() and not button.isChecked() for button in row.buttons)
    assert row.accessibleName() == "Type PeC"
    prescription = page.wizard.qualification.prescriptions[0]

    async def scenario() -> None:
        await activate(page)
        form.widgets["care_type"].setFocus()
        QTest.keyClick(form.widgets["care_type"], Qt.Key.Key_Tab)  # one Tab stop, as the list was
        await wait_for(lambda: QApplication.focusWidget() is row, what="the row focused")
        QTest.keyClicks(row, "V")  # the initial picks, as in a list
        assert prescription.care_mode == "visit"
        assert row.buttons[0].isChecked()
        QTest.keyClick(row, Qt.Key.Key_Right)
        assert prescription.care_mode == "office"
        assert [b.isChecked() for b in row.buttons].count(True) == 1
        await type_text(row, "Visio")  # typed quickly, the letters add up
        assert prescription.care_mode == "video"
        assert "Choisi : Visio" in row.accessibleDescription()
        QTest.mouseClick(row.buttons[3], Qt.MouseButton.LeftButton)  # « Conseil » by mouse
        assert prescription.care_mode == "advice"
        QTest.mouseClick(row.buttons[3], Qt.MouseButton.LeftButton)  # again: still chosen
        assert prescription.care_mode == "advice"
        assert row.buttons[3].isChecked()
        QTest.keyClick(row, Qt.Key.Key_Tab)
        await wait_for(lambda: QApplication.focusWidget() is form.widgets["intervention_date"], what="next")
        page.load()  # navigation back and forth shows the value kept
        assert row.value() == "advice"
        assert row.buttons[3].isChecked()

    run(loop, scenario(), timeout=20)


def test_the_callers_profession_is_the_profession_alone(loop, qtbot, gui_server: LiveServer):
    """The screen pop's line names the practice's town to tell candidates apart; « Profession »
    on « Appelant » gets the profession only."""
    username, password, _operator = operator_account(gui_server)
    phone = unique_phone()
    desk = Desk.open(gui_server)
    try:
        lat, lon = place()
        nurse = desk.responder(lat, lon, phone=phone, commune_name="Évry-Courcouronnes", postal_code="91000")
    finally:
        desk.close()

    async def scenario() -> None:
        client = await api_client(gui_server.process.base_url, username, password)
        try:
            candidates = await ServerLookup(client)(normalize_phone(phone))
        finally:
            await client.aclose()
        candidate = next(c for c in candidates if c.id == f"rpps:{nurse.rpps}")
        assert "Évry-Courcouronnes" in candidate.detail  # the popup still tells where
        wizard = Wizard.from_call(normalize_phone(phone), "record-1", candidate)
        page = CallerPage(wizard)
        qtbot.addWidget(page)
        page.load()
        profession = page.form.widgets["caller_profession"]
        assert isinstance(profession, QLineEdit)
        assert profession.text() == "Infirmier"
        assert wizard.caller.caller_profession == "Infirmier"

    run(loop, scenario(), timeout=30)


def _search_page(qtbot, wizard: Wizard, client=None) -> SearchPage:
    assert wizard.next(), wizard.errors  # « Appelant » (the operator) → « Recherche patient »
    assert wizard.step is Step.SEARCH
    page = SearchPage(wizard, client)
    qtbot.addWidget(page)
    page.show()
    page.load()
    return page


def test_the_four_mandatory_search_traits_are_marked(qtbot):
    page = _search_page(qtbot, Wizard.from_dashboard(OPERATOR))
    for name, word in (
        ("phone", "Téléphone"),
        ("last_name", "Nom"),
        ("first_name", "Prénom"),
        ("birth_date", "Date de naissance"),
    ):
        widget = page.form.widgets[name]
        box = widget.parentWidget()
        assert isinstance(box, QWidget)
        label = page.layout_.labelForField(box)
        assert isinstance(label, QLabel)
        assert label.text() == f"{word} *"
        assert widget.accessibleName() == f"{word} (obligatoire)"
    assert page.mandatory_note.isVisible()
    assert page.mandatory_note.text().startswith("* obligatoire")


def test_results_show_the_age_on_the_platforms_date(loop, qtbot, gui_server: LiveServer):
    """Born 08/08/1970; at 00:30 in Paris on 08/08/2022 (22:30 UTC the day before) she is 52."""
    username, password, operator = operator_account(gui_server)
    http = gui_server.client(gui_server.login(username, password))
    name = unique_name("AGEDE")
    body = patient_body(last_name=name, birth_date_obj=date(1970, 8, 8), sex="F")
    created = http.post("/patients", json=body)
    assert created.status_code == 201, created.text
    midnight_past = datetime(2022, 8, 7, 22, 30, tzinfo=UTC)

    async def scenario() -> None:
        client = await api_client(gui_server.process.base_url, username, password)
        try:
            wizard = Wizard.from_dashboard(operator)
            wizard.today = lambda: times.today(now=midnight_past)
            page = _search_page(qtbot, wizard, client)
            page.form.widgets["last_name"].setFocus()
            await type_text(page, name)
            await wait_for(lambda: page.results.count() == 1, what="the patient found")
        finally:
            await client.aclose()
        shown = page.results.item(0).text()
        assert f"{name} " in shown
        assert "— 52 ans — née le 08/08/1970" in shown, shown

    run(loop, scenario(), timeout=30)
