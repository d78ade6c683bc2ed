"""An in-memory keyring the desktop's SecretStore takes as secure (priority > 0): a stand-in for
the OS keyring (Secret Service, Keychain, Credential Manager) in tests; nothing leaves the process."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        # As the real keyrings do: deleting what is not there is an error.
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError(username)
