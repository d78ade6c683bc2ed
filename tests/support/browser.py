"""Headless Chromium for the browser tests and the web benchmarks.

Debian's ``chromium`` (scripts/bootstrap.sh installs it) driven by Playwright for Python with
``executable_path``: never ``playwright install``, whose browser downloads this machine cannot
reach. Everything here works without pytest (the benchmarks use it too):

- ``launch``: the browser, with the flags this machine needs and every host but loopback made
  unresolvable, so a page can never reach outside (a CDN link fails fast instead);
- ``PHONE`` / ``DESKTOP``: the two contexts' settings (a fresh profile each, French locale);
- ``watch`` / ``problems_of``: what a context's pages did wrong (requests off the machine, uncaught
  errors, console errors — a CSP violation is one);
- ``axe_violations`` / ``assert_accessible``: axe-core (server/web/node_modules) run in the page;
- ``emulate_network(page, SLOW_3G)``: Chromium's own throttling through CDP;
- ``record_transfers``: every response of a page with its bytes on the wire (CDP).
"""

from __future__ import annotations

import os
import shutil
import time
import weakref
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    CDPSession,
    ConsoleMessage,
    Page,
    Playwright,
    WebError,
)

from server.web.vendor import node_module_file

CHROMIUM_ENV = "CENTRALE_CHROMIUM"  # another Chromium binary than Debian's
DEFAULT_CHROMIUM = "/usr/bin/chromium"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# What this machine needs (closed network, root, no GPU; Playwright adds --headless, --no-sandbox and
# a fresh temporary --user-data-dir itself), and every name but loopback made unresolvable: a page's
# CDN link fails at once (net::ERR_NAME_NOT_RESOLVED, listed by `problems_of`) and no traffic leaves.
CHROMIUM_ARGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1 , EXCLUDE [::1]",
)


class ChromiumUnavailable(RuntimeError):
    pass


def required() -> bool:
    """With CI set, a missing Chromium fails the run instead of skipping the browser tests."""
    return bool(os.environ.get("CI"))


def chromium_path() -> str:
    """Debian's Chromium (or $CENTRALE_CHROMIUM), or ChromiumUnavailable saying how to get it."""
    wanted = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    found = shutil.which(wanted) or (shutil.which("chromium") if CHROMIUM_ENV not in os.environ else None)
    if found is None:
        raise ChromiumUnavailable(
            f"Chromium introuvable ({wanted}) : paquet Debian chromium, installé par scripts/bootstrap.sh"
        )
    return found


def launch(playwright: Playwright, executable: str | None = None, **options: Any) -> Browser:
    """A headless Chromium for a test session or a benchmark; each context gets a fresh profile."""
    return playwright.chromium.launch(
        executable_path=executable or chromium_path(),
        headless=True,
        args=[*CHROMIUM_ARGS, *options.pop("args", [])],
        **options,
    )


# --- the two viewports --------------------------------------------------------------------------

