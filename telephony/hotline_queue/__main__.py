"""``python -m telephony.hotline_queue``: the hotline's queue holder, for deployments and the tests.

Kamailio sends it the callers nobody could take (its dispatcher list: one address per line, see
pool.py); it asks the central server (token in ``CENTRALE_TELEPHONY_TOKEN``) whom to offer them to. With
``--json`` every event is one JSON line on standard output (plus ``"t"``, the wall-clock time);
pjsip's own log goes to standard error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from telephony.hotline_queue.events import LineEvent, line_event_to_json
from telephony.hotline_queue.holder import QueueHolder
from telephony.hotline_queue.make_announcement import DEFAULT_OUT
from telephony.hotline_queue.pool import WorkerPool
from telephony.hotline_queue.server_link import HttpQueueServer
from telephony.json_stdout import run_with_json_stdout


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m telephony.hotline_queue", description="File d'attente")
    parser.add_argument("--server", required=True, help="serveur central, ex. http://127.0.0.1:8000")
    parser.add_argument("--proxy", required=True, help="Kamailio, ex. 127.0.0.1:5060 (appel des opérateurs)")
    parser.add_argument("--bind", default="127.0.0.1", help="adresse SIP locale")
    parser.add_argument("--port", type=int, default=5091, help="port SIP UDP de la 1re ligne (0 : libres)")
    parser.add_argument("--workers", type=int, default=1, help="lignes (processus), chacune port + n")
    parser.add_argument("--capacity", type=int, default=2, help="appelants par ligne (4 appels pjsua2)")
    parser.add_argument("--user", default="file", help="partie utilisateur de l'adresse de la file")
    parser.add_argument("--announcement", type=Path, default=DEFAULT_OUT, help="annonce (WAV)")
    parser.add_argument("--hold-tone-hz", type=int, default=523, help="tonalité d'attente (0 : silence)")
    parser.add_argument("--poll-ms", type=int, default=250, help="intervalle des questions au serveur")
    parser.add_argument("--log-level", type=int, default=1, help="niveau du journal pjsip (0-6)")
    parser.add_argument("--json", action="store_true", help="une ligne JSON par événement")
    parser.add_argument("--log-dir", type=Path, default=None, help="journaux pjsip des lignes")
    return parser


class Printer:
    def __init__(self, out: TextIO, as_json: bool) -> None:
        self._out = out
        self._json = as_json

    def line(self, fields: dict[str, Any]) -> None:
        if self._json:
            self._out.write(json.dumps({**fields, "t": time.time()}, ensure_ascii=False) + "\n")
        else:
            self._out.write(" ".join(f"{k}={v}" for k, v in fields.items()) + "\n")
        self._out.flush()

    def event(self, event: LineEvent) -> None:
        self.line(line_event_to_json(event))


async def _serve(args: argparse.Namespace, out: TextIO) -> int:
    token = os.environ.get("CENTRALE_TELEPHONY_TOKEN", "")
    if not token:
        print("file d'attente : CENTRALE_TELEPHONY_TOKEN manquant", file=sys.stderr)
        return 2
    if not args.announcement.is_file():
        print(f"file d'attente : annonce introuvable : {args.announcement}", file=sys.stderr)
        return 2
    worker_args = [
        "--proxy", args.proxy, "--bind", args.bind, "--user", args.user, "--announcement",
        str(args.announcement), "--hold-tone-hz", str(args.hold_tone_hz), "--capacity", str(args.capacity),
        "--log-level", str(args.log_level),
    ]  # fmt: skip
    ports = [args.port + n if args.port else 0 for n in range(args.workers)]
    line = WorkerPool(ports, worker_args, args.log_dir)
    server = HttpQueueServer(args.server, token)
    printer = Printer(out, args.json)
    holder = QueueHolder(line, server, poll_seconds=args.poll_ms / 1000, report=printer.line)
    line.add_listener(printer.event)
    line.add_listener(holder.on_line_event)
    await line.start()
    printer.line({"event": "Listening", "ports": line.ports, "capacity": args.capacity * args.workers})
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, holder.stop)
    try:
        await holder.run()
    finally:
        await line.stop()  # every caller hung up: their « lost » or « ended » is told below
        await asyncio.sleep(0)
        await holder.drain()
        await server.close()
        printer.line({"event": "Stopped"})
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run_with_json_stdout(lambda out: _serve(args, out), "file d'attente")


if __name__ == "__main__":
    raise SystemExit(main())
