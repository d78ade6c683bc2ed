"""INVITE to the hotline → the available operator's phone rings, through Kamailio and the server's
route answer, over 100 calls; compared in the same run with 100 direct calls to the operator.

The real parts (tests/support/hotline_rig.py): a central server (SQLite by default), Kamailio with
the shipped configuration (http_client asks ``GET /telephony/route`` per INVITE), the operator's
pjsua2 softphone in its own process. SIPp sends each INVITE and logs when it left (``-trace_msg``);
the softphone stamps ``IncomingCall``. Hotline calls are answered and hung up (then the operator is
set Disponible again, as the desktop does after the wrap-up); direct calls are refused (486).

    .venv/bin/python -m bench.hotline_ring [--calls 100] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.call_pop import invite_times, percentile
from tests.integration.conftest import start_live
from tests.support.hotline_rig import HotlineRig
from tests.support.live import LiveServer
from tests.support.polling import wait_until
from tests.support.sipp import finish_sipp, rejected, start_sipp


@contextmanager
def hotline_rig(database: str, workdir: Path, strategy: str, workers: int = 2) -> Iterator[HotlineRig]:
    """A central server, Kamailio and the queue holder (tests/support/hotline_rig.py), then stopped."""
    servers = start_live(database, workdir / "server")
    live: LiveServer = next(servers)
    rig = HotlineRig.start(live, workdir / "rig", strategy=strategy, ring_seconds=15, workers=workers)
    try:
        yield rig
    finally:
        rig.stop()
        for _ in servers:  # the rest of the generator stops the server
            pass


def figures(label: str, values: list[float]) -> str:
    return (f"{label:<34} n={len(values):3d}  p50 {statistics.median(values):6.1f} ms  "
            f"p95 {percentile(values, 0.95):6.1f} ms  max {max(values):6.1f} ms")  # fmt: skip


def hotline_calls(rig: HotlineRig, calls: int) -> list[float]:
    desk = rig.desk("op1")
    delays = []
    for n in range(calls):
        mark = desk.phone.mark()
        caller = rig.caller(f"0761{n:06d}", talk_ms=50, trace=True)
        _, label = caller
        ring = desk.incoming(after=mark)
        desk.phone.command("answer", call_id=ring["call_id"])
        assert rig.finish(caller) == 0, f"appel {n} en échec"
        sent = invite_times(rig.directory / f"{label}_messages.log")
        delays.append((ring["t"] - sent[ring["sip_call_id"]]) * 1000)
        wait_until(lambda: rig.hotline.agents()[desk.account.id]["state"] == "after_call")
        desk.set("available")
    return delays


def direct_calls(rig: HotlineRig, calls: int, workdir: Path) -> list[float]:
    desk = rig.desks[0]
    mark = desk.phone.mark()
    messages = workdir / "direct-messages.log"
    scenario = rejected("<sip:0145678912@[local_ip]:[local_port]>", "", 486)
    sipp = start_sipp(workdir, "direct", scenario, rig.kamailio.domain, desk.sip_user, timeout=120,
                      extra=["-m", str(calls), "-l", "1", "-r", "10", "-trace_msg", "-message_file",
                             str(messages)])  # fmt: skip
    for _ in range(calls):
        ring = desk.incoming(after=mark)
        mark = desk.phone.find_index("IncomingCall", sip_call_id=ring["sip_call_id"]) + 1
        desk.phone.command("reject", call_id=ring["call_id"], code=486)
    assert finish_sipp(sipp, workdir, "direct", 120) == 0
    sent = invite_times(messages)
    rung = [e for e in desk.phone.events if e["event"] == "IncomingCall" and e["sip_call_id"] in sent]
    return [(e["t"] - sent[e["sip_call_id"]]) * 1000 for e in rung]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with hotline_rig(args.database, workdir, "longest_idle") as rig:
            hotline = hotline_calls(rig, args.calls)
            direct = direct_calls(rig, args.calls, workdir)
    print(f"database: {args.database}; one operator Disponible; INVITE (SIPp) → IncomingCall (pjsua2)")
    print(figures("hotline (Kamailio + route request)", hotline))
    print(figures("direct call to the operator", direct))
    print(f"cost of the distribution: p50 +{statistics.median(hotline) - statistics.median(direct):.1f} ms")


if __name__ == "__main__":
    main()
