"""The operator's softphone in its own process, driven over a pipe (one pjsua2 Endpoint per process).

Run as ``python -m tests.support.sip_operator --port P --call-log FILE [--directory FILE]``. It
wires the real ``Pjsua2Softphone``, ``ScreenPop`` and ``CallLog`` together as the desktop will,
prints every event as one JSON line (plus ``"t"``, the wall-clock time it was handled) and reads
commands as JSON lines on stdin: ``{"cmd": "answer", "args": {"call_id": 0}}`` answered by
``{"event": "CommandDone", "cmd": …, "result": …, "error": …}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from telephony.call_log import CallLog
from telephony.config import PhoneConfig, SipAccount
from telephony.events import Candidate, PhoneEvent, event_to_json
from telephony.pjsua2_adapter import Pjsua2Softphone
from telephony.screen_pop import ScreenPop


class DictionaryLookup:
    """number → candidates from a JSON file, answered after ``delay`` seconds."""

    def __init__(self, path: str, delay: float) -> None:
        raw = json.loads(Path(path).read_text(encoding="utf-8")) if path else {}
        self.entries = {number: tuple(Candidate(**c) for c in found) for number, found in raw.items()}
        self.delay = delay

    async def __call__(self, number: str) -> tuple[Candidate, ...]:
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.entries.get(number, ())


class Operator:
    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        self.out = out
        config = PhoneConfig(port=args.port, test_tone_hz=args.tone, record_dir=args.record_dir)
        self.phone = Pjsua2Softphone(config)
        self.log = CallLog(Path(args.call_log), local_number="operateur")
        self.pop = ScreenPop(DictionaryLookup(args.directory, args.lookup_delay), self.event)
        self.phone.add_listener(self.event)
        self.phone.add_listener(self.pop.on_event)

    def event(self, event: PhoneEvent) -> None:
        self.log.on_event(event)
        self.write({**event_to_json(event), "t": time.time()})

    def write(self, line: dict[str, Any]) -> None:
        self.out.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.out.flush()

    async def run(self) -> None:
        await self.phone.start()
        self.write({"event": "Ready", "port": self.phone.local_port})
        loop = asyncio.get_running_loop()
        try:
            while line := await loop.run_in_executor(None, sys.stdin.readline):
                command = json.loads(line)
                if command["cmd"] == "quit":
                    break
                await self.execute(command["cmd"], command.get("args", {}))
        finally:
            await self.phone.stop()
            self.log.close()
            self.write({"event": "Stopped"})

    async def execute(self, name: str, args: dict[str, Any]) -> None:
        result: Any = None
        error = None
        try:
            if name == "register":
                await self.phone.register(SipAccount(**args["account"]), args["password"])
            elif name == "add_case_number":
                self.log.add_case_number(**args)
            else:
                result = await getattr(self.phone, name)(**args)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        self.write({"event": "CommandDone", "cmd": name, "result": result, "error": error})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--call-log", required=True)
    parser.add_argument("--directory", default="")
    parser.add_argument("--lookup-delay", type=float, default=0.0)
    parser.add_argument("--tone", type=int, default=0)
    parser.add_argument("--record-dir", default="")
    args = parser.parse_args()
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # pjsip's console log goes to stderr
    asyncio.run(Operator(args, out).run())


if __name__ == "__main__":
    main()
