"""A step never refuses silently: a message without a field of its own is shown under the page; and
« Déclencher » never does nothing: a schema that refuses what the steps make is said too."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from desktop.state.wizard.patient_step import PatientStep
from desktop.state.wizard.wizard import Operator, Step, Wizard
from desktop.ui.wizard.caller_page import CallerPage
from desktop.ui.wizard.form import ERROR_STYLE
from desktop.ui.wizard.window import WizardWindow
from shared.schemas.patients import PatientCreate
from tests.support.desktop import new_patient_wizard, operator_account
from tests.support.gui import close_main_window, open_main_window, run
from tests.support.live import LiveServer


async def _never_sent(_wizard: Wizard) -> None:
    raise AssertionError("nothing is sent from this test")


def test_field_messages_next_to_fields_and_the_others_under_the_page(loop, qtbot):
    wizard = Wizard.from_dashboard(Operator(user_id=7, display_name="Opératrice"))
    window = WizardWindow(wizard, None, _never_sent)
    qtbot.addWidget(window)
    window.show()
    page = window.pages[Step.CALLER]
    assert isinstance(page, CallerPage)
    page.same.setChecked(False)  # a secretary calls for her doctor
    wizard.set_field(Step.CALLER, "requester_name", "DUPONT Marc")
    wizard.set_field(Step.CALLER, "requester_rpps", "123")
    wizard.set_field(Step.CALLER, "requester_profession_code", "99")  # no widget: from a CPS card

    run(loop, window.go_next())
    assert wizard.step is Step.CALLER
    assert not page.form.errors["requester_rpps"].isHidden()
    assert page.form.errors["requester_rpps"].text() != ""
    assert window.message.text() == "Profession inconnue"  # its field has no widget: under the page
    assert window.focusWidget() is page.form.widgets["requester_rpps"]

    wizard.set_field(Step.CALLER, "requester_rpps", "10001045367")
    wizard.set_field(Step.CALLER, "requester_profession_code", "10")
    run(loop, window.go_next())
    assert window.page is window.pages[Step.SEARCH]  # moved on
    assert window.message.text() == ""


def test_a_schema_mismatch_on_send_is_said_not_a_silent_no_op(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
):
    """« Déclencher » when the wizard's steps pass but make a body the API's schema refuses (a
    desktop and a schema out of step): the operator reads why under the page and in the status bar,
    the log has it, nothing is queued, and the wizard stays open with every value."""
    username, password, operator = operator_account(gui_server)

    def create_body(step: PatientStep) -> PatientCreate:
        return PatientCreate.model_validate({**step.create_values(), "sex": "X"})

    monkeypatch.setattr(PatientStep, "create_body", create_body)

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path)
        qtbot.addWidget(main)
        wizard = new_patient_wizard(operator)
        window = main.open_wizard(wizard)
        assert wizard.step is Step.QUALIFICATION
        with caplog.at_level(logging.ERROR, logger="desktop.services.case_sender"):
            await window.go_next()  # « Déclencher »
        assert window.message.text().startswith("Déclenchement impossible : ")
        assert "PatientCreate : sex" in window.message.text()
        assert window.message.styleSheet() == ERROR_STYLE
        assert main.statusBar().currentMessage() == window.message.text()
        assert any("does not fit the API schema" in r.getMessage() for r in caplog.records)
        assert main.success is None  # no outcome dialog: nothing was sent
        assert main.session.store.outbox.items() == []
        assert main.wizards.get(wizard.draft_id) is window
        assert window.isVisible()
        assert main.session.store.draft(wizard.draft_id) is not None  # the draft is kept
        await close_main_window(main)

    run(loop, scenario())
