"""The Windows installer script compiles here with ``makensis`` (NSIS) on a dummy payload.

What only Windows can check — the installer running, the Start-menu entry, the uninstaller, the
bundle itself — is done by .github/workflows/windows-installer.yml on a Windows runner."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "installers" / "windows" / "centrale.nsi"


def makensis() -> str:
    found = shutil.which("makensis")
    if found is None:
        reason = "makensis introuvable (paquet Debian nsis ; lancez scripts/bootstrap.sh)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def dummy_payload(folder: Path) -> Path:
    payload = folder / "centrale"
    (payload / "_internal" / "PySide6").mkdir(parents=True)
    (payload / "centrale.exe").write_bytes(b"MZ" + os.urandom(64 * 1024))
    (payload / "_internal" / "base_library.zip").write_bytes(os.urandom(4096))
    (payload / "_internal" / "PySide6" / "Qt6Core.dll").write_bytes(os.urandom(4096))
    return payload


def compile_script(tmp_path: Path, *defines: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [makensis(), "-WX", "-V2", *defines, str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )


def test_the_windows_script_compiles_with_warnings_as_errors(tmp_path: Path) -> None:
    payload = dummy_payload(tmp_path)
    out = tmp_path / "Centrale-0.1.0-setup.exe"
    result = compile_script(tmp_path, f"-DBUNDLE_DIR={payload}", "-DVERSION=0.1.0", f"-DOUTFILE={out}")
    assert result.returncode == 0, result.stdout + result.stderr
    installer = out.read_bytes()
    assert installer[:2] == b"MZ"  # a Windows executable
    assert b"Nullsoft" in installer  # the NSIS stub, with our payload after it
    assert len(installer) > 64 * 1024


def test_the_script_refuses_to_compile_without_a_bundle(tmp_path: Path) -> None:
    result = compile_script(tmp_path, "-DVERSION=0.1.0")
    assert result.returncode != 0
    assert "BUNDLE_DIR manquant" in result.stdout + result.stderr
