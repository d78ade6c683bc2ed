"""No secure keyring on this workstation: the SIP password is asked at each start, kept in memory
for the session only (never written anywhere)."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from desktop.settings import NO_SECURE_KEYRING


async def ask_sip_password(uri: str, parent: QWidget | None = None) -> str:
    """The password typed, or "" when the operator cancels (the phone then registers without one
    and a PBX that asks for it refuses, which the status bar says)."""
    dialog = QInputDialog(parent)
    dialog.setObjectName("sip_password_prompt")
    dialog.setWindowTitle("Mot de passe SIP")
    dialog.setLabelText(
        f"{NO_SECURE_KEYRING}\n\nMot de passe du compte SIP {uri} pour cette session "
        "(il ne sera pas conservé) :"
    )
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    dialog.setOkButtonText("Valider")
    dialog.setCancelButtonText("Sans mot de passe")
    done: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def finished(result: int) -> None:
        if not done.done():
            done.set_result(dialog.textValue() if result else "")

    dialog.finished.connect(finished)
    dialog.open()
    try:
        return await done
    finally:
        dialog.deleteLater()
