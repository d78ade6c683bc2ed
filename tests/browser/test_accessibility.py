"""The axe helper finds what it must (so a page test can fail) and nothing on a correct page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route

from tests.support.browser import assert_accessible, axe_violations, format_violations
from tests.support.browser_fixtures import NewContext

BAD = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Mauvaise page</title></head>
<body><main><h1>Offres</h1>
<img src="/photo.png" width="20" height="20">
<button class="accepter"></button>
<p style="color:#bbb;background:#fff">Texte gris clair sur blanc</p>
</main></body></html>"""

GOOD = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Offres</title></head>
<body><header><a href="#contenu">Aller au contenu</a></header>
<main id="contenu"><h1>Offres</h1>
<img src="/photo.png" alt="Carte du secteur" width="20" height="20">
<form><label for="motif">Motif</label><input id="motif" name="motif">
<button type="submit">Accepter la prise en charge</button></form>
<p style="color:#222;background:#fff">Texte lisible</p>
</main></body></html>"""


@pytest.fixture
def blank(new_context: NewContext) -> Page:
    return new_context("phone").new_page()


def test_axe_finds_the_serious_and_critical_violations(blank: Page) -> None:
    blank.set_content(BAD)
    violations = axe_violations(blank)
    found = {(v.rule, v.impact) for v in violations}
    assert found == {("image-alt", "critical"), ("button-name", "critical"), ("color-contrast", "serious")}
    report = format_violations(violations)
    assert "[critical] image-alt : Images must have alternative text" in report
    assert '\n    button  <button class="accepter"></button>' in report, report
    assert "https://dequeuniversity.com/rules/axe/" in report
    with pytest.raises(AssertionError, match=r"axe : 3 violation\(s\)"):
        assert_accessible(blank)


def test_axe_finds_nothing_on_a_correct_page(blank: Page) -> None:
    blank.set_content(GOOD)
    assert_accessible(blank)
    assert axe_violations(blank, impacts=("minor", "moderate", "serious", "critical")) == []


def test_axe_can_look_at_one_region_and_lower_impacts(blank: Page) -> None:
    blank.set_content(BAD.replace("<h1>Offres</h1>", ""))
    moderate = {v.rule for v in axe_violations(blank, impacts=("moderate",))}
    assert "page-has-heading-one" in moderate
    assert {v.rule for v in axe_violations(blank, include="button")} == {"button-name"}


def test_axe_runs_under_a_strict_content_security_policy(blank: Page) -> None:
    """The /pro/ pages will forbid inline scripts; axe is evaluated through CDP, not a <script>."""

    def serve(route: Route) -> None:
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": "default-src 'self'"},
            body=BAD.replace(' style="color:#bbb;background:#fff"', ""),
        )

    blank.route("http://127.0.0.1:9/**", serve)
    blank.goto("http://127.0.0.1:9/offres")
    assert {v.rule for v in axe_violations(blank)} == {"image-alt", "button-name"}
