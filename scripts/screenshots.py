"""Screenshots of the desktop for docs/screenshots/: login, main window, each wizard step, the call
popup and the success dialog, taken from the real widgets on the demo server.

    .venv/bin/python scripts/screenshots.py            # offscreen Qt
    xvfb-run -a .venv/bin/python scripts/screenshots.py --xcb   # a real X screen (Xvfb)

A fake softphone (tests/support) stands in for the SIP stack: the popup shows a real screen pop
(the caller looked up on the demo server).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def wait_for(condition: Callable[[], Any], timeout: float = 15.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := condition()):
        if loop.time() > deadline:
            raise TimeoutError("the screen did not get ready")
        await asyncio.sleep(0.05)
    return value


async def shoot(url: str, out: Path, directory: Path) -> None:
    from keyring.backends import null
    from PySide6.QtWidgets import QWidget

    from desktop.services.session import Session
    from desktop.settings import SecretStore, Settings
    from desktop.state.wizard.wizard import Step
    from desktop.ui.login import LoginDialog
    from desktop.ui.main_window import MainWindow
    from shared.validation import format_phone_national
    from telephony.events import IncomingCall, RegistrationChanged, RegistrationStatus
    from tests.support.desktop_phone import FakeSoftphone

    async def save(widget: QWidget, name: str) -> None:
        # painted by the running loop: processEvents() inside a coroutine re-entered qasync
        # (« Cannot enter into task ») and stalled the other tasks
        await asyncio.sleep(0.2)
        widget.grab().save(str(out / f"{name}.png"))
        print(f"  {out / name}.png")

    settings = Settings(server_url=url, username="operateur")
    secrets = SecretStore(null.Keyring())  # type: ignore[no-untyped-call]
    login = LoginDialog(settings, secrets)
    login.password.setText("operateur-demo")
    login.show()
    await save(login, "01_connexion")
    await login.submit()
    assert login.client is not None, login.error.text()
    assert login.login is not None
    phone = FakeSoftphone()
    session = Session(login.client, login.login.user, directory=directory, softphone=phone)
    main = MainWindow(session, settings, secrets)
    main.show()
    session.start()
    phone.emit(RegistrationChanged(RegistrationStatus.REGISTERED, 200, "OK", "Enregistré"))
    await wait_for(lambda: session.follower.state.label == "Connecté")
    await save(main, "02_fenetre_principale")

    window = main.new_case()
    wizard = window.wizard
    window.resize(780, 760)
    await save(window, "03_etape1_appelant")
    await window.go_next()
    search = window.pages[Step.SEARCH]
    for name, value in (("phone", ""), ("last_name", "SANTONI"), ("first_name", "Marie-Ange")):
        wizard.set_field(Step.SEARCH, name, value)
    wizard.set_field(Step.SEARCH, "birth_date", "17/03/1948")
    await search.search_now()
    found = search.wizard.search.matches()
    wizard.set_field(Step.SEARCH, "phone", format_phone_national(found[0].phone) if found else "")
    search.load()
    search.results.setCurrentRow(0)
    await search.prepare()
    await save(window, "04_etape2_recherche_patient")
    await window.go_next()
    window.resize(780, 1180)
    await save(window, "05_etape3_patient")
    window.resize(780, 760)
    await window.go_next()
    usual = window.pages[Step.USUAL_PROFESSIONALS]
    wizard.set_field(Step.USUAL_PROFESSIONALS, "search_profession", "70")
    for name in ("Martin", "Bernard", "Lefèvre", "Mar", "Ber"):
        wizard.set_field(Step.USUAL_PROFESSIONALS, "search_last_name", name)
        usual.load()
        await usual.search_now()
        if usual.results.count():
            usual.results.setCurrentRow(0)
            break
    await save(window, "06_etape4_professionnels_habituels")
    await window.go_next()
    for index, values in enumerate(
        (
            ("60", "Pansement", "visit", "60", "30", "Pansement d'ulcère de jambe, tous les matins"),
            ("70", "Rééducation", "visit", "1440", "240", "Rééducation à la marche après chute"),
        )
    ):
        if index:
            wizard.add_prescription()
        names = ("profession_code", "care_type", "care_mode", "intervention_delay_minutes")
        for name, value in zip((*names, "response_delay_minutes", "comment"), values, strict=True):
            wizard.set_prescription_field(index, name, value)
    window.show_step()
    window.resize(780, 900)
    await save(window, "07_etape5_qualification")
    await window.go_next()
    dialog = await wait_for(lambda: main.success)
    await save(dialog, "08_declenchement_reussi")
    dialog.accept()
    from scripts.shots_board import shoot_board  # the live board

    await shoot_board(main, save, wait_for, found[0].id)
    from scripts.shots_details import shoot_details  # details of a row, patient files

    await shoot_details(main, out, "SANTONI")

    patient = found[0]
    phone.emit(
        IncomingCall(1, patient.phone, patient.phone, "", "centrale", "demo-1", datetime.now(UTC), False)
    )
    assert main.popup is not None
    assert session.screen_pop is not None
    await session.screen_pop.drain()
    await save(main.popup, "09_appel_entrant")
    main.close()
    await session.stop()
    from scripts.shots_supervision import shoot_supervision  # statistics, wall-board, calls

    await shoot_supervision(url, save, wait_for, directory)


def main() -> int:
    parser = argparse.ArgumentParser(description="Captures d'écran du poste opérateur")
    parser.add_argument("--xcb", action="store_true", help="écran X réel (sous xvfb-run) au lieu d'offscreen")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not args.xcb:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import qasync  # type: ignore[import-untyped]
    from PySide6.QtWidgets import QApplication

    from desktop.app import DemoServer

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="centrale-shots-") as folder:
        demo = DemoServer(Path(folder))
        demo.start(timeout=300)  # the demo's seeding takes long on a loaded machine
        try:
            app = QApplication(sys.argv)
            app.setQuitOnLastWindowClosed(False)
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            with loop:
                loop.run_until_complete(shoot(demo.url, args.out, Path(folder) / "desktop"))
        finally:
            demo.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
