"""« Utilisateurs »: the staff accounts (operators, secretaries, supervisors, admins), searched by
name; create, edit, deactivate or reactivate, set a new password, lift a login block (« Débloquer »;
the « État » column says until when, Paris time) — each audited by the server."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout

from desktop.state.back_office.accounts import USER_COLUMNS, UserForm, UserRow, link_notice
from desktop.sync.back_office_api import BackOfficeApi
from desktop.sync.errors import ApiProblem
from desktop.ui.back_office.user_dialogs import PasswordDialog, UserDialog
from desktop.ui.back_office.widgets import BackOfficePage, button, fill_table, make_table, status_line
from desktop.ui.keys import enter_submits
from desktop.ui.tasks import spawn
from shared.schemas.auth import UserOut


class UsersView(BackOfficePage):
    refreshed = Signal()
    dialog_opened = Signal(object)  # the dialog (tests)

    def __init__(self, api: BackOfficeApi) -> None:
        super().__init__()
        self.setObjectName("users_view")
        self.api = api
        self.rows: list[UserRow] = []
        self.network_names: dict[int, str] = {}
        column = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("users_search")
        self.search.setPlaceholderText("Identifiant ou nom (Entrée pour chercher)")
        enter_submits(self.search, lambda: spawn(self.refresh()))
        label = QLabel("&Rechercher")
        label.setBuddy(self.search)
        bar.addWidget(label)
        bar.addWidget(self.search, 1)
        column.addLayout(bar)
        self.table = make_table(USER_COLUMNS, "users_table")
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        column.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.new_button = button("Nouvel utilisateur…", "Ctrl+Shift+N", "user_new")
        self.new_button.clicked.connect(self.new_user)
        self.edit_button = button("Modifier…", "Ctrl+M", "user_edit")
        self.edit_button.clicked.connect(self.edit_selected)
        self.toggle_button = button("Désactiver / Réactiver", "Ctrl+D", "user_toggle")
        self.toggle_button.clicked.connect(lambda: spawn(self.toggle_selected()))
        self.password_button = button("Nouveau mot de passe…", "Ctrl+P", "user_password")
        self.password_button.clicked.connect(self.password_selected)
        self.unblock_button = button("Débloquer", "Ctrl+B", "user_unblock")
        self.unblock_button.setToolTip("Lever le blocage de connexion (trop d'essais de mot de passe)")
        self.unblock_button.clicked.connect(lambda: spawn(self.unblock_selected()))
        for pushed in (
            self.new_button,
            self.edit_button,
            self.toggle_button,
            self.password_button,
            self.unblock_button,
        ):
            actions.addWidget(pushed)
        actions.addStretch(1)
        column.addLayout(actions)
        self.status = status_line("users_status")
        column.addWidget(self.status)

    async def refresh(self) -> None:
        try:
            self.network_names = {n.id: n.name for n in await self.api.networks()}
            users = await self.api.users(self.search.text().strip())
        except ApiProblem as problem:
            self.status.setText(f"Utilisateurs illisibles : {problem}")
            return
        self.rows = [UserRow.of(u, self.network_names) for u in users]
        fill_table(self.table, [r.cells for r in self.rows])
        self.status.setText(f"{len(self.rows)} utilisateur(s)")
        self.refreshed.emit()

    def selected(self) -> UserOut | None:
        row = self.table.currentRow()
        return self.rows[row].user if 0 <= row < len(self.rows) else None

    def select_username(self, username: str) -> bool:
        for index, row in enumerate(self.rows):
            if row.user.username == username:
                self.table.selectRow(index)
                return True
        return False

    def _open(self, dialog: UserDialog | PasswordDialog) -> None:
        dialog.accepted.connect(lambda: spawn(self.refresh_then_say(self.status, dialog.done_text)))
        dialog.open()
        self.dialog_opened.emit(dialog)

    def new_user(self) -> None:
        self._open(UserDialog(None, self.network_names, self._create, self))

    async def _create(self, form: UserForm) -> str:
        created = await self.api.create_user(form.creation())
        self.search.setText(created.username)
        done = f"Utilisateur « {created.username} » créé ({created.role.label})"
        notice = link_notice(created.password_link)
        return f"{done} : {notice}" if notice else done

    def edit_selected(self) -> None:
        user = self.selected()
        if user is None:
            self.status.setText("Choisissez d'abord un utilisateur dans la liste")
            return

        async def save(form: UserForm) -> str:
            changes = form.changes(user)
            practice = form.practice_update()  # a secretary's « Cabinet (secrétariat) »
            if not changes and practice is None:
                return "Aucune modification"
            if changes:
                await self.api.patch_user(user.id, changes)
            if practice is not None:
                await self.api.put_practice(user.id, practice)
            return f"Utilisateur « {user.username} » modifié"

        self._open(UserDialog(user, self.network_names, save, self, api=self.api))

    def password_selected(self) -> None:
        user = self.selected()
        if user is None:
            self.status.setText("Choisissez d'abord un utilisateur dans la liste")
            return

        async def save() -> str:
            issued = await self.api.reset_password(user.id)
            if issued.link:  # no e-mail nor phone: shown once, to hand over in person
                return f"« {user.username} » : {issued.message} Lien : {issued.link}"
            return f"« {user.username} » : {issued.message}"

        self._open(PasswordDialog(user, save, self))

    async def unblock_selected(self) -> None:
        """« Débloquer »: lift the login throttle's block (audited by the server)."""
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            self.status.setText("Choisissez d'abord un utilisateur dans la liste")
            return
        user = self.rows[row].user
        try:
            done = await self.api.unblock(user.id)
        except ApiProblem as problem:
            self.status.setText(str(problem))
            return
        await self.refresh()
        self.select_username(done.username)
        if done.was_blocked:
            self.status.setText(f"Utilisateur « {done.username} » débloqué : il peut se reconnecter")
        else:
            self.status.setText(f"« {done.username} » n'était pas bloqué")

    async def toggle_selected(self) -> None:
        user = self.selected()
        if user is None:
            self.status.setText("Choisissez d'abord un utilisateur dans la liste")
            return
        try:
            changed = await self.api.patch_user(user.id, {"active": not user.active})
        except ApiProblem as problem:
            self.status.setText(str(problem))
            return
        done = "réactivé" if changed.active else "désactivé"
        await self.refresh()
        self.select_username(changed.username)
        self.status.setText(f"Utilisateur « {changed.username} » {done}")
