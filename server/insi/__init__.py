"""The INSi teleservice adapter (server/insi/api.py says why the server is the one to call it)."""

from __future__ import annotations

import importlib
from functools import cache

from server.insi.api import InsiIdentity, InsiTeleservice, InsiUnavailable

FAKE = "fake"


class InsiSettingError(ValueError):
    """`CENTRALE_INSI` names nothing usable."""


@cache
def teleservice_for(setting: str) -> InsiTeleservice | None:
    """`""` → none; `fake` → the fake; `package.module:factory` → the deployment's approved connection."""
    if not setting:
        return None
    if setting == FAKE:
        from server.insi.fake import FakeInsi

        return FakeInsi()
    module_name, _, factory_name = setting.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), factory_name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise InsiSettingError(f"CENTRALE_INSI={setting!r} : adaptateur INSi introuvable ({exc})") from exc
    adapter: InsiTeleservice = factory()
    return adapter


__all__ = [
    "FAKE",
    "InsiIdentity",
    "InsiSettingError",
    "InsiTeleservice",
    "InsiUnavailable",
    "teleservice_for",
]
