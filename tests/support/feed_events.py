"""Typed change-feed events for the desktop's tests: what a test leaves out is filled with a blank.

``feed_event("prescription_accepted", 5, at=NOW, prescription_id=11, accepted_by_name="X")`` is the
``FeedEvent`` the follower hands to the views, its payload built (and checked) by the type's model
of ``shared/schemas/feed.py``; the fields a test does not care about get 0, "", None, (), the
event's time or the enum's first member.
"""

from __future__ import annotations

import typing
from datetime import datetime
from enum import Enum
from typing import Any

from shared.schemas.feed import EVENT_MODELS, EventType, FeedEvent


def _blank(annotation: Any, at: datetime) -> Any:
    if type(None) in typing.get_args(annotation):
        return None
    if typing.get_origin(annotation) is tuple:
        return ()
    if annotation is datetime:
        return at
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return next(iter(annotation))
    assert annotation in (int, str, bool), f"no blank for {annotation}"
    return annotation()


def feed_event(
    type_: str,
    seq: int,
    *,
    at: datetime,
    case_id: int | None = None,
    prescription_id: int | None = None,
    **data: Any,
) -> FeedEvent:
    model = EVENT_MODELS[EventType(type_)]
    blanks = {
        name: _blank(info.annotation, at)
        for name, info in model.model_fields.items()
        if info.is_required() and name not in data
    }
    return FeedEvent(seq, at, case_id, prescription_id, model.model_validate({**blanks, **data}))
