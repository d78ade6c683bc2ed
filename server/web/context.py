"""What every page needs of the server: its database, clock and settings, the live hub, the web
settings and the templates; and, of the request, where it comes from (for the audit trail).

The web app is a sub-application mounted at /pro by server/app.py, which hands it the server's
state here: this package never imports the JSON API (server.api).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from starlette.requests import HTTPConnection

from server.clock import Clock
from server.db import Database
from server.live import Hub
from server.security.audit import Origin
from server.settings import Settings
from server.web.settings import WebSettings

PREFIX = "/pro"


class CoreState(Protocol):
    """The server's state as the JSON API holds it (server.api.context.AppState fits)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def db(self) -> Database: ...
    @property
    def clock(self) -> Clock: ...


@dataclass(frozen=True)
class WebState:
    core: CoreState
    hub: Hub
    settings: WebSettings

    @property
    def db(self) -> Database:
        return self.core.db

    def now(self) -> datetime:
        return self.core.clock.now()


def web_of(connection: HTTPConnection) -> WebState:
    state = connection.app.state.web
    assert isinstance(state, WebState)
    return state


def origin_of(connection: HTTPConnection) -> Origin:
    """The audit trail's view of a page request."""
    ip = connection.client.host if connection.client else None
    agent = connection.headers.get("user-agent")
    method = connection.scope.get("method", "GET")
    return Origin(method, connection.url.path[:300], ip, agent[:200] if agent else None)


def client_label(connection: HTTPConnection) -> str:
    """Who opened a session, as kept with it: the address and the browser."""
    origin = origin_of(connection)
    return f"{origin.client_ip or ''} {origin.client_agent or ''}".strip()[:200]


def is_secure(connection: HTTPConnection) -> bool:
    """Served over TLS: directly, or behind a trusted proxy that says so (cookies get Secure)."""
    if connection.url.scheme == "https":
        return True
    if web_of(connection).settings.trusted_proxy:
        forwarded = connection.headers.get("x-forwarded-proto", "")
        return forwarded.split(",")[0].strip().lower() == "https"
    return False


def own_origin(connection: HTTPConnection) -> str:
    """scheme://host of this server as the browser sees it (for the Origin check)."""
    scheme = "https" if is_secure(connection) else connection.url.scheme
    host = connection.headers.get("host", connection.url.netloc)
    return f"{scheme}://{host}"
