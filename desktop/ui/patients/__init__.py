"""« Fiches patients »: the active list and the patient page, and its tab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.domain import Role

if TYPE_CHECKING:
    from desktop.ui.patients.files_view import PatientFilesView
    from desktop.ui.shell import Shell

PATIENT_FILES_ROLES = (Role.OPERATOR, Role.SECRETARY, Role.SUPERVISOR)


def install_patient_files(shell: Shell) -> PatientFilesView | None:
    """The « Fiches patients » tab (Alt+3) for the staff (the patients' readers), live on the
    session's change feed."""
    from desktop.ui.patients.files_view import PatientFilesView

    if shell.session.user.role not in PATIENT_FILES_ROLES:
        return None
    view = PatientFilesView(shell)
    shell.add_tab(view, "Fiches patients", "Alt+3")
    return view
