"""INVITE sent → ``CallerIdentified`` in the operator's process, through Kamailio, over 100 calls.

A Kamailio registrar/proxy and the operator's softphone (this process: ``Pjsua2Softphone`` +
``ScreenPop``) registered on it; SIPp sends the INVITEs, each from another professional's number
(national form, normalised by the softphone), and logs the wall-clock time each INVITE left
(``-trace_msg``). The lookup is, by default (``--lookup server``), the desktop's own: the central
server's ``lookup-phone`` over HTTP, with 100,000 RPPS activity rows imported
(bench/call_pop_server.py); ``--lookup memory`` uses an in-memory index of 100,000 generated
professionals instead (about 5 % of the numbers shared by a practice), to see the softphone's own
share. The operator refuses each call (486) as soon as it is identified. Prints p50 / p95 / max of
INVITE → IncomingCall and INVITE → CallerIdentified, in milliseconds.

    .venv/bin/python -m bench.call_pop [--calls 100] [--lookup server|memory] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from bench.call_pop_server import server_lookup
from telephony.api import RejectCode
from telephony.config import PhoneConfig, SipAccount
from telephony.events import CallerIdentified, Candidate, IdentificationOutcome, IncomingCall, PhoneEvent
from telephony.pjsua2_adapter import Pjsua2Softphone
from telephony.screen_pop import Lookup, ScreenPop
from tests.support.kamailio import Kamailio
from tests.support.sipp import finish_sipp, rejected, start_sipp

PASSWORD = "bench-operateur"  # a throw-away benchmark account
PROFESSIONS = ("Infirmier", "Médecin généraliste", "Masseur-kinésithérapeute", "Pharmacien", "Sage-femme")


def directory_index(size: int, rng: random.Random) -> dict[str, list[Candidate]]:
    """number (E.164) → professionals; mobiles are personal, ~5 % are a practice's shared line."""
    index: dict[str, list[Candidate]] = {}
    practices = [f"+33{rng.choice('12345')}{rng.randrange(10**8):08d}" for _ in range(size // 40)]
    for i in range(size):
        shared = rng.random() < 0.05
        number = rng.choice(practices) if shared else f"+33{rng.choice('67')}{rng.randrange(10**8):08d}"
        candidate = Candidate("professional", f"pro-{i}", f"Professionnel {i}", rng.choice(PROFESSIONS))
        index.setdefault(number, []).append(candidate)
    return index


def traced_messages(message_log: Path) -> Iterator[tuple[float, bool, str]]:
    """(wall-clock time, sent by SIPp?, the SIP message) of each message of a -trace_msg file."""
    text = message_log.read_text(errors="replace")
    for block in text.split("----------------------------------------------- ")[1:]:
        header, _, message = block.partition("\n")
        stamp = re.search(r"(\d{4}-\d\d-\d\d)\s+(\d\d:\d\d:\d\d\.\d+)", header)
        if stamp:
            moment = datetime.fromisoformat(f"{stamp.group(1)} {stamp.group(2)}").timestamp()
            yield moment, "message sent" in message.split("\n", 1)[0], message.split("\n\n", 1)[-1]


def invite_times(message_log: Path) -> dict[str, float]:
    """Call-ID → wall-clock time SIPp sent its INVITE, from the -trace_msg file."""
    sent: dict[str, float] = {}
    for moment, by_sipp, message in traced_messages(message_log):
        call_id = re.search(r"^Call-ID:\s*(\S+)", message, re.MULTILINE)
        if by_sipp and "\nINVITE " in "\n" + message and call_id:
            sent.setdefault(call_id.group(1), moment)
    return sent


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, workdir: Path) -> None:
    rng = random.Random(15)
    if args.lookup == "server":
        async with server_lookup(workdir, args.rows, args.database, rng) as (lookup, numbers):
            await calls(args, workdir, lookup, numbers[: args.calls])
        return
    started = time.perf_counter()
    index = directory_index(args.rows, rng)
    print(f"index: {sum(map(len, index.values())):,} professionals, {len(index):,} numbers "
          f"({time.perf_counter() - started:.1f} s)")  # fmt: skip

    async def in_memory(number: str) -> list[Candidate]:
        return index.get(number, [])

    await calls(args, workdir, in_memory, rng.sample(sorted(index), args.calls))


async def calls(args: argparse.Namespace, workdir: Path, lookup: Lookup, numbers: list[str]) -> None:
    kamailio = Kamailio(workdir / "kamailio", {"operateur": PASSWORD})
    (workdir / "kamailio").mkdir()
    kamailio.start()
    phone = Pjsua2Softphone(
        PhoneConfig(port=0, null_audio=True, poll_ms=args.poll_ms, idle_sleep_ms=args.idle_sleep_ms)
    )
    incoming: dict[int, tuple[str, float]] = {}  # call id (reused by pjsua) → Call-ID, time
    rang: list[tuple[str, float]] = []
    identified: dict[str, float] = {}
    outcomes: dict[str, int] = {}
    registered = asyncio.Event()
    pending: set[asyncio.Future[None]] = set()

    def on_identified(event: CallerIdentified) -> None:
        if event.outcome is not IdentificationOutcome.PENDING and event.call_id in incoming:
            identified[incoming[event.call_id][0]] = time.time()
            outcomes[event.outcome.value] = outcomes.get(event.outcome.value, 0) + 1
            refusal = asyncio.ensure_future(phone.reject(event.call_id, RejectCode.BUSY))
            pending.add(refusal)
            refusal.add_done_callback(pending.discard)

    def on_event(event: PhoneEvent) -> None:
        if isinstance(event, IncomingCall):
            incoming[event.call_id] = (event.sip_call_id, time.time())
            rang.append(incoming[event.call_id])
        elif getattr(event, "status", None) == "registered":
            registered.set()

    pop = ScreenPop(lookup, on_identified)
    phone.add_listener(on_event)
    phone.add_listener(pop.on_event)
    try:
        await phone.start()
        await phone.register(
            SipAccount(kamailio.uri("operateur"), f"sip:{kamailio.domain}", "operateur"), PASSWORD
        )
        await asyncio.wait_for(registered.wait(), 10)
        feed = workdir / "callers.csv"
        feed.write_text("SEQUENTIAL\n" + "".join(f"0{n[3:]};\n" for n in numbers), encoding="utf-8")
        scenario = rejected("<sip:[field0]@[local_ip]:[local_port]>", "", 486)
        messages = workdir / "messages.log"
        sipp = start_sipp(workdir, "bench", scenario, kamailio.domain, "operateur", timeout=120,
                          extra=["-inf", str(feed), "-m", str(args.calls), "-l", "1", "-r", "20",
                                 "-trace_msg", "-message_file", str(messages)])  # fmt: skip
        code = await asyncio.get_running_loop().run_in_executor(
            None, finish_sipp, sipp, workdir, "bench", 180.0
        )
        await asyncio.sleep(0.5)
    finally:
        await phone.stop()
        kamailio.stop()
    sent = invite_times(messages)
    to_pop = [(identified[c] - sent[c]) * 1000 for c in identified if c in sent]
    to_ring = [(t - sent[c]) * 1000 for c, t in rang if c in sent]
    print(f"SIPp exit code {code}; {len(sent)} INVITEs sent, {len(to_ring)} rang, {len(to_pop)} identified")
    print(f"screen pop outcomes: {outcomes}")
    print(f"driver: libHandleEvents({args.poll_ms} ms) + sleep {args.idle_sleep_ms} ms per turn")
    for label, values in (("INVITE → IncomingCall", to_ring), ("INVITE → CallerIdentified", to_pop)):
        if values:
            p50, p95 = statistics.median(values), percentile(values, 0.95)
            print(f"{label:<28} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   max {max(values):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--lookup", choices=["server", "memory"], default="server")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000, help="directory size")
    parser.add_argument("--poll-ms", type=int, default=20)
    parser.add_argument("--idle-sleep-ms", type=int, default=0)
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    with tempfile.TemporaryDirectory() as workdir:
        asyncio.run(run(args, Path(workdir)))


if __name__ == "__main__":
    main()
