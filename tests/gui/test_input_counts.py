"""How many key presses and clicks a case takes, counted on the real window against a real server:
(a) a known patient with one prescription, from the dashboard; (b) a new patient read from a Carte
Vitale (the card events as the CardService delivers them). The counts may not grow: each test fails
when a change makes the task take more input than measured here."""

from __future__ import annotations

import secrets
import string
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt

from cardreader.cards.atr import CardKind
from cardreader.cards.vitale2 import Beneficiary, VitaleCard
from cardreader.events import CardInserted, CardRead, ReaderAdded
from desktop.state.wizard.wizard import Step
from desktop.ui.main_window import MainWindow
from desktop.ui.wizard.patient_page import PatientPage
from desktop.ui.wizard.search_page import SearchPage
from desktop.ui.wizard.success_dialog import SuccessDialog
from desktop.ui.wizard.window import WizardWindow
from tests.support.desktop import operator_account
from tests.support.gui import activate, close_main_window, open_main_window, run, wait_for
from tests.support.input_counter import InputCounter
from tests.support.live import LiveServer, make_nir, patient_body, unique_phone

ENTER = Qt.Key.Key_Return
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
# Measured with this UI (see docs/desktop.md « Settings and outbox failures »): never more.
KNOWN_PATIENT_MAX = {"keys": 90, "overhead": 26, "clicks": 0}
REPEAT_MAX = {"keys": 49, "overhead": 21, "clicks": 0}
VITALE_PATIENT_MAX = {"keys": 97, "overhead": 35, "clicks": 0}
CARE, COMMENT = "Pansement", "Pansement quotidien"  # the case's own words (content)


def on_step(window: WizardWindow, step: Step) -> bool:
    return window.wizard.step is step


def letters(count: int) -> str:
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(count))


async def qualify_one_prescription(counter: InputCounter, window: WizardWindow) -> None:
    """« Qualification » by keyboard: choices typed in the lists, Tab between fields, Ctrl+Entrée."""
    await counter.type(window, "I", content=False)  # Intervenant: Infirmier (the first in I)
    await counter.tab(window, 2)  # « Restreindre au réseau »: « Aucune restriction »
    await counter.type(window, CARE)
    await counter.tab(window)
    await counter.type(window, "V", content=False)  # Type PeC: Visite
    await counter.tab(window, 4)  # date, heure, fuseau: the delay instead
    await counter.type(window, "1", content=False)  # Délai d'intervention: 1 heure
    await counter.tab(window, 3)  # nb jours, passages/jour: 1
    await counter.type(window, "3", content=False)  # Délai de réponse: 30 minutes
    await counter.tab(window)
    await counter.type(window, COMMENT)
    form = window.wizard.qualification.prescriptions[0]
    chosen = (
        form.profession_code,
        form.care_mode,
        form.intervention_delay_minutes,
        form.response_delay_minutes,
    )
    assert chosen == ("60", "visit", "60", "30")
    await counter.press(window, ENTER, CTRL)  # « Déclencher »