_COMMON: dict[str, Any] = {"locale": "fr-FR", "timezone_id": "Europe/Paris"}
PHONE: dict[str, Any] = {
    **_COMMON,
    "viewport": {"width": 360, "height": 740},
    "screen": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {
    **_COMMON,
    "viewport": {"width": 1280, "height": 800},
    "screen": {"width": 1280, "height": 800},
    "device_scale_factor": 1,
    "is_mobile": False,
    "has_touch": False,
}
VIEWPORTS: dict[str, dict[str, Any]] = {"phone": PHONE, "desktop": DESKTOP}


def context_options(browser: Browser, viewport: str) -> dict[str, Any]:
    """new_context() options of "phone" or "desktop"; the phone says it is Chrome on Android."""
    options = dict(VIEWPORTS[viewport])
    if viewport == "phone":
        major = browser.version.split(".")[0]
        options["user_agent"] = (
            "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{major}.0.0.0 Mobile Safari/537.36"
        )
    return options


# --- what a page did wrong ----------------------------------------------------------------------


def is_offsite(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and (parts.hostname or "") not in LOOPBACK_HOSTS


@dataclass
class PageProblems:
    """Collected over a context's life. A test that expects some asserts them, then clear()s."""

    offsite: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.offsite.clear()
        self.errors.clear()
        self.console_errors.clear()

    def report(self) -> str:
        lines = [f"requête hors de la machine (bloquée) : {url}" for url in self.offsite]
        lines += [f"erreur JavaScript non rattrapée : {error}" for error in self.errors]
        lines += [f"console.error : {text}" for text in self.console_errors]
        return "\n".join(lines)

    def __bool__(self) -> bool:
        return bool(self.offsite or self.errors or self.console_errors)


_problems: weakref.WeakKeyDictionary[BrowserContext, PageProblems] = weakref.WeakKeyDictionary()


def watch(context: BrowserContext) -> PageProblems:
    """Start collecting the problems of every page of the context (call before opening pages)."""
    problems = _problems.setdefault(context, PageProblems())

    def on_request(request: Any) -> None:
        if is_offsite(request.url):
            problems.offsite.append(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            if urlsplit(where).path == "/favicon.ico":
                return  # Chromium's own request when a page declares no icon, not the page's doing
            problems.console_errors.append(f"{message.text}" + (f" ({where})" if where else ""))

    def on_error(error: WebError) -> None:
        problems.errors.append(str(error.error))

    context.on("request", on_request)
    context.on("console", on_console)
    context.on("weberror", on_error)
    return problems


def problems_of(page_or_context: Page | BrowserContext) -> PageProblems:
    context = page_or_context.context if isinstance(page_or_context, Page) else page_or_context
    try:
        return _problems[context]
    except KeyError:
        raise LookupError("ce contexte n'est pas surveillé : watch(context) à sa création") from None


# --- accessibility: axe-core --------------------------------------------------------------------

AXE_FILE = "axe-core/axe.min.js"  # server/web/node_modules, a devDependency of server/web
BLOCKING_IMPACTS = ("serious", "critical")


@dataclass(frozen=True)
class AxeViolation:
    rule: str
    impact: str
    help: str
    help_url: str
    nodes: tuple[tuple[str, str], ...]  # (CSS target, outer HTML)

    def __str__(self) -> str:
        lines = [f"[{self.impact}] {self.rule} : {self.help} — {self.help_url}"]
        for target, html in self.nodes[:5]:
            snippet = html if len(html) <= 160 else html[:157] + "…"
            lines.append(f"    {target}  {snippet}")
        if len(self.nodes) > 5:
            lines.append(f"    … et {len(self.nodes) - 5} autres éléments")
        return "\n".join(lines)


@cache
def _axe_source() -> str:
    return node_module_file(AXE_FILE).read_text(encoding="utf-8")


def _inject_axe(page: Page) -> None:
    # Evaluated through the DevTools protocol, not as a <script> element: a page's
    # Content-Security-Policy (script-src 'self') does not stop it, and nothing is left in the DOM.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("() => {\n" + _axe_source() + "\n}")


def axe_violations(
    page: Page,
    *,
    impacts: tuple[str, ...] = BLOCKING_IMPACTS,
    include: str | None = None,
    options: dict[str, Any] | None = None,
) -> list[AxeViolation]:
    """axe-core's violations in the page as it is now (or in `include`, a CSS selector), of the
    given impacts (serious and critical by default). `options` go to axe.run (runOnly, rules…)."""
    _inject_axe(page)
    raw: list[dict[str, Any]] = page.evaluate(
        """async ([include, options]) => {
            const context = include ?? document;
            const result = await window.axe.run(context, {resultTypes: ['violations'], ...options});
            return result.violations.map(v => ({
                rule: v.id, impact: v.impact ?? '', help: v.help, help_url: v.helpUrl,
                nodes: v.nodes.map(n => [n.target.join(' '), n.html]),
            }));
        }""",
        [include, options or {}],
    )
    return [
        AxeViolation(v["rule"], v["impact"], v["help"], v["help_url"], tuple((t, h) for t, h in v["nodes"]))
        for v in raw
        if v["impact"] in impacts
    ]


def format_violations(violations: list[AxeViolation]) -> str:
    return "\n".join(str(v) for v in violations)


def assert_accessible(page: Page, **kwargs: Any) -> None:
    """Fails with axe's serious and critical violations, one readable block each."""
    violations = axe_violations(page, **kwargs)
    assert not violations, f"axe : {len(violations)} violation(s) sur {page.url}\n" + format_violations(
        violations
    )


# --- network emulation --------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkConditions:
    name: str
    latency_ms: float
    download_bytes_per_s: float
    upload_bytes_per_s: float


# Chrome DevTools' presets (the « Slow 3G » one is what Lighthouse's mobile runs emulated).
SLOW_3G = NetworkConditions("Slow 3G", 2000, 500 * 1000 / 8 * 0.8, 500 * 1000 / 8 * 0.8)
FAST_3G = NetworkConditions("Fast 3G", 562.5, 1.6 * 1000 * 1000 / 8 * 0.9, 750 * 1000 / 8 * 0.9)


_network_sessions: weakref.WeakKeyDictionary[Page, CDPSession] = weakref.WeakKeyDictionary()


def emulate_network(page: Page, conditions: NetworkConditions | None) -> None:
    """Throttle the page's next requests as Chromium's DevTools do (loopback included); None lifts
    it. One CDP session per page: each session's conditions apply on their own."""
    session = _network_sessions.get(page)
    if session is None:
        session = _network_sessions[page] = page.context.new_cdp_session(page)
        session.send("Network.enable")
    if conditions is None:
        session.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    else:
        session.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": conditions.latency_ms,
                "downloadThroughput": conditions.download_bytes_per_s,
                "uploadThroughput": conditions.upload_bytes_per_s,
            },
        )


def emulate_cpu(page: Page, slowdown: float) -> None:
    """CPU throttling (Lighthouse's mobile runs use 4): 1 lifts it."""
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slowdown})


