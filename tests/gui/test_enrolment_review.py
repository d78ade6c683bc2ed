"""Registration end to end, Chromium and the offscreen desktop against one real server process
wired to a real SMTP server: the form in Chromium (a real PNG of the CPS card), the SMS code from
the demo backend's delivery rows, the e-mailed link from the SMTP server; then the administrator's
desktop: « Inscriptions à valider » (the flags in French, the image shown, « Valider » with the new
network created) and the login in Chromium as the new professional. Then a refusal through the
desktop (a PDF rendered by QtPdf, the reason mandatory): the applicant's e-mail carries it. Every
back-office act is in the audit trail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import FilePayload, Page, sync_playwright
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage, QImageWriter, QPainter, QPdfWriter
from PySide6.QtWidgets import QDialogButtonBox

from desktop.state.back_office.registrations import CREATE_NETWORK
from desktop.ui.back_office import BackOffice
from desktop.ui.back_office.registration_dialogs import ApproveDialog, RejectDialog
from desktop.ui.back_office.user_dialogs import FormDialog
from tests.browser.test_web_enrolment import fill_form, verify
from tests.support.browser import context_options, launch, problems_of, watch
from tests.support.browser_fixtures import chromium
from tests.support.enrolment import (
    body_of,
    last_sms_code,
    link_in,
    mails_to,
    mobile,
    registration_fields,
    start_enrolment_server,
)
from tests.support.gui import close_main_window, open_main_window, run, wait_for
from tests.support.live import ADMIN_PASSWORD, ADMIN_USERNAME, LiveServer, rpps_with_key, unique_name
from tests.support.mail_fixtures import SMTP_LOGIN, mail_pki
from tests.support.smtp_server import Pki, SmtpServer, smtp_server
from tests.support.supervision_gui import cell
from tests.support.web_pages import log_in

__all__ = ["chromium", "mail_pki"]
Chromium = Callable[[Callable[[Page], Any]], Any]
REASON = "Le recto de la carte CPS est illisible : merci de vous réinscrire avec une photo nette"


@pytest.fixture(scope="module")
def mail(mail_pki: Pki) -> Iterator[SmtpServer]:
    with smtp_server(mail_pki, credentials=SMTP_LOGIN) as server:
        yield server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, mail: SmtpServer, mail_pki: Pki) -> Iterator[LiveServer]:
    yield from start_enrolment_server("sqlite", tmp_path_factory.mktemp("enrolment-desktop"), mail, mail_pki)


@pytest.fixture
def in_chromium(chromium: str, live: LiveServer) -> Iterator[Chromium]:
    """One page of Chromium driven from its own thread: Playwright's synchronous API keeps its own
    event loop, which must not share the thread where the test's qasync loop runs the desktop."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
    held: dict[str, Any] = {}

    def start() -> None:
        held["playwright"] = sync_playwright().start()
        held["browser"] = launch(held["playwright"], chromium)
        options = context_options(held["browser"], "desktop")
        context = held["browser"].new_context(**options, base_url=live.process.base_url)
        context.set_default_timeout(10_000)
        watch(context)
        held["context"] = context
        held["page"] = context.new_page()

    def stop() -> str:
        report = problems_of(held["context"]).report() if problems_of(held["context"]) else ""
        held["browser"].close()
        held["playwright"].stop()
        return report

    pool.submit(start).result()
    try:
        yield lambda step: pool.submit(step, held["page"]).result()
    finally:
        report = pool.submit(stop).result()
        pool.shutdown()
    if report:
        pytest.fail("problèmes dans les pages :\n" + report, pytrace=False)


