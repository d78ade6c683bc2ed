"""What the installer tests share: the accounts, and the environment of a workstation user."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

SIP_USER = "poste1"
SIP_PASSWORD = "mot-de-passe-sip-1"
DEMO_USER = "operateur"
DEMO_PASSWORD = "operateur-demo"


def die_with_parent() -> None:
    """In the child: SIGTERM when the test process dies, even by a crash."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


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