def first_contentful_paint_ms(page: Page, timeout_ms: float = 5_000) -> float | None:
    """The page's first-contentful-paint, ms after its navigation started; waits for it (it may
    come after the load event), None if nothing was painted within timeout_ms."""
    value = page.evaluate(
        """(timeout) => new Promise(resolve => {
            const found = performance.getEntriesByName('first-contentful-paint')[0];
            if (found) return resolve(found.startTime);
            new PerformanceObserver(list => {
                const entry = list.getEntriesByName('first-contentful-paint')[0];
                if (entry) resolve(entry.startTime);
            }).observe({type: 'paint', buffered: true});
            setTimeout(() => resolve(null), timeout);
        })""",
        timeout_ms,
    )
    return None if value is None else float(value)


# --- bytes on the wire --------------------------------------------------------------------------

STREAMS = ("EventSource", "WebSocket")  # open for the page's life: never "finished"


@dataclass
class Transfer:
    url: str
    resource_type: str
    status: int = 0
    mime_type: str = ""
    bytes: int = 0  # encoded bytes received, headers included: DevTools' « Transferred »
    finished: bool = False
    failure: str = ""
    from_cache: bool = False
    from_service_worker: bool = False

    def __str__(self) -> str:
        state = self.failure or ("cache" if self.from_cache else "sw" if self.from_service_worker else "")
        status = self.status or "-"
        return f"{self.bytes:>9,} B  {status:>3}  {self.resource_type:<11} {self.url} {state}".rstrip()