def real_png() -> bytes:
    image = QImage(64, 40, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # QImage.save refuses bytes for the format at run time (PySide6 6.11) and its stub refuses str:
    # the writer takes the format as a QByteArray for both
    assert QImageWriter(buffer, QByteArray(b"PNG")).write(image)
    return bytes(buffer.data().data())


def real_pdf(path: Path) -> bytes:
    writer = QPdfWriter(str(path))
    painter = QPainter(writer)
    painter.drawText(200, 200, "Attestation ADELI")
    painter.end()
    return path.read_bytes()


def _save(dialog: FormDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def sign_up(page: Page, live: LiveServer, mail: SmtpServer, phone: str, email: str, png: bytes) -> None:
    page.goto("/pro/inscription")
    identifier = rpps_with_key(hash(email) % 10**10)
    fill_form(page, kind="rpps", identifier=identifier, profession="60", email=email, phone=phone)
    page.get_by_label("Recto de votre carte CPS", exact=False).set_input_files(
        files=[FilePayload(name="cps.png", mimeType="image/png", buffer=png)]
    )
    page.get_by_role("button", name="S'enregistrer").click()
    verify(page, live, mail, phone, email)


def verified_by_api(live: LiveServer, mail: SmtpServer, pdf: bytes) -> dict[str, Any]:
    """A second applicant, through the public API: the form, a PDF, the SMS code, the link."""
    fields = registration_fields(network_name=None)
    client = live.client()
    created = client.post("/registrations", json=fields).json()
    headers = {"X-Registration-Token": created["token"]}
    sent = client.post(
        f"/registrations/{created['id']}/documents",
        files={"file": ("adeli.pdf", pdf, "application/pdf")},
        headers=headers,
    )
    assert sent.status_code == 200, sent.text
    code = last_sms_code(live, fields["phone"])
    assert client.post(
        f"/registrations/{created['id']}/phone-code", json={"code": code}, headers=headers
    ).is_success
    assert httpx.get(link_in(mails_to(mail, fields["email"])[0]), timeout=10).status_code == 200
    return {**fields, "id": created["id"]}


def audit_of(live: LiveServer, action: str) -> list[dict[str, Any]]:
    params: dict[str, str | int] = {
        "action": action,
        "username": ADMIN_USERNAME,
        "order": "desc",
        "limit": 50,
    }
    response = live.admin().get("/admin/audit", params=params)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


def test_enrol_in_chromium_validate_in_the_desktop_log_in(
    loop, qtbot, live: LiveServer, mail: SmtpServer, in_chromium: Chromium, tmp_path: Path
) -> None:
    # 1. Chromium: the form, the SMS code, the e-mailed link.
    phone, email = mobile(), f"{unique_name('ide').lower()}@example.org"
    png = real_png()
    in_chromium(lambda page: sign_up(page, live, mail, phone, email, png))
    refused = verified_by_api(live, mail, real_pdf(tmp_path / "adeli.pdf"))
    waiting = live.admin().get("/admin/registrations", params={"status": "to_review"}).json()
    mine = next(r for r in waiting if r["email"] == email)
    made: dict[str, str] = {}

    async def scenario() -> None:
        window = await open_main_window(
            live.process.base_url, ADMIN_USERNAME, ADMIN_PASSWORD, tmp_path / "desk"
        )
        try:
            await review(window)
        finally:
            await close_main_window(window)

    async def review(window: Any) -> None:
        office = window.back_office
        assert isinstance(office, BackOffice)
        await wait_for(lambda: "Inscriptions à valider" in office.overview.lines.text(), what="the counts")
        assert f"Inscriptions à valider : {len(waiting)}" in office.overview.lines.text()
        view = office.registrations
        await wait_for(lambda: view.rows, what="the registrations to review")
        assert view.status_filter.currentText() == "À valider"

        def shown(registration_id: int) -> bool:
            # The state, not the signal: the first row may have been shown before we looked.
            return view.current is not None and view.current.id == registration_id

        # The first applicant: the flags in French, the form, the image shown; « Valider ».
        assert view.select_id(mine["id"])
        await wait_for(lambda: shown(mine["id"]), what="the registration shown")
        row = view.table.currentRow()
        assert cell(view.table, row, 7) == "annuaire non importé, réseau nouveau"
        assert cell(view.table, row, 6) == "CPTS Centre Essonne (nouveau)"
        assert f"E-mail : {email} — vérifié : oui, le " in view.detail.text()
        assert view.document.shown == "image"
        assert not view.document.image.pixmap().isNull()
        dialogs: list[FormDialog] = []
        view.dialog_opened.connect(dialogs.append)
        view.approve_button.click()
        await wait_for(lambda: dialogs, what="the approval dialog")
        approve = dialogs[-1]
        assert isinstance(approve, ApproveDialog)
        _save(approve)  # no network chosen: refused in French, nothing sent
        await wait_for(lambda: "Réseau" in approve.error.text(), what="the network asked for")
        assert approve.isVisible()
        approve.network.setCurrentIndex(approve.network.findData(CREATE_NETWORK))
        _save(approve)
        await wait_for(lambda: "validée" in view.status.text(), timeout=20, what="the approval")
        made["username"] = view.status.text().split("« ")[1].split(" »")[0]
        await wait_for(lambda: all(r.registration.id != mine["id"] for r in view.rows), what="off the list")

        # The second applicant: the PDF rendered; « Refuser » needs a reason.
        assert view.select_id(refused["id"])
        await wait_for(lambda: shown(refused["id"]), what="the second registration")
        assert view.document.shown == "pdf"
        view.reject_button.click()
        reject = dialogs[-1]
        assert isinstance(reject, RejectDialog)
        _save(reject)
        await wait_for(lambda: "Motif" in reject.error.text(), what="the reason asked for")
        assert reject.isVisible()
        reject.reason.setPlainText(REASON)
        _save(reject)
        await wait_for(lambda: "refusée" in view.status.text(), timeout=20, what="the refusal")

        # « Journal des notifications »: the refusal's SMS, in French; a bad day refused in French.
        journal = office.deliveries
        journal.channel.setCurrentIndex(journal.channel.findData("sms"))
        journal.purpose.setCurrentIndex(journal.purpose.findData("registration_rejected"))
        await journal.refresh()
        assert journal.table.rowCount() >= 1
        assert [cell(journal.table, 0, c) for c in (1, 2)] == ["SMS", "Inscription refusée"]
        assert "envoi(s) affiché(s)" in journal.status.text()
        journal.since.setText("31/02/2025")
        await journal.refresh()
        assert journal.status.text() == "Du : date invalide « 31/02/2025 » (JJ/MM/AAAA attendu)"

    run(loop, scenario(), timeout=120)

    # 2. Chromium: the new professional logs in; the refused applicant's e-mail says why.
    approved = live.admin().get(f"/admin/registrations/{mine['id']}").json()
    assert approved["status"] == "approved"
    assert approved["username"] == made["username"]
    in_chromium(lambda page: log_in(page, made["username"]))
    told = [body_of(m) for m in mails_to(mail, refused["email"], count=2)]
    assert any(REASON in text for text in told), told

    # 3. Every back-office act is audited, with the registration it concerned.
    for action, registration_id in (
        ("registration_read", mine["id"]),
        ("registration_document_read", mine["id"]),
        ("registration_approve", mine["id"]),
        ("registration_document_read", refused["id"]),
        ("registration_reject", refused["id"]),
    ):
        ids = [e["detail"].get("registration_id") for e in audit_of(live, action)]
        assert registration_id in ids, (action, ids)
    rejection = next(
        e for e in audit_of(live, "registration_reject") if e["detail"]["registration_id"] == refused["id"]
    )
    assert rejection["detail"]["reason"] == REASON
    assert audit_of(live, "registration_list")
    assert audit_of(live, "delivery_log")
    assert any(e["detail"].get("registration_id") == mine["id"] for e in audit_of(live, "network_create"))
