"""A prescription's details: the header (case, care, state, patient, requester, comment), then
tabs « Horodatage », « Ressources déclenchées », « Commentaires », « Documents », « Annuler » (the
request, with its reason), « Renouveler » (« Renouveler le déclenchement »), « Incident ».

Live: every change-feed event about this prescription re-reads it (coalesced: one reload for a
burst of events).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.session import Session
from desktop.state import reached_nobody
from desktop.state.board_texts import intervention_delay_text, refusals_text
from desktop.state.prescription_timeline import local_time, prescription_timeline, resources
from desktop.state.times import date_time, zone_named, zone_note
from desktop.sync.prescription_api import PrescriptionApi, PrescriptionDetails
from desktop.ui.keys import button_shortcut
from desktop.ui.prescription.actions import CancelTab, IncidentTab, RenewTab
from desktop.ui.prescription.exchanges import CommentsTab, DocumentsTab
from desktop.ui.prescription.widgets import MessageLine, alive, request_action
from desktop.ui.tasks import on_loop, spawn
from shared.domain import PrescriptionState
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.feed import FeedEvent

RELOAD_DELAY_MS = 150  # events of one commit arrive together: one read for all of them
STATE_COLOURS = {
    PrescriptionState.PENDING: "#8a5a00",
    PrescriptionState.ACCEPTED: "#1b6e20",
    PrescriptionState.STARTED: "#0b57d0",
    PrescriptionState.FINISHED: "#444444",
    PrescriptionState.EXPIRED: "#b3261e",
    PrescriptionState.CANCELLED: "#b3261e",
}


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


class PrescriptionDialog(QDialog):
    loaded = Signal(object)  # the PrescriptionDetails shown (tests, screenshots)

    def __init__(
        self,
        session: Session,
        prescription_id: int,
        parent: QWidget | None = None,
        write: Callable[[QWidget, PrescriptionView], object] | None = None,
    ) -> None:
        """``write``: « Écrire au professionnel » (« Messagerie »'s; None: no such button)."""
        super().__init__(parent)
        self.setObjectName("prescription_details")
        self.setWindowTitle(f"Demande n° {prescription_id}")
        self.resize(820, 640)
        self.session = session
        self.prescription_id = prescription_id
        self.api = PrescriptionApi(session.client)
        self.details: PrescriptionDetails | None = None
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(on_loop(self.load))
        layout = QVBoxLayout(self)
        self.header = QLabel("Chargement…")
        self.header.setObjectName("header")
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.message = MessageLine("details_message")
        layout.addWidget(self.message)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("details_tabs")
        layout.addWidget(self.tabs, 1)
        self.timeline = QListWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setWordWrap(True)
        self.resources = QListWidget()
        self.resources.setObjectName("resources")
        self.resources.setWordWrap(True)
        self.comments = CommentsTab(self.api, prescription_id, self.schedule_reload)
        self.documents = DocumentsTab(self.api, prescription_id, self.schedule_reload)
        self.cancel = CancelTab(self.api, self.schedule_reload)
        self.renew = RenewTab(self.api, self.schedule_reload)
        self.incident = IncidentTab(self.api, self.schedule_reload)
        for widget, title in (
            (self.timeline, "Horodatage"),
            (self.resources, "Ressources déclenchées"),
            (self.comments, "Commentaires"),
            (self.documents, "Documents"),
            (self.cancel, "Annuler"),
            (self.renew, "Renouveler"),
            (self.incident, "Incident"),
        ):
            self.tabs.addTab(widget, title)
        buttons = QHBoxLayout()
        self.write = QPushButton("Écrire au professionnel (Alt+W)")
        self.write.setObjectName("details_write")
        self.write.setAutoDefault(False)
        self.write.setEnabled(False)  # once the request is read
        self.write.setVisible(write is not None)
        if write is not None:
            button_shortcut(self.write, "Alt+W")
            self.write.clicked.connect(
                lambda: write(self, self.details.prescription) if self.details else None
            )
        buttons.addWidget(self.write)
        buttons.addStretch(1)
        close = QPushButton("Fermer")
        close.clicked.connect(self.close)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        session.on_event.append(self._event)
        spawn(self.load())

    # ---- live -------------------------------------------------------------------------------------
    def _event(self, event: FeedEvent) -> None:
        if not alive(self):  # deleted with the main window, without being closed
            self.session.on_event.remove(self._event)
            return
        if event.prescription_id == self.prescription_id:
            self.schedule_reload()

    def schedule_reload(self) -> None:
        self._reload_timer.start()

    async def load(self) -> PrescriptionDetails | None:
        unreadable = f"Demande n° {self.prescription_id} illisible : "
        done = await request_action(self, self.message, self.api.details(self.prescription_id), unreadable)
        if done is None or not alive(self):
            return None  # refused (said), or closed while reading: nothing to show
        details = done.value
        self.message.clear_message()
        self.show_details(details)
        return details

    # ---- rendering --------------------------------------------------------------------------------
    def show_details(self, details: PrescriptionDetails) -> None:
        self.details = details
        view = details.prescription
        self.write.setEnabled(True)
        shown = reached_nobody.state_label(view.state, view.state_label, view.notified_count)
        self.setWindowTitle(f"Fiche #{view.case_number} — {view.profession} — {shown}")
        self.header.setText(self._header(view))
        self.timeline.clear()
        lines = prescription_timeline(
            view,
            details.notifications,
            details.comments,
            details.documents,
            details.incidents,
            details.patient_timeline,
        )
        zone = zone_named(view.intervention_tz)
        for line in lines:
            self.timeline.addItem(f"{line.when(zone)}  {line.label}")
        self.resources.clear()
        for resource in resources(details.notifications):
            self.resources.addItem(resource.text(zone))
        if not details.notifications:
            self.resources.addItem("Aucune ressource disponible")
        self.tabs.setTabText(1, f"Ressources déclenchées ({len(details.notifications)})")
        self.tabs.setTabText(2, f"Commentaires ({len(details.comments)})")
        self.tabs.setTabText(3, f"Documents ({len(details.documents)})")
        for tab in (self.comments, self.documents, self.cancel, self.renew, self.incident):
            tab.show_details(details)
        self.loaded.emit(details)

    @staticmethod
    def _header(view: PrescriptionView) -> str:
        colour = STATE_COLOURS.get(view.state, "#000000")
        state_label = view.state_label
        nobody = reached_nobody.of_view(view)
        if nobody:
            colour, state_label = "#6a1b9a", reached_nobody.LABEL
        patient = view.patient
        if patient is not None:
            who = (
                f"<b>{_html(patient.last_name.upper())} {_html(patient.first_name)}</b> — "
                f"{view.area.age} ans — {'née' if view.area.sex == 'F' else 'né'} le "
                f"{patient.birth_date.strftime('%d/%m/%Y')} — "
                f"{_html(patient.address_line)}"
            )
        else:
            who = f"Patient anonymisé — {view.area.age} ans — {_html(view.area.commune)}"
        requester = view.requester.get("name") or view.requester.get("rpps") or "—"
        zone = zone_named(view.intervention_tz)
        note = f" ({zone_note(zone)})" if zone_note(zone) else ""
        timing = (
            f"à partir du {date_time(view.intervention_at, zone)}{note}"
            if view.intervention_at
            else intervention_delay_text(view.intervention_delay_minutes)
        )
        rows = [
            f"<b>Fiche #{_html(view.case_number)}</b> — {ordinal_round(view.round)} — "
            f"<span style='color:{colour}'><b>{_html(state_label)}</b></span>"
            + (f" — {refusals_text(view.declined_count)}" if view.declined_count else ""),
            who,
            f"<b>Motif :</b> {_html(view.profession)}, {_html(view.care_mode.label)}, "
            f"{_html(view.care_type)} [{timing}] — Délai de réponse : {view.response_delay_minutes} minutes",
            f"<b>Demandeur :</b> {_html(str(requester))} — envoyé le {local_time(view.sent_at, zone)}, "
            f"échéance {local_time(view.deadline_at, zone)}{note}",
            f"<b>Commentaire :</b> {_html(view.comment)}",
        ]
        if nobody:
            rows.append(f"<span style='color:{colour}'>{_html(reached_nobody.NEXT_STEP)}</span>")
        if view.priority_until is not None:
            until = local_time(view.priority_until, zone)
            rows.append(f"Priorité aux professionnels habituels jusqu'à {until}")
        if view.report:
            rows.append(f"<b>Compte rendu (CR) :</b> {_html(view.report)}")
        return "<br>".join(rows)

    # ---- closing ----------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self._detach()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._detach()
        super().done(result)

    def _detach(self) -> None:
        self._reload_timer.stop()
        if self._event in self.session.on_event:
            self.session.on_event.remove(self._event)
        self.documents.cleanup()


def ordinal_round(round_: int) -> str:
    return "1er déclenchement" if round_ == 1 else f"{round_}e déclenchement"
