"""« Nouvel utilisateur », « Modifier l'utilisateur » and « Réinitialiser le mot de passe »: forms that stay
open with the French reason when the check or the server refuses, and close once it is done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.state.back_office.accounts import (
    PRACTICE_LABEL,
    STAFF_ROLES,
    FormInvalid,
    PracticeChoice,
    UserForm,
    practice_criteria,
)
from desktop.sync.back_office_api import BackOfficeApi
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

    practice_loaded = Signal()  # the secretary's practice is shown (tests)
    practice_found = Signal()  # a search's professionals are listed (tests)

    def __init__(
        self,
        user: UserOut | None,
        networks: dict[int, str],
        submit: Submit,
        parent: QWidget | None,
        api: BackOfficeApi | None = None,
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
        self.api = api
        self.practice = PracticeChoice()
        self.practice_saved: tuple[int, ...] = ()
        self.practice_ready = user is None or user.role is not Role.SECRETARY  # else once loaded
        self.practice_box: QWidget | None = None
        if user is not None and api is not None:
            self._add_practice(user)
        (self.display_name if user else self.username).setFocus()

    # ---- « Cabinet (secrétariat) »: the professionals a secretary works for ----------------------
    def _add_practice(self, user: UserOut) -> None:
        box = QWidget()
        box.setObjectName("practice_box")
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.practice_search = QLineEdit()
        self.practice_search.setObjectName("practice_search")
        self.practice_search.setPlaceholderText("Nom ou RPPS du professionnel")
        self.practice_search.returnPressed.connect(lambda: spawn(self.find_professionals()))
        self.practice_find = QPushButton("Chercher")
        self.practice_find.setObjectName("practice_find")
        self.practice_find.setAutoDefault(False)
        self.practice_find.clicked.connect(lambda: spawn(self.find_professionals()))
        bar.addWidget(self.practice_search, 1)
        bar.addWidget(self.practice_find)
        column.addLayout(bar)
        self.practice_list = QListWidget()
        self.practice_list.setObjectName("practice")
        self.practice_list.itemChanged.connect(self._ticked)
        column.addWidget(self.practice_list)
        self.form.addRow(f"&{PRACTICE_LABEL} (Espace coche)", box)
        self.practice_box = box
        self.role.currentIndexChanged.connect(self._show_practice)
        self._show_practice()
        if user.role is Role.SECRETARY:
            spawn(self._load_practice(user.id))

    def _show_practice(self) -> None:
        if self.practice_box is not None:
            secretary = self.role.currentData() == Role.SECRETARY
            self.practice_box.setVisible(secretary)
            label = self.form.labelForField(self.practice_box)
            if label is not None:
                label.setVisible(secretary)

    async def _load_practice(self, user_id: int) -> None:
        assert self.api is not None
        try:
            saved = await self.api.practice(user_id)
            professionals = [await self.api.professional(i) for i in saved.professional_ids]
        except ApiProblem as problem:
            self.error.setText(f"Cabinet illisible : {problem}")
            return
        self.practice_saved = tuple(saved.professional_ids)
        self.practice.load(professionals)
        self._fill_practice()
        self.practice_ready = True
        self.practice_loaded.emit()

    async def find_professionals(self) -> None:
        assert self.api is not None
        try:
            found = await self.api.professionals(practice_criteria(self.practice_search.text()), limit=50)
        except FormInvalid as invalid:
            self.error.setText(str(invalid))
            return
        except ApiProblem as problem:
            self.error.setText(str(problem))
            return
        self.error.setText("" if found else "Aucun professionnel trouvé")
        self.practice.found(found)
        self._fill_practice()
        self.practice_found.emit()

    def _fill_practice(self) -> None:
        self.practice_list.blockSignals(True)
        self.practice_list.clear()
        for professional_id, label, checked in self.practice.rows():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, professional_id)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.practice_list.addItem(item)
        self.practice_list.blockSignals(False)

    def _ticked(self, item: QListWidgetItem) -> None:
        checked = item.checkState() == Qt.CheckState.Checked
        self.practice.tick(int(item.data(Qt.ItemDataRole.UserRole)), checked)

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
            practice_ids=self.practice.chosen(),
            practice_saved=self.practice_saved,
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
