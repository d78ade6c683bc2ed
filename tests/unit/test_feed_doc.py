"""docs/server.md lists the change feed's events exactly as shared/schemas/feed.py defines them."""

from __future__ import annotations

import types
import typing
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from shared.schemas.feed import EVENT_MODELS, EventPayload, PrescriptionChange

DOC = Path(__file__).resolve().parents[2] / "docs" / "server.md"
START = "<!-- feed-events: generated from shared/schemas/feed.py, checked by tests/unit/test_feed_doc.py -->"
END = "<!-- /feed-events -->"


def _type_name(annotation: Any) -> str:
    if typing.get_origin(annotation) is typing.Annotated:
        return _type_name(annotation.__origin__)
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        named = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(named) + (" or null" if type(None) in args else "")
    if typing.get_origin(annotation) in (tuple, list):
        return f"list of {_type_name(args[0])}"
    if annotation is datetime:
        return "ISO 8601 time"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " / ".join(m.value for m in annotation)
    names = {int: "int", str: "text", bool: "bool"}
    return names[annotation]


def _row(model: type[EventPayload]) -> str:
    when = (model.__doc__ or "").strip().splitlines()[0]
    data = ", ".join(f"`{name}` {_type_name(f.annotation)}" for name, f in model.model_fields.items())
    ids = "case, prescription" if issubclass(model, PrescriptionChange) else "—"
    return f"| `{model.TYPE.value}` | {when} | {ids} | {data} |"


def rendered() -> str:
    lines = [START, "| `type` | when | ids | `data` |", "|---|---|---|---|"]
    lines += [_row(model) for model in EVENT_MODELS.values()]
    return "\n".join([*lines, END])


def test_the_doc_lists_the_events_of_the_models() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert START in text, f"docs/server.md needs the events table:\n{rendered()}"
    assert END in text, f"docs/server.md needs the events table:\n{rendered()}"
    documented = text[text.index(START) : text.index(END) + len(END)]
    assert documented == rendered(), f"docs/server.md is out of date; the table should read:\n{rendered()}"
