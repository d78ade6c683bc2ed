"""What the installer tests share: the accounts, and the environment of a workstation user."""

from __future__ import annotations

import os
from pathlib import Path

SIP_USER = "poste1"
SIP_PASSWORD = "mot-de-passe-sip-1"
DEMO_USER = "operateur"
DEMO_PASSWORD = "operateur-demo"


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a workstation user whose home is ``home``: offscreen Qt, no keyring
    daemon (the login dialog then offers « pour cette session seulement »), no project venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CENTRALE_", "XDG_", "VIRTUAL_ENV", "PYTHON", "DBUS_", "QT_"))
    }
    env.update(
        HOME=str(home),
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        **extra,
    )
    return env
