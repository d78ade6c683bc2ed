"""A step never refuses silently: a message without a field of its own is shown under the page."""

from __future__ import annotations

from desktop.ui.wizard.caller_page import CallerPage
from desktop.ui.wizard.window import WizardWindow
from desktop.workflows.wizard import Operator, Step, Wizard
from tests.support.gui import run


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
