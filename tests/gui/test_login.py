"""The login dialog against a real server: wrong password, unreachable server, keyring or not."""

from __future__ import annotations

from keyring.backends import fail

from desktop.settings import SecretStore, Settings
from desktop.ui.login import LoginDialog
from tests.support.desktop import operator_account
from tests.support.gui import run
from tests.support.keyrings import MemoryKeyring
from tests.support.live import LiveServer
from tests.support.server_process import free_port


def _dialog(url: str, user: str, password: str, secrets: SecretStore) -> LoginDialog:
    dialog = LoginDialog(Settings(server_url=url), secrets)
    dialog.user.setText(user)
    dialog.password.setText(password)
    dialog.show()
    return dialog


def test_wrong_password_then_unreachable_then_login_keeps_the_token(loop, qtbot, gui_server: LiveServer):
    username, password, _operator = operator_account(gui_server)
    keyring = MemoryKeyring()
    url = gui_server.process.base_url
    dialog = _dialog(url, username, "mauvais-mot-de-passe", SecretStore(keyring))
    qtbot.addWidget(dialog)
    logged: list[object] = []
    dialog.logged_in.connect(lambda client, login: logged.append(login))

    run(loop, dialog.submit())
    assert dialog.error.isVisible()
    assert dialog.error.text() == "Identifiant ou mot de passe incorrect"

    dialog.server.setText(f"http://127.0.0.1:{free_port()}")
    dialog.password.setText(password)
    run(loop, dialog.submit())
    assert dialog.error.text().startswith("Serveur injoignable")
    assert not logged

    dialog.server.setText(url)
    run(loop, dialog.submit())
    assert len(logged) == 1
    assert not dialog.isVisible()
    assert dialog.login is not None
    assert dialog.client is not None
    token = keyring.get_password("centrale", SecretStore.token_key(url, username))
    assert token == dialog.login.access_token
    assert Settings.load().username == username  # offered again next time
    run(loop, dialog.client.aclose())


def test_without_a_secure_keyring_the_operator_chooses_to_go_on(loop, qtbot, gui_server: LiveServer):
    username, password, _operator = operator_account(gui_server)
    failing = fail.Keyring()  # type: ignore[no-untyped-call]
    dialog = _dialog(gui_server.process.base_url, username, password, SecretStore(failing))
    qtbot.addWidget(dialog)
    logged: list[object] = []
    dialog.logged_in.connect(lambda client, login: logged.append(login))

    run(loop, dialog.submit())
    assert dialog.keyring_warning.isVisible()
    assert "Aucun trousseau sécurisé" in dialog.keyring_warning.text()
    assert dialog.session_only.isVisible()
    assert not logged  # nothing happens without the choice

    dialog.session_only.click()
    assert len(logged) == 1
    assert not dialog.isVisible()
    assert dialog.client is not None
    run(loop, dialog.client.aclose())
