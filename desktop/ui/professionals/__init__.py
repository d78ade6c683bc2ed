"""« Professionnels » (Alt+6): the hotline answering for a professional who phones in (issue 16)."""

from __future__ import annotations

from desktop.sync.professionals_api import ProfessionalsApi
from desktop.ui.professionals.view import ProfessionalsView
from desktop.ui.shell import Shell
from shared.domain import Role

HOTLINE_ROLES = (Role.OPERATOR, Role.SUPERVISOR)


def install_professionals(shell: Shell) -> ProfessionalsView | None:
    """The « Professionnels » tab for operators and supervisors, refreshed on the change feed."""
    session = shell.session
    if session.user.role not in HOTLINE_ROLES:
        return None
    view = ProfessionalsView(ProfessionalsApi(session.client))
    view.acted.connect(lambda text: shell.show_message(text, 10_000))
    session.on_event.append(view.on_event)
    shell.add_tab(view, "Professionnels", "Alt+6")
    return view
