"""One SIP line of the queue holder in its own process (pjsua2 allows one Endpoint per process, and
its Python wheels 4 calls per Endpoint): ``python -m telephony.hotline_queue.line_worker``.

Prints ``{"event": "Listening", "port": …}`` then every ``LineEvent`` as one JSON line; reads
commands as JSON lines on stdin, ``{"id": 3, "cmd": "offer", "args": {…}}`` or ``"hang_up"``, each
answered by ``{"event": "CommandDone", "id": 3, "error": null | "message"}``. Its parent is the
holder's ``WorkerPool`` (pool.py); stdin closed → the worker hangs up its calls and ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from telephony.config import PhoneConfig
from telephony.hotline_queue.events import LineEvent, line_event_to_json
from telephony.json_stdout import run_with_json_stdout
from telephony.pjsua2_adapter.queue_calls import HoldSettings
from telephony.pjsua2_adapter.queue_line import Pjsua2QueueLine


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m telephony.hotline_queue.line_worker")
    parser.add_argument("--proxy", required=True)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user", default="file")
    parser.add_argument("--announcement", type=Path, required=True)
    parser.add_argument("--hold-tone-hz", type=int, default=523)
    parser.add_argument("--capacity", type=int, default=2)
    parser.add_argument("--log-level", type=int, default=1)
    return parser


class Worker:
    def __init__(self, line: Pjsua2QueueLine, out: TextIO) -> None:
        self._line = line
        self._out = out
        line.add_listener(self.event)

    def write(self, fields: dict[str, Any]) -> None:
        self._out.write(json.dumps(fields, ensure_ascii=False) + "\n")
        self._out.flush()

    def event(self, event: LineEvent) -> None:
        self.write(line_event_to_json(event))

    async def execute(self, command: dict[str, Any]) -> None:
        error = None
        args = command.get("args", {})
        try:
            if command["cmd"] == "offer":
                await self._line.offer(
                    int(args["caller"]), str(args["target"]), int(args["ring_seconds"]),
                    str(args["number"]), str(args["name"]),
                )  # fmt: skip
            elif command["cmd"] == "hang_up":
                await self._line.hang_up(int(args["caller"]))
            else:
                error = f"Commande inconnue : {command['cmd']}"
        except Exception as exc:
            error = str(exc)
        self.write({"event": "CommandDone", "id": command.get("id"), "error": error})


async def _serve(args: argparse.Namespace, out: TextIO) -> int:
    config = PhoneConfig(
        bind_address=args.bind, port=args.port, null_audio=True, log_level=args.log_level,
        max_calls=2 * args.capacity, local_user=args.user, network_check_seconds=0,
    )  # fmt: skip
    settings = HoldSettings(
        str(args.announcement), args.proxy, args.user, args.hold_tone_hz, capacity=args.capacity
    )
    line = Pjsua2QueueLine(config, settings)
    worker = Worker(line, out)
    await line.start()
    worker.write({"event": "Listening", "port": line.local_port})
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Task[None]] = set()
    try:
        while text := await loop.run_in_executor(None, sys.stdin.readline):
            task = asyncio.ensure_future(worker.execute(json.loads(text)))
            pending.add(task)
            task.add_done_callback(pending.discard)
    finally:
        await line.stop()
        await asyncio.sleep(0.05)  # the last CallerLeft written
    return 0


def main() -> None:
    args = _parser().parse_args()
    raise SystemExit(run_with_json_stdout(lambda out: _serve(args, out), "ligne de file d'attente"))


if __name__ == "__main__":
    main()
