"""The platform team's back office (admin role): the counts on « Accueil », then one tab per view —
« Utilisateurs » (Alt+2), « Professionnels » (Alt+3), « Réseaux » (Alt+4), « Journal d'audit »
(Alt+5), « Inscriptions à valider » (Alt+6), « Journal des notifications » (Alt+7),
« Téléphonie » (Alt+8: the hotline's settings, issue 19), « Messagerie » (Alt+9: the retention of
conversations, issue 20). A further view is one more
`BackOfficeView` in `VIEWS`: a title, its shortcut, and a factory taking the `BackOfficeApi`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.state.back_office.home import overview_lines
from desktop.sync.back_office_api import BackOfficeApi
from desktop.sync.errors import ApiProblem
from desktop.ui.back_office.audit_view import AuditView
from desktop.ui.back_office.deliveries_view import DeliveriesView
from desktop.ui.back_office.messaging_settings_view import MessagingSettingsView
from desktop.ui.back_office.networks_view import NetworksView
from desktop.ui.back_office.professionals_view import ProfessionalsView
from desktop.ui.back_office.registrations_view import RegistrationsView
from desktop.ui.back_office.telephony_view import TelephonyView
from desktop.ui.back_office.users_view import UsersView
from desktop.ui.back_office.widgets import BackOfficePage, button
from desktop.ui.shell import Shell
from desktop.ui.tasks import spawn
from shared.domain import Role


@dataclass(frozen=True)
class BackOfficeView:
    title: str
    shortcut: str
    make: Callable[[BackOfficeApi], BackOfficePage]


VIEWS = (
    BackOfficeView("Utilisateurs", "Alt+2", UsersView),
    BackOfficeView("Professionnels", "Alt+3", ProfessionalsView),
    BackOfficeView("Réseaux", "Alt+4", NetworksView),
    BackOfficeView("Journal d'audit", "Alt+5", AuditView),
    BackOfficeView("Inscriptions à valider", "Alt+6", RegistrationsView),
    BackOfficeView("Journal des notifications", "Alt+7", DeliveriesView),
    BackOfficeView("Téléphonie", "Alt+8", TelephonyView),
    BackOfficeView("Messagerie", "Alt+9", MessagingSettingsView),
)


class OverviewPanel(QWidget):
    """« Accueil »'s counts: only what the server has (`GET /admin/overview`)."""

    refreshed = Signal()

    def __init__(self, api: BackOfficeApi) -> None:
        super().__init__()
        self.setObjectName("back_office_overview")
        self.api = api
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("<b>La plateforme en un coup d'œil</b>"))
        self.lines = QLabel("Lecture en cours…")
        self.lines.setObjectName("overview_lines")
        self.lines.setWordWrap(True)
        column.addWidget(self.lines)
        self.refresh_button = button("Actualiser", "F5", "overview_refresh")
        self.refresh_button.clicked.connect(lambda: spawn(self.refresh()))
        column.addWidget(self.refresh_button)

    async def refresh(self) -> None:
        try:
            overview = await self.api.overview()
        except ApiProblem as problem:
            self.lines.setText(f"Compteurs illisibles : {problem}")
            return
        self.lines.setText("\n".join(overview_lines(overview)))
        self.refreshed.emit()


@dataclass
class BackOffice:
    api: BackOfficeApi
    overview: OverviewPanel
    views: dict[str, BackOfficePage] = field(default_factory=dict)

    @property
    def users(self) -> UsersView:
        view = self.views["Utilisateurs"]
        assert isinstance(view, UsersView)
        return view

    @property
    def professionals(self) -> ProfessionalsView:
        view = self.views["Professionnels"]
        assert isinstance(view, ProfessionalsView)
        return view

    @property
    def networks(self) -> NetworksView:
        view = self.views["Réseaux"]
        assert isinstance(view, NetworksView)
        return view

    @property
    def registrations(self) -> RegistrationsView:
        view = self.views["Inscriptions à valider"]
        assert isinstance(view, RegistrationsView)
        return view

    @property
    def deliveries(self) -> DeliveriesView:
        view = self.views["Journal des notifications"]
        assert isinstance(view, DeliveriesView)
        return view

    @property
    def telephony(self) -> TelephonyView:
        view = self.views["Téléphonie"]
        assert isinstance(view, TelephonyView)
        return view

    @property
    def messaging_settings(self) -> MessagingSettingsView:
        view = self.views["Messagerie"]
        assert isinstance(view, MessagingSettingsView)
        return view

    @property
    def audit(self) -> AuditView:
        view = self.views["Journal d'audit"]
        assert isinstance(view, AuditView)
        return view


def install_back_office(shell: Shell, home: QWidget | None) -> BackOffice | None:
    """For an administrator: the counts at the top of ``home`` (« Accueil ») and one tab per view,
    each read once now."""
    session = shell.session
    if session.user.role is not Role.ADMIN:
        return None
    api = BackOfficeApi(session.client)
    overview = OverviewPanel(api)
    layout = home.layout() if home is not None else None
    if isinstance(layout, QVBoxLayout):
        layout.insertWidget(1, overview)
    office = BackOffice(api, overview)
    spawn(overview.refresh())
    for spec in VIEWS:
        view = spec.make(api)
        office.views[spec.title] = view
        shell.add_tab(view, spec.title, spec.shortcut)
        spawn(view.refresh())
    return office
