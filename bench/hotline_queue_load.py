"""50 concurrent callers (SIPp, 50 INVITEs within a second) into a hotline of 5 operators.

The real parts (tests/support/hotline_rig.py), longest-idle: the first callers ring operators
directly, the others wait in the queue holder (announcement, hold tone) and are offered to the next
operator who becomes available. Each operator (a pjsua2 softphone process) answers after
``--answer-ms``, talks ``--talk-ms``, hangs up, and is set Disponible again once the server has the
call ended, as the desktop does after the wrap-up. Callers give up after ``--patience-ms``.

Checks and prints: every call answered or counted lost (the operators' and the holder's view, and
the server's statistics), no operator rung while in a call, the queue served in arrival order,
and the wait until an operator answered (p50 / p95 / max).

    .venv/bin/python -m bench.hotline_queue_load [--callers 50] [--operators 5] [--patience-ms 30000]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.call_pop import percentile
from bench.hotline_ring import hotline_rig
from tests.support.hotline_rig import Desk, HotlineRig
from tests.support.sipp import finish_sipp, patient_caller, start_sipp


@dataclass
class Seat:
    """One operator's turn: ringing → answered → talking → hung up → Disponible again."""

    desk: Desk
    seen: int = 0
    call: dict[str, Any] | None = None
    answer_at: float = 0.0
    hang_up_at: float = 0.0
    ended: bool = False
    rung_while_busy: int = 0
    answered: list[dict[str, Any]] = field(default_factory=list)


def step(rig: HotlineRig, seat: Seat, now: float, answer_s: float, talk_s: float) -> None:
    events = seat.desk.phone.events[seat.seen :]
    seat.seen += len(events)
    for event in events:
        if event["event"] == "IncomingCall":
            if seat.call is not None:
                seat.rung_while_busy += 1
                seat.desk.phone.command("reject", call_id=event["call_id"], code=486)
                continue
            seat.call, seat.answer_at, seat.ended = event, now + answer_s, False
        elif (
            event["event"] == "CallEnded"
            and seat.call is not None
            and event["call_id"] == seat.call["call_id"]
        ):
            seat.ended = True
    call = seat.call
    if call is None:
        return
    if seat.answer_at and now >= seat.answer_at and not seat.ended:
        seat.desk.phone.command("answer", call_id=call["call_id"])
        seat.answered.append({**call, "answered": time.time()})
        seat.answer_at, seat.hang_up_at = 0.0, now + talk_s
    elif seat.hang_up_at and now >= seat.hang_up_at and not seat.ended:
        seat.desk.phone.command("hang_up", call_id=call["call_id"])
        seat.hang_up_at = 0.0
    elif seat.ended:
        state = rig.hotline.agents()[seat.desk.account.id]["state"]
        if state in ("after_call", "available"):  # « ended » told: the wrap-up is over at once
            if state == "after_call":
                seat.desk.set("available")
            seat.call, seat.answer_at, seat.hang_up_at, seat.ended = None, 0.0, 0.0, False


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--operators", type=int, default=5)
    parser.add_argument("--workers", type=int, default=25, help="queue holder's lines (2 callers each)")
    parser.add_argument("--answer-ms", type=int, default=300)
    parser.add_argument("--talk-ms", type=int, default=1000)
    parser.add_argument("--patience-ms", type=int, default=30000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with hotline_rig(args.database, workdir, "longest_idle", workers=args.workers) as rig:
            report(args, rig, run(args, rig, workdir))


def run(args: argparse.Namespace, rig: HotlineRig, workdir: Path) -> tuple[list[Seat], int, float, datetime]:
    seats = [Seat(rig.desk(f"op{n + 1}")) for n in range(args.operators)]
    begun = datetime.now(UTC)
    feed = workdir / "callers.csv"
    feed.write_text(
        "SEQUENTIAL\n" + "".join(f"0761{n:06d};\n" for n in range(args.callers)), encoding="utf-8"
    )
    scenario = patient_caller("<sip:[field0]@[local_ip]:[local_port]>", args.patience_ms)
    started = time.monotonic()
    sipp = start_sipp(workdir, "load", scenario, rig.kamailio.domain, "hotline", timeout=600,
                      extra=["-inf", str(feed), "-m", str(args.callers), "-l", str(args.callers),
                             "-r", str(args.callers), "-rp", "1000"])  # fmt: skip
    while sipp.poll() is None:
        now = time.monotonic()
        for seat in seats:
            step(rig, seat, now, args.answer_ms / 1000, args.talk_ms / 1000)
        time.sleep(0.01)
    elapsed = time.monotonic() - started
    code = finish_sipp(sipp, workdir, "load", 10)
    return seats, code, elapsed, begun


def report(
    args: argparse.Namespace, rig: HotlineRig, outcome: tuple[list[Seat], int, float, datetime]
) -> None:
    seats, code, elapsed, begun = outcome
    time.sleep(1.0)  # the last events told
    holder = rig.holder
    # Callers dial in the order of their numbers (SIPp's SEQUENTIAL feed): that is the arrival order.
    # An operator's call from the queue is a new SIP call: the caller is known by their number (PAI).
    arrived = {e["sip_call_id"]: (e["number"], e["t"]) for e in holder.find("CallerArrived")}
    offered: list[str] = []
    for event in holder.find("Offered"):
        number = arrived.get(event["call_id"], ("?", 0.0))[0]  # "?": a caller who never reached a line
        if number not in offered:
            offered.append(number)
    # Arrival = the server's: the order its route requests came in (Kamailio's workers ask in
    # parallel, so two INVITEs a few ms apart may swap); a swap is counted, not hidden.
    swaps = sum(1 for a, b in itertools.pairwise(offered) if a > b)
    lost = {e["call_id"] for e in holder.find("Told", kind="lost")}
    answered = [a for seat in seats for a in seat.answered]
    queued_at = {number: t for number, t in arrived.values()}
    direct = [a for a in answered if a["caller"] not in queued_at]
    queued_answers = {e["call_id"] for e in holder.find("Told", kind="answered")}
    waits = [a["answered"] - queued_at[a["caller"]] for a in answered if a["caller"] in queued_at]
    end = datetime.now(UTC) + timedelta(minutes=1)
    stats = rig.supervisor().get(
        "/stats/hotline", params={"start": begun.isoformat(), "end": end.isoformat()}
    )
    total = stats.json()["total"] if stats.status_code == 200 else {}
    print(f"database: {args.database}; {args.callers} callers within 1 s, {args.operators} operators")
    print(
        f"operators answer after {args.answer_ms} ms, talk {args.talk_ms} ms; patience {args.patience_ms} ms"
    )
    print(f"SIPp exit code {code}; all calls over after {elapsed:.1f} s")
    print(f"answered: {len(answered)} ({len(direct)} rung directly, {len(queued_answers)} from the queue); "
          f"lost in the queue: {len(lost)}; total {len(answered) + len(lost)} of {args.callers}")  # fmt: skip
    print(f"server's figures: received {total.get('received')}, answered {total.get('answered')}, "
          f"lost {total.get('lost')}")  # fmt: skip
    print(f"rung while already in a call: {sum(s.rung_while_busy for s in seats)}")
    print(f"queue served in arrival order: {swaps} adjacent swap(s) in {len(offered)} offers "
          f"({len(arrived)} queued); order: {[n[-3:] for n in offered]}")  # fmt: skip
    print(f"answers per operator: {[len(s.answered) for s in seats]}")
    if waits:
        print(f"queue wait until answered: p50 {statistics.median(waits):.1f} s, "
              f"p95 {percentile(waits, 0.95):.1f} s, max {max(waits):.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
