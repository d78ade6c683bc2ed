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
    _write(tmp_path, "desktop/__init__.py", "")
    _write(tmp_path, "desktop/workflows/__init__.py", "")
    _write(tmp_path, "desktop/workflows/wizard.py", "from ..ui import window\n")
    _write(tmp_path, "desktop/ui/__init__.py", "")
    _write(
        tmp_path,
        "desktop/ui/window.py",
        "from PySide6 import QtWidgets\nfrom desktop.workflows import wizard\n",
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
        ("desktop.workflows.wizard", "desktop.ui"),
        ("desktop.workflows.wizard", "desktop.ui.window"),
        ("telephony.phone", "pjsua2"),
        ("cardreader.parsers", "smartcard.System"),
        ("cardreader.parsers", "smartcard.System.readers"),
    }
