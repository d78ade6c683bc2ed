"""Issue 18, items 10 and 8, on the wizard's real pages against a real server:
- the live search runs with one trait — the phone alone (what a caller gives first), the name alone;
- a new phone typed on « Recherche patient » for a known patient is never dropped: « Patient »
  offers « Remplacer le téléphone » / « Ajouter en Téléphone 2 » / « Ne pas l'enregistrer », and the
  choice goes to the server through the version-checked patient update."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.state.wizard.wizard import Step, Wizard
from desktop.ui.wizard.patient_page import PatientPage
from desktop.ui.wizard.search_page import SearchPage
from shared.validation import format_phone_national, normalize_phone
from tests.support.desktop import operator_account
from tests.support.gui import activate, line_text, run, type_text, wait_for
from tests.support.live import LiveServer, patient_body, unique_name, unique_phone
from tests.support.supervision_gui import api_client


def _search_page(qtbot, wizard: Wizard, client) -> SearchPage:
    assert wizard.next(), wizard.errors  # « Appelant » (the operator) → « Recherche patient »
    assert wizard.step is Step.SEARCH
    page = SearchPage(wizard, client)
    qtbot.addWidget(page)
    page.show()
    page.load()
    return page


def _found(page: SearchPage) -> set[int]:
    return {match.id for match in page.wizard.search.matches()}


def test_the_live_search_runs_with_the_phone_alone_or_the_name_alone(loop, qtbot, gui_server: LiveServer):
    username, password, operator = operator_account(gui_server)
    http = gui_server.client(gui_server.login(username, password))
    body = patient_body(last_name=unique_name("UNTRAIT"))
    created = http.post("/patients", json=body)
    assert created.status_code == 201, created.text
    patient_id = created.json()["id"]

    async def scenario() -> None:
        client = await api_client(gui_server.process.base_url, username, password)
        page = _search_page(qtbot, Wizard.from_dashboard(operator), client)
        page.form.widgets["phone"].setFocus()
        await type_text(page, body["phone"])  # the phone alone
        await wait_for(lambda: patient_id in _found(page), what="the patient found by phone alone")
        assert "patient(s) trouvé(s)" in page.status.text()

        page = _search_page(qtbot, Wizard.from_dashboard(operator), client)
        page.form.widgets["last_name"].setFocus()
        await type_text(page, body["last_name"])  # the name alone
        await wait_for(lambda: patient_id in _found(page), what="the patient found by name alone")

        page = _search_page(qtbot, Wizard.from_dashboard(operator), client)
        page.form.widgets["first_name"].setFocus()
        await type_text(page, "Hélène")  # a first name alone is too broad for the server: no search
        await page.prepare()
        assert page.wizard.search.live_query() is None
        assert page.results.count() == 0
        await client.aclose()

    run(loop, scenario(), timeout=30)


def test_a_new_phone_for_a_known_patient_is_offered_and_kept(loop, qtbot, gui_server: LiveServer):
    username, password, operator = operator_account(gui_server)
    http = gui_server.client(gui_server.login(username, password))
    born = date(1961, 4, 12)
    body = patient_body(last_name=unique_name("NOUVEAUNUM"), birth_date_obj=born)
    created = http.post("/patients", json=body)
    assert created.status_code == 201, created.text
    patient = created.json()
    assert not patient.get("phone2")
    new_phone = unique_phone()

    async def scenario() -> None:
        client = await api_client(gui_server.process.base_url, username, password)
        wizard = Wizard.from_dashboard(operator)
        page = _search_page(qtbot, wizard, client)
        for name, text in (
            ("phone", new_phone),  # the number the caller gives: not the one on file
            ("last_name", body["last_name"]),
            ("first_name", body["first_name"]),
            ("birth_date", born.strftime("%d/%m/%Y")),
        ):
            page.form.widgets[name].setFocus()
            await type_text(page, text)
        await wait_for(lambda: patient["id"] in _found(page), what="the known patient among the results")
        row = [m.id for m in wizard.search.matches()].index(patient["id"])
        page.results.setCurrentRow(row)
        await wait_for(lambda: wizard.patient.patient_id == patient["id"], what="the patient loaded")
        assert wizard.next(), wizard.errors
        assert wizard.step is Step.PATIENT

        shown = PatientPage(wizard, client)
        qtbot.addWidget(shown)
        shown.show()
        shown.load()
        national = format_phone_national(normalize_phone(new_phone))
        assert shown.offer.isVisible()
        assert national in shown.offer_text.text()
        assert shown.first_field() is shown.offer_buttons["phone"]
        assert not wizard.next()  # never dropped silently: the operator says where it goes
        assert "offered_phone" in wizard.errors

        await activate(shown)
        shown.offer_buttons["phone2"].setFocus()
        QTest.keyClick(shown, Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)  # « Ajouter en Téléphone 2 »
        await wait_for(lambda: not shown.offer.isVisible(), what="the choice applied")
        assert wizard.patient.phone2 == national
        assert line_text(shown, "phone2") == national
        assert wizard.patient.phone == format_phone_national(patient["phone"])  # kept

        patch = wizard.patient.patch_body()
        assert patch is not None
        sent = patch.model_dump(mode="json", exclude_unset=True)
        assert sent["version"] == patient["version"]  # the version-checked update
        assert set(sent) == {"version", "phone2"}
        updated = await client.patch_patient(patient["id"], sent)
        assert updated.phone2 == normalize_phone(new_phone)
        assert updated.phone == patient["phone"]
        await client.aclose()

    run(loop, scenario(), timeout=30)
