"""Who may see a page, and which posts are genuine.

- `current`: the professional behind the session cookie (LoginRequired otherwise, which sends
  the browser to the login page: « Session expirée » when the session ended).
- `posted`: a POST of that professional carrying the session's CSRF token — the hidden field
  ``csrf`` of every form, or the ``X-CSRF-Token`` header htmx adds (``hx-headers`` on <body>) —
  and, when the browser says where it comes from (``Origin``, else ``Referer``), coming from this
  server. Anything else is refused (403 page) and audited (``csrf_refused``).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from server.security.audit import record_audit
from server.security.principal import Principal
from server.web.context import origin_of, own_origin, web_of
from server.web.sessions import SESSION_COOKIE, Visitor, visitor_of

CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
# Fragments the live feed asks for (server/web/live.py) are not the professional's activity:
# they do not keep an idle session open.
LIVE_HEADER = "x-live"


class CsrfRefused(Exception):
    """A POST without the session's token, or from another site."""


def current(request: Request) -> Visitor:
    web = web_of(request)
    touch = request.headers.get(LIVE_HEADER) != "1"
    with web.db.session() as session:
        return visitor_of(session, request.cookies.get(SESSION_COOKIE), web.now(), web.settings, touch=touch)


Current = Annotated[Visitor, Depends(current)]


def same_site(request: Request) -> bool:
    """The browser's Origin (or Referer) is this server, or it sent neither."""
    claimed = request.headers.get("origin")
    if claimed is None:
        referer = request.headers.get("referer")
        if referer is None:
            return True
        parts = urlsplit(referer)
        claimed = f"{parts.scheme}://{parts.netloc}"
    return claimed == own_origin(request)


def audit_refusal(request: Request, principal: Principal | None, reason: str) -> None:
    web = web_of(request)
    with web.db.session() as session:
        at, origin = web.now(), origin_of(request)
        record_audit(session, at, origin, principal, "csrf_refused", status=403, reason=reason)


@dataclass(frozen=True)
class Posted:
    """A genuine POST: who sent it and its fields."""

    visitor: Visitor
    form: FormData

    def text(self, name: str) -> str:
        value = self.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def file(self, name: str) -> UploadFile | None:
        value = self.form.get(name)
        return value if isinstance(value, UploadFile) else None

    @property
    def principal(self) -> Principal:
        return self.visitor.principal


async def posted(request: Request, visitor: Current) -> Posted:
    form = await request.form()
    token = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    reason = None
    if not same_site(request):
        reason = "origin"
    elif not isinstance(token, str) or not hmac.compare_digest(token.encode(), visitor.csrf.encode()):
        reason = "token"
    if reason is not None:
        await run_in_threadpool(audit_refusal, request, visitor.principal, reason)
        raise CsrfRefused(reason)
    return Posted(visitor, form)


Post = Annotated[Posted, Depends(posted)]
