"""Issue 21, item 1: the softphone against baresip and against pjsua2 polled as pjsip's sample does.

One Kamailio (tests/support/kamailio.py) and three phones registered on it at once, each its own
process: ours (``centrale-phone register``: telephony/pjsua2_adapter, its owning thread blocking in
``libHandleEvents(20 ms)``), baresip (bench/peers/softphone_baresip.py) and pjsua2 polled every
10 ms (bench/peers/softphone_polled.py). All three ring on an INVITE (180) and none answers.

* INVITE → 180 Ringing: one SIPp caller calls the three in turn, call after call (ours, baresip,
  polled, ours, …), rings 50 ms and cancels; both times are SIPp's own (-trace_msg: the INVITE
  leaving, the 180 arriving), so the phones' clocks play no part. The first call to each phone is
  a warm-up, left out.
* CPU idle-registered: the three processes over the same window (user + system of every thread,
  /proc/<pid>/stat, % of one core — bench/phone_cpu.py).
* CPU in a call: the three restarted in auto-answer mode, one ``centrale-phone call --tone 660``
  caller each (PCMU, 20 ms frames, null audio device), the three measured over the same window.

The polled pjsua2 is a second peer, not the floor: it is slower by design (up to a 10 ms sleep per
turn), not a bound no softphone can beat.

    .venv/bin/python -m bench.peers.softphone [--quick]
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.call_pop import traced_messages
from bench.peers import standalone, table
from bench.peers.figures import median_and_p95
from bench.peers.softphone_baresip import Baresip, available
from bench.phone_cpu import cpu_seconds
from tests.support.kamailio import Kamailio
from tests.support.sip_peers import JsonLinesProcess, centrale_phone
from tests.support.sipp import cancel_before_answer, finish_sipp, start_sipp

PASSWORD = "bench-peers-sip"  # a throw-away benchmark account
PHONES = ("ours", "baresip", "polled")  # also their SIP user names
PEERS = {"baresip": "baresip 1.0 (Debian)", "polled": "pjsua2 polled / 10 ms"}
RING_MS = 50
CALLS_PER_SECOND = 8


@dataclass
class Phone:
    name: str
    pid: int
    stop: Callable[[], None]


def start_phone(name: str, workdir: Path, kamailio: Kamailio, auto_answer: bool) -> Phone:
    """One of the three phones registered as ``name``, once its registration is accepted."""
    os.environ["BENCH_SIP_PASSWORD"] = PASSWORD
    label = f"{name}-{'answering' if auto_answer else 'ringing'}"
    answering = ["--auto-answer"] if auto_answer else []
    account = ["--uri", kamailio.uri(name), "--registrar", f"sip:{kamailio.domain}", "--user", name,
               "--password-env", "BENCH_SIP_PASSWORD", *answering]  # fmt: skip
    if name == "baresip":
        baresip = Baresip(workdir / label, kamailio.domain, name, PASSWORD, auto_answer)
        try:
            baresip.wait_registered()
        except BaseException:
            baresip.stop()
            raise
        return Phone(name, baresip.process.pid, baresip.stop)
    if name == "ours":
        process = centrale_phone(workdir, label, "register", *account)
        event, fields = "RegistrationChanged", {"status": "registered"}
    else:
        argv = [sys.executable, "-m", "bench.peers.softphone_polled", *account]
        process = JsonLinesProcess(argv, workdir / f"{label}.log")
        event, fields = "Registered", {}
    try:
        process.wait_for(event, 15.0, 0, **fields)
    except BaseException:
        process.stop()
        raise
    return Phone(name, process.process.pid, process.stop)


def start_all(workdir: Path, kamailio: Kamailio, auto_answer: bool) -> list[Phone]:
    phones: list[Phone] = []
    try:
        for name in PHONES:
            phones.append(start_phone(name, workdir, kamailio, auto_answer))
    except BaseException:
        stop_all(phones)
        raise
    return phones


def stop_all(phones: list[Phone]) -> None:
    for phone in phones:
        phone.stop()


def ring_delays(workdir: Path, kamailio: Kamailio, calls: int) -> dict[str, list[float]]:
    """Phone → INVITE sent → 180 received (ms) by SIPp, the phones called in turn."""
    rounds = calls + 1  # the first call to each phone warms it up
    feed = workdir / "called.csv"
    feed.write_text("SEQUENTIAL\n" + "".join(f"{PHONES[n % 3]};\n" for n in range(3 * rounds)))
    # The called user from the CSV (-inf) instead of -s: one SIPp alternates the three phones.
    scenario = cancel_before_answer(
        "<sip:0612345678@[local_ip]:[local_port]>", RING_MS, extra_headers="User-Agent: SIPp"
    ).replace("[service]", "[field0]")
    messages = workdir / "ring-messages.log"
    timeout = 60 + 3 * rounds / CALLS_PER_SECOND * 2
    sipp = start_sipp(workdir, "ring", scenario, kamailio.domain, "ours", timeout=timeout,
                      extra=["-inf", str(feed), "-m", str(3 * rounds), "-l", "1", "-r", str(CALLS_PER_SECOND),
                             "-trace_msg", "-message_file", str(messages)])  # fmt: skip
    if (code := finish_sipp(sipp, workdir, "ring", timeout)) != 0:
        raise RuntimeError(f"SIPp exit code {code}: {(workdir / 'ring-errors.log')}")
    invites: dict[str, tuple[float, str]] = {}
    rung: dict[str, float] = {}
    for moment, by_sipp, message in traced_messages(messages):
        found = re.search(r"^Call-ID:\s*(\S+)", message, re.MULTILINE)
        called = re.match(r"INVITE sip:([^@]+)@", message)
        if found is None:
            continue
        if by_sipp and called:
            invites.setdefault(found.group(1), (moment, called.group(1)))
        elif not by_sipp and message.startswith("SIP/2.0 180 "):
            rung.setdefault(found.group(1), moment)
    delays: dict[str, list[float]] = {name: [] for name in PHONES}
    ordered = sorted(invites.items(), key=lambda item: item[1][0])
    seen: set[str] = set()
    for call_id, (sent, name) in ordered:
        if name not in seen:
            seen.add(name)  # warm-up call
            continue
        delays[name].append((rung[call_id] - sent) * 1000)
    for name, values in delays.items():
        if len(values) != calls:
            raise RuntimeError(f"{name}: {len(values)} rings measured out of {calls}")
    return delays


def cpu_shares(phones: list[Phone], seconds: float) -> dict[str, float]:
    """% of one core of each phone over the same window."""
    before = {phone.name: cpu_seconds(phone.pid) for phone in phones}
    started = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - started
    return {phone.name: 100 * (cpu_seconds(phone.pid) - before[phone.name]) / wall for phone in phones}


def in_call_shares(workdir: Path, kamailio: Kamailio, seconds: float) -> dict[str, float]:
    """The three phones answering one caller each (a tone both ways of nothing: null audio)."""
    phones = start_all(workdir, kamailio, auto_answer=True)
    callers: list[JsonLinesProcess] = []
    try:
        for phone in phones:
            callers.append(centrale_phone(
                workdir, f"caller-{phone.name}", "call", kamailio.uri(phone.name), "--from-user",
                "0761717229", "--tone", "660", "--duration", str(seconds + 8),
            ))  # fmt: skip
        for caller in callers:
            caller.wait_for("CallMediaChanged", timeout=15, media="active")
        time.sleep(1)
        return cpu_shares(phones, seconds)
    finally:
        for caller in callers:
            caller.stop()
        stop_all(phones)


def cpu_rows(figure: str, shares: dict[str, float], note: str) -> list[table.Row]:
    return [
        table.Row("softphone", figure, "% of a core", shares["ours"], PEERS[peer], shares[peer], note=note)
        for peer in ("baresip", "polled")
    ]


def run(quick: bool, workdir: Path) -> list[table.Row]:
    missing = available()
    if missing is not None:
        raise RuntimeError(missing)
    calls, seconds = (20, 5.0) if quick else (100, 30.0)
    workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workdir, prefix="softphone-") as scratch:
        folder = Path(scratch)
        (folder / "kamailio").mkdir()
        kamailio = Kamailio(folder / "kamailio", dict.fromkeys(PHONES, PASSWORD))
        kamailio.start()
        try:
            phones = start_all(folder, kamailio, auto_answer=False)
            try:
                delays = ring_delays(folder, kamailio, calls)
                time.sleep(2)
                idle = cpu_shares(phones, seconds)
            finally:
                stop_all(phones)
            in_call = in_call_shares(folder, kamailio, seconds)
        finally:
            kamailio.stop()
    ring_note = f"{calls} calls each, interleaved, SIPp's clock"
    window = f"{seconds:g} s, the three over the same window"
    return [
        *[row for peer in ("baresip", "polled") for row in median_and_p95(
            "softphone", "INVITE → 180 Ringing", "ms", delays["ours"], peer_name=PEERS[peer],
            peer=delays[peer], note=ring_note)],
        *cpu_rows("CPU idle, registered", idle, window),
        *cpu_rows("CPU in a call (PCMU, null audio)", in_call, window),
    ]  # fmt: skip


if __name__ == "__main__":
    standalone.main(run, __doc__.splitlines()[0])
