"""``centrale-phone``: register, listen, call — for support staff and for the tests.

Output is French text, or one JSON object per line with ``--json``. pjsip writes its own log to
standard output; it is moved to standard error so that the JSON lines stay clean.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
from collections.abc import Coroutine
from typing import Any, TextIO

from telephony.config import PhoneConfig, SipAccount
from telephony.events import (
    CallEnded,
    CallState,
    CallStateChanged,
    IncomingCall,
    PhoneEvent,
    RegistrationChanged,
    RegistrationStatus,
    event_to_json,
)
from telephony.json_stdout import run_with_json_stdout
from telephony.pjsua2_adapter import Pjsua2Softphone

_background: set[asyncio.Future[None]] = set()


def _spawn(coroutine: Coroutine[Any, Any, None]) -> None:
    """Runs ``coroutine`` in the background, keeping a reference until it is done."""
    task = asyncio.ensure_future(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)


class Printer:
    def __init__(self, out: TextIO, as_json: bool) -> None:
        self._out = out
        self._json = as_json

    def event(self, event: PhoneEvent) -> None:
        if self._json:
            self._out.write(json.dumps(event_to_json(event), ensure_ascii=False) + "\n")
        else:
            self._out.write(describe(event) + "\n")
        self._out.flush()


def describe(event: PhoneEvent) -> str:
    match event:
        case RegistrationChanged():
            return event.message
        case IncomingCall():
            name = f" ({event.display_name})" if event.display_name else ""
            return f"Appel entrant n° {event.call_id} de {event.caller}{name} vers {event.called}"
        case CallStateChanged():
            return (
                f"Appel n° {event.call_id} : {event.state.value} {event.code or ''} {event.reason}".rstrip()
            )
        case CallEnded():
            return f"Appel n° {event.call_id} terminé ({event.cause.value}, {event.duration_seconds:.1f} s)"
        case _:
            return " ".join(f"{k}={v}" for k, v in event_to_json(event).items())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="centrale-phone", description="Téléphone SIP de la centrale")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, port: int) -> None:
        p.add_argument("--bind", default="127.0.0.1", help="adresse locale (défaut 127.0.0.1)")
        p.add_argument(
            "--port", type=int, default=port, help=f"port SIP UDP local (défaut {port}, 0 : libre)"
        )
        p.add_argument("--json", action="store_true", help="une ligne JSON par événement")
        p.add_argument(
            "--tone", type=int, default=0, metavar="HZ", help="envoie une tonalité au lieu du micro"
        )
        p.add_argument("--record-dir", default="", help="enregistre l'audio reçu de chaque appel (WAV)")
        p.add_argument("--log-level", type=int, default=1, help="niveau du journal pjsip (0-6)")
        p.add_argument(
            "--poll-ms", type=int, default=20, help="attente maximale de la pile SIP par tour (ms)"
        )
        p.add_argument("--idle-sleep-ms", type=int, default=0, help="pause entre deux tours (mesures)")

    reg = sub.add_parser("register", help="s'inscrire auprès du serveur d'appels")
    common(reg, 0)
    reg.add_argument("--uri", required=True, help="adresse SIP du poste, ex. sip:operateur@pbx")
    reg.add_argument("--registrar", required=True, help="ex. sip:pbx")
    reg.add_argument("--user", required=True, help="identifiant d'authentification")
    reg.add_argument("--password-env", default="CENTRALE_SIP_PASSWORD", help="variable du mot de passe")
    reg.add_argument("--expires", type=int, default=300, help="durée d'inscription en secondes")
    reg.add_argument("--once", action="store_true", help="s'arrête au premier résultat (code 0 si inscrit)")
    reg.add_argument("--auto-answer", action="store_true", help="décroche tout appel entrant")

    listen = sub.add_parser("listen", help="attend des appels directs sip:…@adresse:port")
    common(listen, 5060)
    listen.add_argument("--auto-answer", action="store_true", help="décroche tout appel entrant")

    call = sub.add_parser("call", help="appelle une adresse SIP")
    common(call, 0)
    call.add_argument("uri", help="ex. sip:operateur@127.0.0.1:5060")
    call.add_argument("--dtmf", default="", help="touches envoyées une fois l'appel décroché, ex. 123#")
    call.add_argument("--duration", type=float, default=5.0, help="durée après décroché (s)")
    call.add_argument("--from-user", default="centrale", help="numéro ou nom présenté, ex. 0761717229")
    call.add_argument("--display-name", default="", help="nom présenté")

    sub.add_parser("devices", help="liste les périphériques audio")
    return parser


def _config(args: argparse.Namespace) -> PhoneConfig:
    return PhoneConfig(
        bind_address=getattr(args, "bind", "127.0.0.1"),
        port=getattr(args, "port", 0),
        test_tone_hz=getattr(args, "tone", 0),
        record_dir=getattr(args, "record_dir", ""),
        log_level=getattr(args, "log_level", 1),
        poll_ms=getattr(args, "poll_ms", 20),
        idle_sleep_ms=getattr(args, "idle_sleep_ms", 0),
        local_user=getattr(args, "from_user", "centrale"),
        local_display_name=getattr(args, "display_name", ""),
    )


def _settle(done: asyncio.Future[int], code: int) -> None:
    if not done.done():
        done.set_result(code)


async def _until_signal(done: asyncio.Future[int]) -> int:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, _settle, done, 0)
    return await done


async def _session(args: argparse.Namespace, out: TextIO) -> int:
    phone = Pjsua2Softphone(_config(args))
    printer = Printer(out, args.json)
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    phone.add_listener(printer.event)
    if getattr(args, "auto_answer", False):

        def answer(event: PhoneEvent) -> None:
            if isinstance(event, IncomingCall):
                _spawn(phone.answer(event.call_id))

        phone.add_listener(answer)
    await phone.start()
    try:
        if args.command == "devices":
            for device in phone.audio_devices():
                out.write(
                    f"{device.name}\t{device.driver}\tentrées {device.inputs}\tsorties {device.outputs}\n"
                )
            if not phone.audio_devices():
                out.write("Aucun périphérique audio : périphérique nul utilisé\n")
            return 0
        if args.command == "register":
            _watch_registration(phone, args, done)
            password = os.environ.get(args.password_env, "")
            account = SipAccount(args.uri, args.registrar, args.user, expires_seconds=args.expires)
            await phone.register(account, password)
        elif args.command == "listen":
            if args.json:
                out.write(json.dumps({"event": "Listening", "port": phone.local_port}) + "\n")
            else:
                out.write(f"En écoute sur sip:…@{args.bind}:{phone.local_port}\n")
        elif args.command == "call":
            _follow_call(phone, args, done)
            await phone.call(args.uri)
        return await _until_signal(done)
    finally:
        await phone.stop()


def _watch_registration(phone: Pjsua2Softphone, args: argparse.Namespace, done: asyncio.Future[int]) -> None:
    def on_event(event: PhoneEvent) -> None:
        if args.once and isinstance(event, RegistrationChanged):
            if event.status is RegistrationStatus.REGISTERED:
                _settle(done, 0)
            elif event.status in (RegistrationStatus.AUTH_FAILED, RegistrationStatus.RETRYING):
                _settle(done, 1)

    phone.add_listener(on_event)


def _follow_call(phone: Pjsua2Softphone, args: argparse.Namespace, done: asyncio.Future[int]) -> None:
    """Send the DTMF once answered, hang up after --duration; stop when no call is left."""
    live: set[int] = set()
    answered: list[int] = []

    async def finish() -> None:
        await asyncio.sleep(args.duration)
        for call_id in list(live):
            with contextlib.suppress(Exception):
                await phone.hang_up(call_id)

    async def dial(call_id: int) -> None:
        await asyncio.sleep(0.5)  # let the far end's media start
        with contextlib.suppress(Exception):
            await phone.send_dtmf(call_id, args.dtmf)

    def settle_if_idle() -> None:  # a transfer may have started a new call meanwhile
        if not live:
            _settle(done, 0 if answered else 1)

    def on_event(event: PhoneEvent) -> None:
        if isinstance(event, CallStateChanged) and event.state is not CallState.DISCONNECTED:
            live.add(event.call_id)
            if event.state is CallState.CONFIRMED and not answered:
                answered.append(event.call_id)
                if args.dtmf:
                    _spawn(dial(event.call_id))
                _spawn(finish())
        elif isinstance(event, CallEnded):
            live.discard(event.call_id)
            if not live:
                asyncio.get_running_loop().call_later(0.3, settle_if_idle)

    phone.add_listener(on_event)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run_with_json_stdout(lambda out: _session(args, out), "centrale-phone")


if __name__ == "__main__":
    raise SystemExit(main())
