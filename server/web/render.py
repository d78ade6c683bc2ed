"""Jinja2 templates of the web app, the filters they use, and the HTML responses."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse

from server.web.assets import inline_style, static_url, vendor_url
from server.web.context import PREFIX
from server.web.pages.messaging_present import FILTERS as MESSAGING_FILTERS
from server.web.present import FILTERS
from server.web.times import day, duration, hour, iso, when

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=when, hour=hour, day=day, duration=duration, iso=iso)
    env.filters.update(FILTERS)
    env.filters.update(MESSAGING_FILTERS)
    env.globals.update(static_url=static_url, vendor_url=vendor_url, prefix=PREFIX)
    # Our own style sheet (a file of this package), not user input: written as it is.
    env.globals["style"] = Markup(inline_style()[0])  # noqa: S704
    return env


def html(
    template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    body = environment().get_template(template).render(**context)
    return HTMLResponse(body, status_code=status, headers=headers)
