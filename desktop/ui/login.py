"""The login dialog: server URL, user, password; errors inline; the token kept in the OS keyring."""

from __future__ import annotations

import asyncio
import contextlib

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from desktop.settings import NoSecureKeyring, SecretStore, Settings
from desktop.sync.client import ApiClient
from desktop.sync.errors import ApiProblem, RequestRefused, ServerUnavailable
from desktop.ui.tasks import spawn
from desktop.ui.wizard.form import ERROR_STYLE
from shared.schemas.auth import LoginResponse

WRONG_PASSWORD = "Identifiant ou mot de passe incorrect"  # noqa: S105 - a message
UNREACHABLE = "Serveur injoignable : vérifiez l'adresse du serveur et la connexion réseau"


class LoginDialog(QDialog):
    logged_in = Signal(object, object)  # (ApiClient, LoginResponse)

    def __init__(self, settings: Settings, secrets: SecretStore, *, message: str = "") -> None:
        super().__init__()
        self.setObjectName("login")
        self.setWindowTitle("Centrale — Connexion")
        self.settings = settings
        self.secrets = secrets
        self.client: ApiClient | None = None
        self.login: LoginResponse | None = None
        layout = QVBoxLayout(self)
        title = QLabel("<h2>Centrale</h2>Plateforme de coordination des soins")
        layout.addWidget(title)
        self.notice = QLabel(message)
        self.notice.setWordWrap(True)
        self.notice.setVisible(bool(message))
        layout.addWidget(self.notice)
        form = QFormLayout()
        self.server = QLineEdit(settings.server_url)
        self.server.setObjectName("server")
        self.user = QLineEdit(settings.username)
        self.user.setObjectName("user")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Serveur", self.server)
        form.addRow("Identifiant", self.user)
        form.addRow("Mot de passe", self.password)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.keyring_warning = QLabel()
        self.keyring_warning.setObjectName("keyring_warning")
        self.keyring_warning.setWordWrap(True)
        self.keyring_warning.hide()
        layout.addWidget(self.keyring_warning)
        buttons = QHBoxLayout()
        self.session_only = QPushButton("Continuer pour cette session seulement")
        self.session_only.setObjectName("session_only")
        self.session_only.hide()
        self.session_only.clicked.connect(self._finish)
        self.connect_button = QPushButton("Se connecter")
        self.connect_button.setObjectName("connect")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(lambda: spawn(self.submit()))
        buttons.addStretch(1)
        buttons.addWidget(self.session_only)
        buttons.addWidget(self.connect_button)
        layout.addLayout(buttons)
        (self.password if settings.username else self.user).setFocus()
        self.resize(440, 260)

    def _fail(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.connect_button.setEnabled(True)

    async def submit(self) -> None:
        url, user, password = self.server.text().strip(), self.user.text().strip(), self.password.text()
        if not (url and user and password):
            self._fail("Indiquez le serveur, l'identifiant et le mot de passe")
            return
        self.connect_button.setEnabled(False)
        self.error.hide()
        client = ApiClient(url)
        try:
            login = await client.login(user, password)
        except RequestRefused as refused:
            await client.aclose()
            self._fail(WRONG_PASSWORD if refused.status == 401 else str(refused))
            return
        except ServerUnavailable:
            await client.aclose()
            self._fail(UNREACHABLE)
            return
        except ApiProblem as problem:
            await client.aclose()
            self._fail(str(problem))
            return
        self.client, self.login = client, login
        self.settings.server_url, self.settings.username = url, user
        # files and the keyring (D-Bus) off the GUI thread; the login works without remembering the user
        with contextlib.suppress(OSError):
            await asyncio.to_thread(self.settings.save)
        try:
            await asyncio.to_thread(self.secrets.set, SecretStore.token_key(url, user), login.access_token)
        except NoSecureKeyring as missing:
            self.keyring_warning.setText(f"⚠ {missing}. Le jeton de session n'est gardé qu'en mémoire.")
            self.keyring_warning.show()
            self.session_only.show()
            self.session_only.setFocus()
            self.connect_button.setText("Annuler")
            self.connect_button.setEnabled(True)
            self.connect_button.clicked.disconnect()
            self.connect_button.clicked.connect(self.reject)
            return
        self._finish()

    def _finish(self) -> None:
        self.logged_in.emit(self.client, self.login)
        self.accept()
