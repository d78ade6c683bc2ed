"""The hotline's real parts, wired as in production, for the integration tests and the benchmarks:
a central server (its telephony token set), Kamailio with the shipped configuration asking it whom
to ring, the queue holder (``python -m telephony.hotline_queue``), operators' softphones in their
own processes (tests/support/sip_operator.py) and SIPp callers."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.hotline import Hotline, Operator
from tests.support.kamailio import HotlineRouting, Kamailio
from tests.support.live import TELEPHONY_TOKEN, LiveServer
from tests.support.sip_peers import JsonLinesProcess, OperatorProcess
from tests.support.sipp import answered_call, finish_sipp, patient_caller, start_sipp

SIP_USERS = tuple(f"op{n}" for n in range(1, 9))
SIP_PASSWORD = "mot-de-passe-sip-operateur"  # throw-away test accounts
HOTLINE = "hotline"


def free_udp_ports(count: int) -> int:
    """The first of ``count`` consecutive free UDP ports on 127.0.0.1 (the queue holder's lines)."""
    for _ in range(200):
        first = random.randrange(20000, 60000)
        probes: list[socket.socket] = []
        try:
            for port in range(first, first + count):
                probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError(f"no {count} consecutive free UDP ports")


class QueueHolderProcess(JsonLinesProcess):
    def __init__(self, directory: Path, server_url: str, proxy: str, port: int, *extra: str) -> None:
        argv = [
            sys.executable, "-m", "telephony.hotline_queue", "--server", server_url, "--proxy", proxy,
            "--port", str(port), "--json", *extra,
        ]  # fmt: skip
        env = {"CENTRALE_TELEPHONY_TOKEN": TELEPHONY_TOKEN}
        super().__init__(argv, directory / "queue-holder.log", env=env)
        self.wait_for("Listening", timeout=20)


@dataclass
class Desk:
    """One operator: their account on the server and their softphone registered on Kamailio."""

    account: Operator
    phone: OperatorProcess

    @property
    def sip_user(self) -> str:
        return self.account.sip_user

    def set(self, state: str, **extra: Any) -> dict[str, Any]:
        return self.account.set(state, **extra)

    def incoming(self, after: int = 0, timeout: float = 10.0) -> dict[str, Any]:
        return self.phone.wait_for("IncomingCall", timeout=timeout, after=after)

    def rang(self, after: int = 0) -> list[dict[str, Any]]:
        return [e for e in self.phone.events[after:] if e["event"] == "IncomingCall"]


@dataclass
class HotlineRig:
    server: LiveServer
    directory: Path
    kamailio: Kamailio
    holder: QueueHolderProcess
    hotline: Hotline
    desks: list[Desk] = field(default_factory=list)
    _callers: int = 0
    _supervisor: httpx.Client | None = None

    @classmethod
    def start(
        cls, server: LiveServer, directory: Path, *, strategy: str = "ring_all", ring_seconds: int = 5,
        unanswered_limit: int = 3, workers: int = 2, **holder_args: str,
    ) -> HotlineRig:  # fmt: skip
        """The server's settings, then Kamailio (told the same ring time) and the queue holder."""
        directory.mkdir(parents=True, exist_ok=True)
        hotline = Hotline(server)
        hotline.settings(strategy=strategy, ring_seconds=ring_seconds, unanswered_limit=unanswered_limit)
        first_port = free_udp_ports(workers)
        queue = tuple(f"127.0.0.1:{first_port + n}" for n in range(workers))
        routing = HotlineRouting(server.process.base_url, TELEPHONY_TOKEN, queue, ring_seconds=ring_seconds)
        kamailio = Kamailio(directory / "kamailio", dict.fromkeys(SIP_USERS, SIP_PASSWORD), hotline=routing)
        kamailio.start()
        extra = [item for name, value in holder_args.items() for item in (f"--{name}", value)]
        extra += ["--workers", str(workers), "--log-dir", str(directory)]
        try:
            holder = QueueHolderProcess(
                directory, server.process.base_url, kamailio.domain, first_port, *extra
            )
        except BaseException:
            kamailio.stop()
            raise
        return cls(server, directory, kamailio, holder, hotline)

    def desk(self, sip_user: str, state: str | None = "available", expires: int = 60) -> Desk:
        """An operator account with this SIP user, its softphone registered (440 Hz instead of a
        microphone, received audio recorded), then the state given."""
        user, client = self.server.user("operator")
        account = Operator(user, client, sip_user)
        self.hotline.operators.append(account)
        folder = self.directory / sip_user
        folder.mkdir(exist_ok=True)
        phone = OperatorProcess(folder, tone=440, record=True)
        desk = Desk(account, phone)
        self.desks.append(desk)
        phone.command(
            "register",
            account={
                "uri": self.kamailio.uri(sip_user), "registrar": f"sip:{self.kamailio.domain}",
                "username": sip_user, "expires_seconds": expires,
            },
            password=SIP_PASSWORD,
        )  # fmt: skip
        phone.wait_for("RegistrationChanged", status="registered")
        if state is not None:
            desk.set(state, **({"pause_reason": "repas"} if state == "pause" else {}))
        return desk

    def caller(
        self, number: str, talk_ms: int = 300, name: str = "", proxy: str = "", trace: bool = False,
        patience_ms: int = 0,
    ) -> tuple[subprocess.Popen[str], str]:  # fmt: skip
        """A SIPp caller dialling the hotline, answered, talking ``talk_ms`` then hanging up; with
        ``patience_ms``, waiting for the far end to hang up (giving up after it) instead; with
        ``trace``, SIPp logs each message with its time in <directory>/<label>_messages.log."""
        self._callers += 1
        label = f"caller-{self._callers}"
        shown = f'"{name}" ' if name else ""
        caller = f"{shown}<sip:{number}@[local_ip]:[local_port]>"
        scenario = patient_caller(caller, patience_ms) if patience_ms else answered_call(caller, talk_ms)
        timeout = 30 + max(talk_ms, patience_ms) / 1000
        target = proxy or self.kamailio.domain
        log = ["-trace_msg", "-message_file", str(self.directory / f"{label}_messages.log")]
        extra = ["-m", "1", *(log if trace else [])]
        return start_sipp(
            self.directory, label, scenario, target, HOTLINE, timeout=timeout, extra=extra
        ), label

    def finish(self, caller: tuple[subprocess.Popen[str], str], timeout: float = 60.0) -> int:
        process, label = caller
        return finish_sipp(process, self.directory, label, timeout=timeout)

    def supervisor(self) -> httpx.Client:
        """A supervisor's session (the missed calls to return, the live grid)."""
        if self._supervisor is None:
            self._supervisor = self.server.user("supervisor")[1]
        return self._supervisor

    def offline_all(self) -> None:
        """Everyone Hors ligne (the hotline's state is one per server: the next test starts clean)."""
        for desk in self.desks:
            desk.account.state("offline")

    def stop(self) -> None:
        self.offline_all()
        for desk in self.desks:
            desk.phone.quit()
        self.holder.stop()
        self.kamailio.stop()
        self.hotline.close()
