"""An operator's state change → Kamailio stops / starts ringing them, p95 (target ≤ 1 s).

The real parts (tests/support/hotline_rig.py), ring-all, two operators:
- stop: op1 goes Pause (``PUT /agents/me/state`` answered) and a caller dials the hotline at once:
  only op2 may ring; the time from the PUT's answer to op2's ringing, and op1 never rung;
- start: op1 comes back Disponible and a caller dials at once: op1 rings; same measure;
- start from the queue: a caller already waits in the queue holder, op1 comes back Disponible: the
  holder's next question (every 250 ms) offers them; time from the PUT's answer to op1's ringing.

    .venv/bin/python -m bench.hotline_state [--rounds 30] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.call_pop import invite_times
from bench.hotline_ring import figures, hotline_rig
from tests.support.hotline_rig import Desk, HotlineRig
from tests.support.polling import wait_until


def settle(rig: HotlineRig, desk: Desk, state: str) -> None:
    wait_until(lambda: rig.hotline.agents()[desk.account.id]["state"] == "after_call")
    desk.set(state, **({"pause_reason": "repas"} if state == "pause" else {}))


def since_invite(rig: HotlineRig, label: str, ring: dict[str, Any]) -> float:
    """Milliseconds from the caller's INVITE (SIPp's trace) to the operator's ringing."""
    sent = invite_times(rig.directory / f"{label}_messages.log")[ring["sip_call_id"]]
    return float((ring["t"] - sent) * 1000)


def direct_rounds(
    rig: HotlineRig, first: Desk, second: Desk, rounds: int
) -> tuple[list[float], list[float], list[float], int]:
    """PUT answered → ringing (the SIPp caller's start included), INVITE → ringing, wrong rings."""
    stopped: list[float] = []
    started: list[float] = []
    routed: list[float] = []
    wrongly_rung = 0
    for n in range(rounds):
        marks = (first.phone.mark(), second.phone.mark())
        first.set("pause", pause_reason="repas")
        changed = time.time()
        caller = rig.caller(f"0761{n:06d}", talk_ms=50, trace=True)
        ring = second.incoming(after=marks[1])
        stopped.append((ring["t"] - changed) * 1000)
        routed.append(since_invite(rig, caller[1], ring))
        second.phone.command("answer", call_id=ring["call_id"])
        assert rig.finish(caller) == 0
        wrongly_rung += len(first.rang(marks[0]))
        settle(rig, second, "available")
        mark = first.phone.mark()
        first.set("available")
        changed = time.time()
        caller = rig.caller(f"0762{n:06d}", talk_ms=50, trace=True)
        ring = first.incoming(after=mark)
        started.append((ring["t"] - changed) * 1000)
        routed.append(since_invite(rig, caller[1], ring))
        first.phone.command("answer", call_id=ring["call_id"])
        assert rig.finish(caller) == 0
        settle(rig, first, "available")
    return stopped, started, routed, wrongly_rung


def queue_rounds(rig: HotlineRig, first: Desk, second: Desk, rounds: int) -> list[float]:
    second.set("pause", pause_reason="repas")
    first.set("pause", pause_reason="repas")
    delays = []
    for n in range(rounds):
        mark, held = first.phone.mark(), rig.holder.mark()
        caller = rig.caller(f"0763{n:06d}", patience_ms=60000)
        rig.holder.wait_for("PlaybackStarted", after=held)
        first.set("available")
        changed = time.time()
        ring = first.incoming(after=mark)
        delays.append((ring["t"] - changed) * 1000)
        first.phone.command("answer", call_id=ring["call_id"])
        rig.holder.wait_for("Told", kind="answered", after=held)
        first.phone.command("hang_up", call_id=ring["call_id"])
        rig.holder.wait_for("Told", kind="ended", after=held)
        assert rig.finish(caller) == 0  # the holder hung the caller up after the operator
        settle(rig, first, "pause")
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with hotline_rig(args.database, workdir, "ring_all") as rig:
            first, second = rig.desk("op1"), rig.desk("op2")
            stopped, started, routed, wrong = direct_rounds(rig, first, second, args.rounds)
            queued = queue_rounds(rig, first, second, args.rounds)
    print(f"database: {args.database}; ring-all, 2 operators; {args.rounds} rounds")
    print(figures("Pause → next call rings the other", stopped))
    print(f"  the paused operator rung: {wrong} time(s)")
    print(figures("Disponible → next call rings them", started))
    print("  (both include starting the SIPp caller; from its INVITE alone:)")
    print(figures("INVITE → ring, after a state change", routed))
    print(figures("Disponible → waiting caller offered", queued))


if __name__ == "__main__":
    main()
