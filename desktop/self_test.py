"""``centrale --smoke``: the installed application checks itself on a workstation.

It runs the real desktop — ``Controller`` (login dialog → session → main window) on the qasync
loop, with the real adapters of ``desktop.app`` (the pjsua2 softphone through ``SoftphoneService``,
the PC/SC card reader) — and prints one ``SMOKE`` line per
step on stdout: the PC/SC module loaded, logged in, main window shown, SIP account registered.
Exit code 0 when every step passed, 1 otherwise (the failing step is on stderr, in French).

Passwords come from the environment (``CENTRALE_SMOKE_PASSWORD``, ``CENTRALE_SMOKE_SIP_PASSWORD``),
never from the command line, which other users of the machine can read. Without ``--sip-uri`` the
SIP step is skipped (and said so). With ``--wait-stdin`` the application stays up, registered,
until a line (or end of file) arrives on stdin: the caller can check the registrar meanwhile.
Qt runs on whatever platform ``QT_QPA_PLATFORM`` says (``offscreen`` on a server).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


class SmokeFailure(RuntimeError):
    """A step that did not pass; ``str()`` is the French reason."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="centrale --smoke", description="Auto-test du poste Centrale")
    parser.add_argument("--server", required=True, help="adresse du serveur central (http://hôte:port)")
    parser.add_argument("--user", required=True, help="identifiant (mot de passe : CENTRALE_SMOKE_PASSWORD)")
    parser.add_argument("--sip-uri", default="", help="compte SIP, sip:utilisateur@hôte:port")
    parser.add_argument("--sip-registrar", default="", help="défaut : l'hôte du compte SIP")
    parser.add_argument("--sip-username", default="", help="défaut : l'utilisateur du compte SIP")
    parser.add_argument("--timeout", type=float, default=30.0, help="secondes par étape")
    parser.add_argument(
        "--wait-stdin", action="store_true", help="rester connecté jusqu'à une ligne sur stdin"
    )
    return parser


def say(text: str) -> None:
    print(f"SMOKE {text}", flush=True)


def check_pcsc() -> None:
    """The PC/SC adapter imports pyscard's native module; a bundle without it fails here."""
    from desktop.app import pcsc_card_reader

    try:
        pcsc_card_reader()  # built, not started
    except ImportError as exc:
        raise SmokeFailure(f"module PC/SC (pyscard) absent de l'application : {exc}") from exc
    say("pcsc : module chargé")


async def wait_until(what: str, probe: Callable[[], T | None], timeout: float) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    raise SmokeFailure(f"{what} : rien après {timeout:.0f} s")


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    password = os.environ.get("CENTRALE_SMOKE_PASSWORD", "")
    if not password:
        print("Erreur : CENTRALE_SMOKE_PASSWORD est vide", file=sys.stderr)
        return 2
    try:
        check_pcsc()
    except SmokeFailure as exc:
        print(f"Échec : {exc}", file=sys.stderr)
        return 1
    from desktop.app import real_adapters
    from desktop.ui.self_test import run_smoke

    try:
        run_smoke(args, password, os.environ.get("CENTRALE_SMOKE_SIP_PASSWORD", ""), real_adapters())
    except SmokeFailure as exc:
        print(f"Échec : {exc}", file=sys.stderr)
        return 1
    say("terminé")
    return 0
