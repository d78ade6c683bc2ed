"""The architecture's import rules, checked on the source (every import, even inside functions).

desktop.ui → desktop.{services,demo} → desktop.{state,store,sync} → telephony, cardreader, shared;
desktop.sync is transport only (never desktop.state, desktop.services); server → shared.
Qt only in desktop.ui; pjsua2 only in its telephony adapter; pyscard only in its cardreader adapter;
in the desktop, the real adapters only in its composition root, desktop.app.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGES = ("shared", "server", "desktop", "telephony", "cardreader")
QT = ("PySide6", "shiboken6", "qasync", "pytestqt")
SERVER_ONLY = ("fastapi", "starlette", "uvicorn", "alembic", "argon2")
# The server's HTTP front end: only server.app wires it (server.cli starts it, server.live speaks
# WebSocket through starlette); the core below knows nothing of HTTP and raises server.errors.
SERVER_HTTP = ("server.api", "server.app", "fastapi", "starlette", "uvicorn")
SERVER_CORE = (
    "services",
    "security",
    "errors",
    "validation_messages",
    "models",
    "notify",
    "directory",
    "geo",
    "insi",
)

# module prefix → imports it must never make (prefix match on the dotted name).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "shared": ("server", "desktop", "telephony", "cardreader", "sqlalchemy", *QT, *SERVER_ONLY),
    "server": ("desktop", "telephony", "cardreader", "pjsua2", "smartcard", *QT),
    **{f"server.{core}": SERVER_HTTP for core in SERVER_CORE},
    "server.live": ("server.api", "server.app"),
    # The professionals' web app calls the services, never the JSON routes.
    "server.web": ("server.api", "server.app"),
    "telephony": ("desktop", "server", "cardreader", *QT, *SERVER_ONLY),
    "cardreader": ("desktop", "server", "telephony", *QT, *SERVER_ONLY),
    "desktop": ("server", *SERVER_ONLY),
    "desktop.state": (
        "desktop.ui",
        "desktop.services",
        "desktop.sync",
        "desktop.store",
        "desktop.demo",
        "desktop.settings",
        *QT,
    ),  # pure state: no I/O
    "desktop.services": ("desktop.ui", *QT),
    "desktop.demo": ("desktop.ui", *QT),
    "desktop.store": ("desktop.ui", "desktop.state", "desktop.services", "desktop.sync", *QT),
    "desktop.sync": ("desktop.ui", "desktop.state", "desktop.services", "desktop.demo", *QT),
}
# third-party package → the only module prefixes allowed to import it.
OWNERS: dict[str, tuple[str, ...]] = {
    "PySide6": ("desktop.ui",),
    "shiboken6": ("desktop.ui",),
    "qasync": ("desktop.ui",),
    "pjsua2": ("telephony.pjsua2_adapter",),
    "smartcard": ("cardreader.pcsc",),
}
# The real adapters, in the desktop: only its composition root builds them; the rest types against
# telephony.api.Softphone and cardreader.api.CardReader. The demo's cards are PC/SC by nature (cards
# in pcscd's vpcd reader, a private pcscd), and only desktop.app builds them.
DESKTOP_ADAPTERS: dict[str, tuple[str, ...]] = {
    "telephony.pjsua2_adapter": ("desktop.app",),
    "cardreader.pcsc": ("desktop.app", "desktop.demo.cards"),
    "cardreader.service": ("desktop.app",),  # CardService() reads through PC/SC
}


@dataclass(frozen=True)
class Violation:
    module: str
    imported: str
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported} ({self.rule})"


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, node.lineno
            for alias in node.names:  # `from desktop import ui` imports desktop.ui
                yield f"{target}.{alias.name}", node.lineno


def check_tree(root: Path) -> list[Violation]:
    violations: list[Violation] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")) if (root / package).is_dir() else []:
            module = module_name(root, path)
            for imported, line in imports_of(
                path.read_text(encoding="utf-8"), module, path.name == "__init__.py"
            ):
                violations.extend(_judge(module, imported, line))
    return sorted(set(violations), key=lambda v: (v.module, v.line, v.imported))


def _judge(module: str, imported: str, line: int) -> Iterator[Violation]:
    for prefix, banned in FORBIDDEN.items():
        if _within(module, prefix):
            for ban in banned:
                if _within(imported, ban) and not _within(module, ban):
                    yield Violation(module, imported, line, f"{prefix} must not import {ban}")
    for package, owners in OWNERS.items():
        if _within(imported, package) and not any(_within(module, o) for o in owners):
            yield Violation(module, imported, line, f"only {', '.join(owners)} may import {package}")
    for adapter, builders in DESKTOP_ADAPTERS.items():
        chooser = any(_within(module, b) for b in builders)
        if _within(module, "desktop") and _within(imported, adapter) and not chooser:
            rule = f"in the desktop only {', '.join(builders)} may import {adapter}"
            yield Violation(module, imported, line, rule)
