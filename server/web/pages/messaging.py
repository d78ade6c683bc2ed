"""« Messagerie » (issue 20): my threads with their unread counts, a thread's messages (oldest to
newest, « Messages précédents » by keyset), writing with attachments, adding people, « Quitter la
conversation », and the live fragments the SSE wake-ups `messages` (the list, the menu's badge) and
`thread-<id>` (that thread's page) ask for (server/web/live.py).

No edit and no delete anywhere: a message sent is part of the record (traceability). Every read
and write goes through server/services/messaging_actions.py, which checks who may and audits the
reads of a thread about a patient.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any
from uuid import uuid4

from fastapi import APIRouter, Path, Query, Request
from pydantic import ValidationError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from server.errors import DomainError
from server.http_download import file_download
from server.services import messaging_actions
from server.services.acting import Acting
from server.services.idempotency_keys import checked_key
from server.services.messaging_attachments import AttachmentUpload
from server.web.context import PREFIX
from server.web.errors import first_error, status_of
from server.web.guard import Current, Post
from server.web.pages.common import acting, done, page
from server.web.pages.messaging_new import search
from server.web.pages.messaging_present import my_mark, picked_of, seen_by
from server.web.render import html
from server.web.sessions import Visitor
from shared.schemas.common import DB_INT_MAX
from shared.schemas.exchanges import DOCUMENT_MAX_BYTES
from shared.schemas.messaging import (
    ATTACHMENTS_PER_MESSAGE,
    MESSAGE_TEXT_MAX,
    PARTICIPANTS_MAX,
    MessageOut,
    ParticipantsAdd,
    ThreadOut,
)

router = APIRouter()
THREADS_SHOWN = 30
Key = Annotated[int | None, Query(ge=1, le=DB_INT_MAX)]
ThreadId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]
AttachmentId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]


def thread_url(thread_id: int) -> str:
    return f"{PREFIX}/messagerie/{thread_id}"


# --- the list ---


def _threads(who: Acting, archived: bool, offset: int) -> dict[str, Any]:
    found = messaging_actions.threads(who, offset=offset, limit=THREADS_SHOWN, archived=archived)
    return {"threads": found.items, "total": found.total, "offset": offset, "archived": archived}


@router.get("/messagerie")
def threads(
    request: Request, visitor: Current, archivees: int = 0, debut: int = Query(0, ge=0, le=10**6)
) -> Response:
    listing = _threads(acting(request, visitor), bool(archivees), debut)
    title = "Conversations archivées" if archivees else "Messagerie"
    return page(request, visitor, "messaging.html", title=title, shown=THREADS_SHOWN, **listing)


@router.get("/live/messagerie/liste")
def threads_fragment(request: Request, visitor: Current) -> Response:
    listing = _threads(acting(request, visitor), False, 0)
    return html("_messaging_threads.html", visitor=visitor, **listing)


@router.get("/live/messagerie/menu")
def menu_badge(request: Request, visitor: Current) -> Response:
    """The menu's count of unread threads, in both menus (drawer and side)."""
    unread = messaging_actions.unread(acting(request, visitor))
    return html("_messaging_menu_badges.html", messages_unread=unread.unread_threads)


# --- a thread ---


def _unread_up_to(thread: ThreadOut, messages: list[MessageOut], me: int) -> int | None:
    """The read mark to set once these messages are shown: their last, when it is past the
    reader's mark (only forward: a wake-up caused by a read mark changes nothing, so two open
    pages never wake each other up for ever)."""
    last = messages[-1].id if messages else None
    if last is None or thread.left or (my_mark(thread, me) or 0) >= last:
        return None
    return last


def _mark_read_after(who: Acting, thread_id: int, up_to: int) -> None:
    """After the fragment was sent: a refusal meanwhile (left, archived) only means nothing to mark."""
    with suppress(DomainError):
        messaging_actions.mark_read(who, thread_id, up_to)


def _messages_context(who: Acting, thread: ThreadOut, before: int | None) -> dict[str, Any]:
    found = messaging_actions.messages(who, thread.id, before=before)
    me = who.principal.id
    return {
        "thread": thread,
        "messages": found.items,
        "has_more": found.has_more,
        "before": before,
        "seen": seen_by(thread, found.items, me),
        "me": me,
    }