class TransferLog:
    """Every request of one page from now on, with the bytes it took (through CDP's Network domain).

    Start it before the navigation: ``log = record_transfers(page); page.goto(url); log.settle()``.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self._by_id: dict[str, Transfer] = {}
        self._last_event = time.monotonic()
        session = page.context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.responseReceived", self._response)
        session.on("Network.dataReceived", self._data)
        session.on("Network.loadingFinished", self._finished)
        session.on("Network.loadingFailed", self._failed)
        session.on("Network.requestServedFromCache", self._cached)
        session.send("Network.enable")
        self._session = session

    def _touch(self) -> None:
        self._last_event = time.monotonic()

    def _sent(self, event: dict[str, Any]) -> None:
        self._touch()
        request_id = event["requestId"]
        if request_id in self._by_id and event.get("redirectResponse"):  # a redirect: keep both hops
            previous = self._by_id.pop(request_id)
            previous.status = int(event["redirectResponse"].get("status", 0))
            previous.bytes = int(event["redirectResponse"].get("encodedDataLength", previous.bytes))
            previous.finished = True
            self._by_id[f"{request_id}/{len(self._by_id)}"] = previous
        self._by_id[request_id] = Transfer(event["request"]["url"], event.get("type", "Other"))

    def _response(self, event: dict[str, Any]) -> None:
        self._touch()
        transfer = self._by_id.get(event["requestId"])
        if transfer is not None:
            response = event["response"]
            transfer.status = int(response.get("status", 0))
            transfer.mime_type = str(response.get("mimeType", ""))
            transfer.from_cache = bool(response.get("fromDiskCache") or response.get("fromPrefetchCache"))
            transfer.from_service_worker = bool(response.get("fromServiceWorker"))
            transfer.resource_type = event.get("type", transfer.resource_type)

    def _data(self, event: dict[str, Any]) -> None:
        self._touch()
        transfer = self._by_id.get(event["requestId"])
        if transfer is not None and not transfer.finished:
            transfer.bytes += int(event.get("encodedDataLength", 0))

    def _finished(self, event: dict[str, Any]) -> None:
        self._touch()
        transfer = self._by_id.get(event["requestId"])
        if transfer is not None:
            transfer.bytes = int(event.get("encodedDataLength", transfer.bytes))
            transfer.finished = True

    def _failed(self, event: dict[str, Any]) -> None:
        self._touch()
        transfer = self._by_id.get(event["requestId"])
        if transfer is not None:
            transfer.failure = str(event.get("errorText", "failed"))
            transfer.finished = True

    def _cached(self, event: dict[str, Any]) -> None:
        transfer = self._by_id.get(event["requestId"])
        if transfer is not None:
            transfer.from_cache = True

    def pending(self) -> list[Transfer]:
        return [t for t in self._by_id.values() if not t.finished and t.resource_type not in STREAMS]

    def settle(self, quiet_ms: float = 300, timeout_s: float = 60) -> None:
        """Wait until every request but the streams has finished and nothing happened for quiet_ms
        (unlike networkidle, an open EventSource does not keep it waiting)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(50)  # lets Playwright deliver the CDP events
            if not self.pending() and (time.monotonic() - self._last_event) * 1000 >= quiet_ms:
                return
        raise TimeoutError("requêtes toujours en cours : " + ", ".join(t.url for t in self.pending()))

    @property
    def transfers(self) -> list[Transfer]:
        return list(self._by_id.values())

    def total_bytes(self) -> int:
        return sum(t.bytes for t in self._by_id.values())

    def bytes_by_type(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for transfer in self._by_id.values():
            totals[transfer.resource_type] = totals.get(transfer.resource_type, 0) + transfer.bytes
        return totals

    def table(self) -> str:
        """One line per request, then the total: readable in an assertion message or a bench."""
        lines = [str(t) for t in self._by_id.values()]
        lines.append(f"{self.total_bytes():>9,} B  en tout, {len(self._by_id)} requêtes")
        return "\n".join(lines)

    def stop(self) -> None:
        self._session.detach()


def record_transfers(page: Page) -> TransferLog:
    return TransferLog(page)