async def close_success(
    counter: InputCounter, main: MainWindow, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> str:
    """« OK » (Entrée), or with Alt: Alt+D « Nouveau déclenchement pour ce patient » (one key too)."""
    dialog: SuccessDialog = await wait_for(lambda: main.success, timeout=15, what="the success dialog")
    # sent (reaching someone, or nobody: issue 18 says which), not pending nor refused
    assert dialog.windowTitle().startswith(("Déclenchement réussi", "Déclenchement envoyé")), dialog.lines
    main.success = None
    await activate(dialog)
    await counter.press(
        dialog, ENTER if modifier == Qt.KeyboardModifier.NoModifier else Qt.Key.Key_D, modifier
    )
    await wait_for(lambda: not dialog.isVisible(), what="the dialog closed")
    return str(dialog.windowTitle().rsplit("#", 1)[1])


def test_keys_for_a_known_patient_with_one_prescription(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, _operator = operator_account(gui_server)
    api = gui_server.client(gui_server.login(username, password))
    body = patient_body(last_name=f"MARTIN{letters(4)}", first_name="Hélène", phone=unique_phone())
    patient = api.post("/patients", json=body).json()
    phone_digits = body["phone"].replace(" ", "")
    born = date.fromisoformat(patient["birth_date"]).strftime("%d/%m/%Y")
    counter = InputCounter()

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        await counter.press(main, Qt.Key.Key_N, CTRL)  # « Nouveau déclenchement »
        window = await wait_for(lambda: next(iter(main.wizards.values()), None), what="the wizard")
        await activate(window)
        wizard = window.wizard
        await counter.press(window, ENTER)  # Appelant: the operator
        await wait_for(lambda: wizard.step is Step.SEARCH, what="Recherche patient")
        for index, text in enumerate((phone_digits, patient["last_name"], "Hélène", born)):
            if index:
                await counter.tab(window)
            await counter.type(window, text)
        page = window.pages[Step.SEARCH]
        assert isinstance(page, SearchPage)
        await wait_for(lambda: page.results.count() == 1, what="the live search result")
        await counter.tab(window)  # to the results: the only one is chosen
        await wait_for(lambda: wizard.patient.patient_id == patient["id"], what="the patient loaded")
        await counter.press(window, ENTER)
        await wait_for(lambda: wizard.step is Step.PATIENT, what="Patient")
        await counter.press(window, ENTER)  # known: nothing to change
        await wait_for(lambda: wizard.step is Step.USUAL_PROFESSIONALS, what="Professionnels habituels")
        await counter.press(window, ENTER)
        await wait_for(lambda: wizard.step is Step.QUALIFICATION, what="Qualification")
        await qualify_one_prescription(counter, window)
        number = await close_success(counter, main, ALT)  # Alt+D: the next case for this patient
        found = api.get("/prescriptions", params={"number": number}).json()
        assert [(p["patient"]["id"], p["care_type"], p["comment"]) for p in found] == [
            (patient["id"], CARE, COMMENT)
        ]

        # (a') « Nouveau déclenchement pour ce patient »: the patient is loaded, Entrée through the steps
        again: WizardWindow = await wait_for(
            lambda: next(iter(main.wizards.values()), None), what="the next wizard"
        )
        await activate(again)
        for step in (Step.SEARCH, Step.PATIENT, Step.USUAL_PROFESSIONALS, Step.QUALIFICATION):
            await repeat.press(again, ENTER)
            await wait_for(partial(on_step, again, step), what=step.title)
        await qualify_one_prescription(repeat, again)
        number = await close_success(repeat, main)
        [second] = api.get("/prescriptions", params={"number": number}).json()
        assert second["patient"]["id"] == patient["id"]
        await close_main_window(main)

    repeat = InputCounter()
    run(loop, scenario(), timeout=60)
    print(f"\n(a) patient connu, 1 prescription : {counter.summary()}\n{' '.join(counter.log)}")
    print(f"(a') le même patient depuis « Déclenchement réussi » (Alt+D) : {repeat.summary()}")
    assert repeat.clicks <= REPEAT_MAX["clicks"]
    assert repeat.keys <= REPEAT_MAX["keys"], repeat.summary()
    assert repeat.overhead <= REPEAT_MAX["overhead"], repeat.summary()
    assert counter.clicks <= KNOWN_PATIENT_MAX["clicks"]
    assert counter.keys <= KNOWN_PATIENT_MAX["keys"], counter.summary()
    assert counter.overhead <= KNOWN_PATIENT_MAX["overhead"], counter.summary()


def test_keys_for_a_new_patient_from_a_carte_vitale(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, _operator = operator_account(gui_server)
    api = gui_server.client(gui_server.login(username, password))
    born = date(1940 + secrets.randbelow(50), 1 + secrets.randbelow(12), 1 + secrets.randbelow(28))
    beneficiary = Beneficiary(
        last_name=f"DURAND{letters(4)}",
        first_name="Lucie",
        birth_date=born.strftime("%Y%m%d"),
        birth_date_iso=born.isoformat(),
        nationality="FRA",
        nir=make_nir(2, born),
        nir_valid=True,
        nir_problem=None,
    )
    phone_digits = unique_phone().replace(" ", "")
    address = "12 rue des Lilas"
    counter = InputCounter()

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        main.cards.on_event(ReaderAdded("Lecteur USB 00"))
        await counter.press(main, Qt.Key.Key_N, CTRL)
        window = await wait_for(lambda: next(iter(main.wizards.values()), None), what="the wizard")
        await activate(window)
        wizard = window.wizard
        await counter.press(window, ENTER)  # Appelant: the operator
        await wait_for(lambda: wizard.step is Step.SEARCH, what="Recherche patient")
        # the Carte Vitale inserted: read at once, its one beneficiary fills nom, prénom, date
        main.cards.on_event(CardInserted("Lecteur USB 00", b"\x3b", CardKind.VITALE2))
        main.cards.on_event(CardRead("Lecteur USB 00", VitaleCard(b"\x3b", (beneficiary,)), 30))
        assert wizard.search.last_name == beneficiary.last_name
        await counter.type(window, phone_digits)  # « Complétez le téléphone du patient »
        page = window.pages[Step.SEARCH]
        assert isinstance(page, SearchPage)
        await wait_for(lambda: page.status.text() == "Aucun patient trouvé", what="the live search")
        await counter.press(window, Qt.Key.Key_N, ALT)  # « Ce patient n'est pas enregistré »
        await counter.press(window, ENTER)
        await wait_for(lambda: wizard.step is Step.PATIENT, what="Patient")
        patient_page = window.pages[Step.PATIENT]
        assert isinstance(patient_page, PatientPage)
        assert window.focusWidget() is patient_page.form.widgets["sex"]  # the first field missing
        assert wizard.patient.nir == beneficiary.nir  # from the card, with its notice
        await counter.type(window, "F", content=False)  # Sexe: Féminin
        await counter.tab(window, 8)  # to « Adresse »
        await counter.type(window, address)
        await counter.tab(window)
        await counter.type(window, "Évry-Cou")  # the commune: the autocomplete asks the server
        popup = patient_page.completer.popup()
        assert popup is not None
        await wait_for(lambda: popup.isVisible(), what="the commune list")
        await counter.press(popup, Qt.Key.Key_Down)
        await counter.press(popup, ENTER)
        await wait_for(lambda: wizard.patient.commune_insee == "91228", what="the commune chosen")
        await counter.press(window, ENTER)
        await wait_for(lambda: wizard.step is Step.USUAL_PROFESSIONALS, what="Professionnels habituels")
        await counter.press(window, ENTER)
        await wait_for(lambda: wizard.step is Step.QUALIFICATION, what="Qualification")
        await qualify_one_prescription(counter, window)
        number = await close_success(counter, main)
        [found] = api.get("/prescriptions", params={"number": number}).json()
        created = api.get(f"/patients/{found['patient']['id']}").json()
        assert (created["last_name"], created["first_name"], created["birth_date"]) == (
            beneficiary.last_name,
            "Lucie",
            born.isoformat(),
        )
        assert (created["nir"], created["sex"], created["city"]) == (
            beneficiary.nir,
            "F",
            "Évry-Courcouronnes",
        )
        await close_main_window(main)

    run(loop, scenario(), timeout=60)
    print(f"\n(b) nouveau patient, Carte Vitale : {counter.summary()}\n{' '.join(counter.log)}")
    assert counter.clicks <= VITALE_PATIENT_MAX["clicks"]
    assert counter.keys <= VITALE_PATIENT_MAX["keys"], counter.summary()
    assert counter.overhead <= VITALE_PATIENT_MAX["overhead"], counter.summary()