def _thread_page(
    request: Request,
    visitor: Visitor,
    thread_id: int,
    *,
    before: int | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    who = acting(request, visitor)
    thread = messaging_actions.thread(who, thread_id)
    context = _messages_context(who, thread, before)
    mark = _unread_up_to(thread, context["messages"], who.principal.id)
    if mark is not None:  # before the page is drawn: its menu badge counts it read
        messaging_actions.mark_read(who, thread_id, mark)
    q = str(extra.pop("q", ""))
    picked = extra.pop("picked", [])
    found = search(who, q, picked, patient_id=None, thread_id=thread_id) if q else None
    return page(
        request,
        visitor,
        "messaging_thread.html",
        status=status,
        title=thread.subject or "Conversation",
        **context,
        q=q,
        picked=picked,
        search=found,
        send_key=uuid4().hex,  # the form's Idempotency-Key: a second click writes nothing twice
        max_bytes=DOCUMENT_MAX_BYTES,
        limits={
            "text": MESSAGE_TEXT_MAX,
            "files": ATTACHMENTS_PER_MESSAGE,
            "participants": PARTICIPANTS_MAX,
        },
        **{"error": "", "text": "", "add_error": "", **extra},
    )


@router.get("/messagerie/{thread_id:int}")
def thread_page(
    thread_id: ThreadId, request: Request, visitor: Current, avant: Key = None, q: str = ""
) -> Response:
    return _thread_page(request, visitor, thread_id, before=avant, q=q)


@router.get("/messagerie/{thread_id:int}/fil")
def thread_fragment(thread_id: ThreadId, request: Request, visitor: Current, vu: int = 0) -> Response:
    """The newest messages, re-read on the `thread-<id>` wake-up; `vu=1` when the page is visible
    (app.js says so): then they are marked read, once the fragment is sent (off the path of the
    message to the screen)."""
    who = acting(request, visitor)
    thread = messaging_actions.thread(who, thread_id)
    context = _messages_context(who, thread, None)
    response = html("_messaging_messages.html", visitor=visitor, live=True, **context)
    mark = _unread_up_to(thread, context["messages"], who.principal.id) if vu == 1 else None
    if mark is not None:
        response.background = BackgroundTask(_mark_read_after, who, thread_id, mark)
    return response


async def _uploads(files: list[UploadFile]) -> list[AttachmentUpload]:
    """The files chosen (an empty file field sends a nameless empty part: not a file); each read
    up to one byte past the limit, so that the service can say it is too large."""
    chosen = [f for f in files if f.filename or f.size]
    return [
        AttachmentUpload(await f.read(DOCUMENT_MAX_BYTES + 1), f.filename or None)
        for f in chosen[: ATTACHMENTS_PER_MESSAGE + 1]
    ]


@router.post("/messagerie/{thread_id:int}/messages")
async def post_message(thread_id: ThreadId, request: Request, post: Post) -> Response:
    """A message (text, files or both); refused (a file by content, by size, too many, an empty
    text…) the page comes back with the reason and the text as it was typed."""
    text = post.text("texte")
    files = [f for f in post.form.getlist("fichiers") if isinstance(f, UploadFile)]
    who = acting(request, post.visitor)
    error, status = "", 200
    try:
        uploads = await _uploads(files)
        key = checked_key(post.text("cle") or None, "message")
        await run_in_threadpool(messaging_actions.post, who, thread_id, text, tuple(uploads), key)
    except DomainError as refused:
        if status_of(refused) == 404:
            raise
        error, status = refused.message, status_of(refused)
    if error:
        return await run_in_threadpool(
            lambda: _thread_page(request, post.visitor, thread_id, status=status, error=error, text=text)
        )
    return done(thread_url(thread_id), "message")


@router.post("/messagerie/{thread_id:int}/participants")
def add_participants(thread_id: ThreadId, request: Request, post: Post) -> Response:
    picked = picked_of(str(v) for v in post.form.getlist("participant"))
    q = post.text("q")
    if post.text("action") == "chercher" or not picked:
        add_error = "" if post.text("action") == "chercher" else "Cochez au moins une personne à ajouter."
        status = 200 if not add_error else 422
        return _thread_page(
            request, post.visitor, thread_id, status=status, q=q, picked=picked, add_error=add_error
        )
    try:
        body = ParticipantsAdd(user_ids=[p.user_id for p in picked])
        messaging_actions.add_participants(acting(request, post.visitor), thread_id, body.user_ids)
    except ValidationError as invalid:
        error = first_error(invalid.errors())
        return _thread_page(request, post.visitor, thread_id, status=422, q=q, picked=picked, add_error=error)
    except DomainError as refused:
        if status_of(refused) == 404:
            raise
        status = status_of(refused)
        return _thread_page(
            request, post.visitor, thread_id, status=status, q=q, picked=picked, add_error=refused.message
        )
    return done(thread_url(thread_id), "participants")


@router.get("/messagerie/{thread_id:int}/quitter")
def leave_confirm(thread_id: ThreadId, request: Request, visitor: Current) -> Response:
    thread = messaging_actions.thread(acting(request, visitor), thread_id)
    return page(request, visitor, "messaging_leave.html", title="Quitter la conversation", thread=thread)


@router.post("/messagerie/{thread_id:int}/quitter")
def leave(thread_id: ThreadId, request: Request, post: Post) -> Response:
    messaging_actions.leave(acting(request, post.visitor), thread_id)
    return done(f"{PREFIX}/messagerie", "left")


@router.get("/messagerie/{thread_id:int}/pieces/{attachment_id}")
def download(
    thread_id: ThreadId, attachment_id: AttachmentId, request: Request, visitor: Current
) -> Response:
    found = messaging_actions.download(acting(request, visitor), thread_id, attachment_id)
    return file_download(found.data, found.filename, found.content_type)
