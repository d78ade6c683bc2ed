"""``WorkerPool``: the queue holder's SIP lines, one process each (line_worker.py), seen as one
``QueueLine``. Kamailio spreads the callers over them (its dispatcher list, round-robin, a full line
answers 486 and the next one is tried); an operator is called from the line that holds the caller,
whose conference bridge joins the two calls. Callers are numbered ``worker × 1000 + line's own``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.child_process import die_with_parent
from telephony.api import PhoneError
from telephony.hotline_queue.events import LineEvent, line_event_from_json

log = logging.getLogger(__name__)
STRIDE = 1000  # caller numbers: worker × STRIDE + the line's own (pjsua call ids are small)


@dataclass
class Worker:
    index: int
    process: asyncio.subprocess.Process
    port: int = 0
    waiting: dict[int, asyncio.Future[str | None]] = field(default_factory=dict)


class WorkerPool:
    def __init__(self, ports: Sequence[int], worker_args: Sequence[str], log_dir: Path | None = None) -> None:
        self._ports = list(ports)
        self._worker_args = list(worker_args)
        self._log_dir = log_dir
        self._workers: list[Worker] = []
        self._listeners: list[Callable[[LineEvent], None]] = []
        self._ids = itertools.count(1)
        self._readers: list[asyncio.Task[None]] = []

    def add_listener(self, listener: Callable[[LineEvent], None]) -> None:
        self._listeners.append(listener)

    @property
    def ports(self) -> list[int]:
        return [w.port for w in self._workers]

    async def start(self, timeout: float = 20.0) -> None:
        for index, port in enumerate(self._ports):
            stderr = (
                (self._log_dir / f"line-{index}.log").open("ab")
                if self._log_dir
                else asyncio.subprocess.DEVNULL
            )
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "telephony.hotline_queue.line_worker", "--port", str(port),
                *self._worker_args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=stderr, preexec_fn=die_with_parent,
            )  # fmt: skip
            worker = Worker(index, process)
            self._workers.append(worker)
            ready = await asyncio.wait_for(self._first_line(worker), timeout)
            worker.port = int(ready["port"])
            self._readers.append(asyncio.ensure_future(self._read(worker)))

    async def _first_line(self, worker: Worker) -> dict[str, Any]:
        assert worker.process.stdout is not None
        line = await worker.process.stdout.readline()
        if not line:
            code = await worker.process.wait()
            raise PhoneError(f"La ligne n° {worker.index} de la file d'attente n'a pas démarré (code {code})")
        found: dict[str, Any] = json.loads(line)
        return found

    async def _read(self, worker: Worker) -> None:
        assert worker.process.stdout is not None
        while line := await worker.process.stdout.readline():
            fields = json.loads(line)
            if fields.get("event") == "CommandDone":
                done = worker.waiting.pop(int(fields["id"]), None)
                if done is not None and not done.done():
                    done.set_result(fields.get("error"))
                continue
            local = fields.get("caller")
            event = line_event_from_json(
                fields, None if local is None else worker.index * STRIDE + int(local)
            )
            if event is not None:
                for listener in list(self._listeners):
                    try:
                        listener(event)
                    except Exception:
                        log.exception("listener failed on %s", type(event).__name__)
        for pending in worker.waiting.values():
            if not pending.done():
                pending.set_result("ligne arrêtée")

    async def _command(self, caller: int, cmd: str, **args: Any) -> None:
        index, local = divmod(caller, STRIDE)
        if not 0 <= index < len(self._workers):
            raise PhoneError(f"Appelant inconnu : n° {caller}")
        worker = self._workers[index]
        if worker.process.stdin is None or worker.process.returncode is not None:
            raise PhoneError(f"La ligne n° {index} de la file d'attente est arrêtée")
        number = next(self._ids)
        done: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        worker.waiting[number] = done
        message = {"id": number, "cmd": cmd, "args": {"caller": local, **args}}
        worker.process.stdin.write((json.dumps(message, ensure_ascii=False) + "\n").encode())
        await worker.process.stdin.drain()
        error = await done
        if error:
            raise PhoneError(error)

    async def offer(self, caller: int, target: str, ring_seconds: int, number: str, name: str) -> None:
        await self._command(
            caller, "offer", target=target, ring_seconds=ring_seconds, number=number, name=name
        )

    async def hang_up(self, caller: int) -> None:
        await self._command(caller, "hang_up")

    async def stop(self, timeout: float = 10.0) -> None:
        """Closes every line's stdin: each hangs up its calls (their CallerLeft still comes), ends."""
        for worker in self._workers:
            if worker.process.stdin is not None:
                worker.process.stdin.close()
        for worker in self._workers:
            try:
                await asyncio.wait_for(worker.process.wait(), timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    worker.process.kill()
                await worker.process.wait()
        for reader in self._readers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(reader, 2)
