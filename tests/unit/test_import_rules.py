"""The import direction of the architecture, enforced on the real tree."""

from __future__ import annotations

from pathlib import Path

from tests.support.import_rules import check_tree

ROOT = Path(__file__).resolve().parents[2]


def test_the_project_follows_its_import_rules() -> None:
    violations = check_tree(ROOT)
    assert violations == [], "\n".join(map(str, violations))


def _write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")


def test_the_checker_catches_every_kind_of_violation(tmp_path: Path) -> None:
    _write(tmp_path, "shared/__init__.py", "")
    _write(tmp_path, "shared/bad.py", "def f():\n    import server.app\n")
    _write(tmp_path, "server/__init__.py", "")
    _write(tmp_path, "server/qt.py", "from PySide6.QtCore import QObject\n")
    _write(tmp_path, "server/services/__init__.py", "")
    _write(tmp_path, "server/services/cases.py", "from server.api.errors import ApiError\nimport fastapi\n")
    _write(tmp_path, "server/security/__init__.py", "")
    _write(tmp_path, "server/security/guard.py", "from starlette.requests import Request\n")
    _write(tmp_path, "server/api/__init__.py", "")
    _write(tmp_path, "server/api/routes.py", "import fastapi\nfrom server.services import cases\n")
    _write(tmp_path, "server/web/__init__.py", "")
    _write(tmp_path, "server/web/pages.py", "import fastapi\nfrom server.api.context import Caller\n")
    _write(tmp_path, "desktop/__init__.py", "")
    _write(tmp_path, "desktop/state/__init__.py", "")
    _write(tmp_path, "desktop/state/wizard.py", "from ..ui import window\n")
    _write(tmp_path, "desktop/sync/__init__.py", "")
    _write(tmp_path, "desktop/sync/pusher.py", "from desktop.state.wizard import Wizard\n")
    _write(tmp_path, "desktop/services/__init__.py", "")
    _write(tmp_path, "desktop/services/sender.py", "from desktop.state import wizard\nimport PySide6\n")
    _write(tmp_path, "desktop/services/phone.py", "def f():\n    from telephony.pjsua2_adapter import P\n")
    _write(tmp_path, "desktop/app.py", "from cardreader.pcsc import PcscCardReader\n")
    _write(tmp_path, "desktop/demo/__init__.py", "")
    _write(tmp_path, "desktop/demo/cards.py", "from cardreader.pcsc import list_readers\n")
    _write(tmp_path, "desktop/demo/calls.py", "from cardreader.service import CardService\n")
    _write(tmp_path, "desktop/ui/__init__.py", "")
    _write(
        tmp_path,
        "desktop/ui/window.py",
        "from PySide6 import QtWidgets\nfrom desktop.state import wizard\n",
    )
    _write(tmp_path, "telephony/__init__.py", "")
    _write(tmp_path, "telephony/phone.py", "import pjsua2 as pj\n")
    _write(tmp_path, "telephony/pjsua2_adapter.py", "import pjsua2 as pj\n")
    _write(tmp_path, "cardreader/__init__.py", "")
    _write(tmp_path, "cardreader/parsers.py", "from smartcard.System import readers\n")
    found = {(v.module, v.imported) for v in check_tree(tmp_path)}
    assert found == {
        ("shared.bad", "server.app"),
        ("server.qt", "PySide6.QtCore"),
        ("server.qt", "PySide6.QtCore.QObject"),
        ("server.services.cases", "server.api.errors"),
        ("server.services.cases", "server.api.errors.ApiError"),
        ("server.services.cases", "fastapi"),
        ("server.security.guard", "starlette.requests"),
        ("server.security.guard", "starlette.requests.Request"),
        ("server.web.pages", "server.api.context"),
        ("server.web.pages", "server.api.context.Caller"),
        ("desktop.state.wizard", "desktop.ui"),
        ("desktop.state.wizard", "desktop.ui.window"),
        ("desktop.sync.pusher", "desktop.state.wizard"),
        ("desktop.sync.pusher", "desktop.state.wizard.Wizard"),
        ("desktop.services.sender", "PySide6"),
        ("desktop.services.phone", "telephony.pjsua2_adapter"),
        ("desktop.services.phone", "telephony.pjsua2_adapter.P"),
        ("desktop.demo.calls", "cardreader.service"),
        ("desktop.demo.calls", "cardreader.service.CardService"),
        ("telephony.phone", "pjsua2"),
        ("cardreader.parsers", "smartcard.System"),
        ("cardreader.parsers", "smartcard.System.readers"),
    }
