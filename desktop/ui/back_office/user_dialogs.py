"""« Nouvel utilisateur », « Modifier l'utilisateur » and « Réinitialiser le mot de passe »: forms that stay
open with the French reason when the check or the server refuses, and close once it is done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.state.back_office.accounts import STAFF_ROLES, FormInvalid, UserForm
from desktop.sync.errors import ApiProblem, RequestRefused
from desktop.ui.tasks import spawn
from shared.domain import Role
from shared.schemas.auth import UserOut

Submit = Callable[[UserForm], Awaitable[str]]


class FormDialog(QDialog):
    """A form with « Enregistrer » / « Annuler » and an error line; `submit` returns the status
    line's text once the server has done it."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        column = QVBoxLayout(self)
        self.form = QFormLayout()
        column.addLayout(self.form)
        self.error = QLabel("")
        self.error.setObjectName("form_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        column.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Enregistrer")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        self.done_text = ""

    def _save(self) -> None:
        self.buttons.setEnabled(False)
        spawn(self._saving())

    async def _saving(self) -> None:
        try:
            self.done_text = await self.run()
        except FormInvalid as invalid:
            self.error.setText(str(invalid))
        except RequestRefused as refused:
            self.error.setText(refused.full_message())
        except ApiProblem as problem:
            self.error.setText(str(problem))
        else:
            self.accept()
        finally:
            self.buttons.setEnabled(True)

    async def run(self) -> str:
        raise NotImplementedError


class UserDialog(FormDialog):
    """A new user (`user` None: no password — a one-time link lets the account choose its own, sent
    to the e-mail or phone given here, else shown once) or the changes of one."""

    def __init__(
        self, user: UserOut | None, networks: dict[int, str], submit: Submit, parent: QWidget | None
    ) -> None:
        super().__init__("Modifier l'utilisateur" if user else "Nouvel utilisateur", parent)
        self.setObjectName("user_dialog")
        self.user, self.submit = user, submit
        self.username = QLineEdit(user.username if user else "")
        self.username.setObjectName("username")
        self.username.setReadOnly(user is not None)
        self.display_name = QLineEdit(user.display_name if user else "")
        self.display_name.setObjectName("display_name")
        self.role = QComboBox()
        self.role.setObjectName("role")
        for role in STAFF_ROLES:
            self.role.addItem(role.label, role)
        if user is not None:
            self.role.setCurrentIndex(max(0, self.role.findData(user.role)))
            self.role.setEnabled(user.role is not Role.PROFESSIONAL)
        self.networks = QListWidget()
        self.networks.setObjectName("networks")
        for network_id, name in sorted(networks.items(), key=lambda item: item[1].casefold()):
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, network_id)
            checked = user is not None and network_id in user.network_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.networks.addItem(item)
        self.form.addRow("&Identifiant", self.username)
        self.form.addRow("&Nom affiché", self.display_name)
        self.form.addRow("&Rôle", self.role)
        self.form.addRow("Réseau&x (Espace coche)", self.networks)
        self.email: QLineEdit | None = None
        self.phone: QLineEdit | None = None
        if user is None:
            self.email, self.phone = QLineEdit(), QLineEdit()
            self.email.setObjectName("email")
            self.phone.setObjectName("phone")
            self.form.addRow("&E-mail (pour le lien du mot de passe)", self.email)
            self.form.addRow("&Téléphone mobile (sinon, par SMS)", self.phone)
            notice = QLabel(
                "Pas de mot de passe à choisir ici : l'utilisateur reçoit un lien à usage unique pour "
                "choisir le sien (par e-mail, sinon par SMS ; à défaut, le lien s'affiche une seule fois)."
            )
            notice.setWordWrap(True)
            self.form.addRow(notice)
        (self.display_name if user else self.username).setFocus()

    def checked_networks(self) -> tuple[int, ...]:
        found = []
        for row in range(self.networks.count()):
            item = self.networks.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                found.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return tuple(found)

    def user_form(self) -> UserForm:
        return UserForm(
            username=self.username.text(),
            display_name=self.display_name.text(),
            role=Role(self.role.currentData()),
            network_ids=self.checked_networks(),
            email=self.email.text() if self.email else "",
            phone=self.phone.text() if self.phone else "",
        )

    async def run(self) -> str:
        return await self.submit(self.user_form())


class PasswordDialog(FormDialog):
    """« Réinitialiser le mot de passe »: the admin never chooses it (issue 17) — the user's sessions
    end and she receives a one-time link to choose it (shown here once when she has neither e-mail
    nor phone, to hand over in person)."""

    def __init__(self, user: UserOut, submit: Callable[[], Awaitable[str]], parent: QWidget | None) -> None:
        super().__init__(f"Réinitialiser le mot de passe — {user.username}", parent)
        self.setObjectName("password_dialog")
        self.submit = submit
        notice = QLabel(
            "Le mot de passe actuel cessera de fonctionner et toutes les sessions de cet utilisateur "
            "seront fermées. Il recevra un lien à usage unique pour choisir lui-même son nouveau mot "
            "de passe (par e-mail, sinon par SMS ; à défaut, le lien s'affiche ici une seule fois)."
        )
        notice.setWordWrap(True)
        self.form.addRow(notice)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Réinitialiser")

    async def run(self) -> str:
        return await self.submit()
