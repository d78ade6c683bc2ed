"""The bundle's entry point, in-process (fast): what each command line runs, and where a GUI
program's output goes when it has no console."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from installers import launcher


def test_only_the_server_cli_module_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert launcher.dispatch(["-m", "os"]) == 2
    assert "seuls « -m server.cli » et « -m telephony.cli »" in capsys.readouterr().err
    assert launcher.dispatch(["-m"]) == 2


def test_dash_m_server_cli_is_the_server_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        launcher.dispatch(["-m", "server.cli", "--help"])
    assert exit_info.value.code == 0
    assert "centrale-server" in capsys.readouterr().out


def test_dash_m_telephony_cli_is_the_demo_caller_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        launcher.dispatch(["-m", "telephony.cli", "--help"])
    assert exit_info.value.code == 0
    assert "centrale-phone" in capsys.readouterr().out


def test_anything_else_is_the_desktop(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        launcher.dispatch(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("centrale ")


def test_smoke_without_password_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CENTRALE_SMOKE_PASSWORD", raising=False)
    assert launcher.dispatch(["--smoke", "--server", "http://127.0.0.1:9", "--user", "x"]) == 2
    assert "CENTRALE_SMOKE_PASSWORD" in capsys.readouterr().err


def test_a_program_without_console_writes_to_the_user_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    launcher.attach_streams()
    assert sys.stdout is not None
    assert sys.stderr is sys.stdout
    print("journal du poste", flush=True)
    sys.stdout.close()
    logs = list(tmp_path.rglob("centrale.log"))
    assert len(logs) == 1
    assert logs[0].read_text(encoding="utf-8") == "journal du poste\n"
