"""The PyInstaller bundle: what it contains, ``centrale --version``, and the frozen application
started offscreen against the bundle's own demo server and a Kamailio registrar — it logs in,
shows the main window and registers its SIP account (seen from the registrar too)."""

from __future__ import annotations

import subprocess
import time
from importlib.metadata import version
from pathlib import Path

import pytest

from server.web.vendor import VENDOR_FILES, VENDOR_LICENSES
from tests.installers.conftest import BundledDemoServer
from tests.installers.smoke_run import SmokeRun
from tests.installers.workstation import SIP_PASSWORD, SIP_USER, isolated_env
from tests.support.kamailio import Kamailio

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]


def test_version_answers_at_once(bundle: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [str(bundle / "centrale"), "--version"],
        env=isolated_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"centrale {version('centrale')}"
    assert elapsed < 10, f"--version took {elapsed:.1f} s"


def test_the_bundle_runs_no_other_module(bundle: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(bundle / "centrale"), "-m", "os"],
        env=isolated_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "seuls « -m server.cli » et « -m telephony.cli »" in result.stderr


def test_the_bundle_holds_the_native_parts_and_data_and_leaves_out_unused_qt(bundle: Path) -> None:
    internal = bundle / "_internal"
    names = {path.relative_to(internal).as_posix() for path in internal.rglob("*")}

    def present(pattern: str) -> list[str]:
        return sorted(name for name in names if Path(name).match(pattern))

    assert present("pjsua2/_pjsua2*.so"), "pjsua2's SWIG module (loaded lazily by pjsua2/__init__)"
    assert present("pjsua2_python.libs/libcrypto*"), "the vendored OpenSSL pjsua2 initialises"
    assert present("smartcard/scard/_scard*.so"), "pyscard's native module"
    assert present("PySide6/QtCharts*.so")
    assert present("PySide6/QtWidgets*.so")
    assert present("PySide6/Qt/plugins/platforms/libqxcb.so")
    assert present("PySide6/Qt/plugins/platforms/libqoffscreen.so")
    assert present("PySide6/Qt/translations/qtbase_fr.qm")
    assert not present("PySide6/Qt/translations/qtbase_de.qm"), "French translations only"
    for unused in ("libQt6Quick*", "libQt6Qml*", "libQt6Pdf*", "libQt6WebEngine*", "libQt6Multimedia*"):
        assert not present(f"PySide6/Qt/lib/{unused}"), unused
    assert not present("libpcsclite*"), "the system's PC/SC library must be used (it matches pcscd)"
    assert "server/geo/data/communes.csv.gz" in names
    migrations = {path.name for path in (ROOT / "server" / "migrations" / "versions").glob("*.py")}
    assert {Path(name).name for name in present("server/migrations/versions/*.py")} == migrations
    assert "server/migrations/env.py" in names
    assert "icons/centrale-256.png" in names
    # The web app's npm files, where server/web/vendor.py looks for them; not the test-only axe-core.
    for relative in [*VENDOR_FILES.values(), *VENDOR_LICENSES]:
        assert f"server/web/node_modules/{relative}" in names, relative
    assert not present("server/web/node_modules/axe-core/*")


def test_the_frozen_desktop_logs_in_and_registers_its_sip_account(
    bundle: Path, demo_server: BundledDemoServer, registrar: Kamailio, tmp_path: Path
) -> None:
    run = SmokeRun(
        bundle / "centrale",
        tmp_path / "home",
        demo_server.url,
        sip_uri=registrar.uri(SIP_USER),
        sip_password=SIP_PASSWORD,
        wait_stdin=True,
    )
    try:
        assert run.wait_for("SMOKE pcsc") == "SMOKE pcsc : module chargé"
        assert run.wait_for("SMOKE traductions") == "SMOKE traductions Qt : français"
        assert run.wait_for("SMOKE connexion") == "SMOKE connexion : operateur (operator)"
        assert "Opérateur" in run.wait_for("SMOKE fenêtre principale")
        assert "code 200" in run.wait_for("SMOKE SIP : enregistré")
        run.wait_for("SMOKE en attente")
        # the registrar routes to the frozen softphone, which answers
        assert registrar.has_location(SIP_USER), registrar.log_tail()
        # a call placed by the bundle's own caller (what the demo's « Simuler un appel entrant »
        # starts as `sys.executable -m telephony.cli call`) rings the frozen desktop
        call = ["call", registrar.uri(SIP_USER), "--from-user", "0612345678", "--duration", "1", "--json"]
        caller = subprocess.Popen(
            [str(bundle / "centrale"), "-m", "telephony.cli", *call],
            env=isolated_env(tmp_path / "caller"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert run.wait_for("SMOKE SIP : appel entrant") == "SMOKE SIP : appel entrant de +33612345678"
        finally:
            caller.terminate()
            caller.wait(timeout=30)
        run.release()
        assert run.finish() == 0, run.output
    finally:
        run.kill()
    assert "SMOKE terminé" in run.output


def test_the_self_test_fails_in_french_on_a_wrong_password(
    bundle: Path, demo_server: BundledDemoServer, tmp_path: Path
) -> None:
    run = SmokeRun(bundle / "centrale", tmp_path / "home", demo_server.url, password="pas-le-bon-mot")
    try:
        assert run.finish(timeout=60) == 1, run.output
    finally:
        run.kill()
    assert "Échec : connexion refusée (« Identifiant ou mot de passe incorrect" in run.output
    assert "SMOKE connexion" not in run.output
