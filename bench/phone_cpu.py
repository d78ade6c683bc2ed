"""CPU of the softphone: registered and idle, then during a call (% of one core).

A Kamailio registrar, ``centrale-phone register --auto-answer`` as the operator's softphone (its
own process, null audio device), then ``centrale-phone call`` sending a tone for the call. CPU is
read from /proc/<pid>/stat (user + system, every thread of the process) over each window. Both
drivers are measured: the pjsua2 thread blocking in ``libHandleEvents(20 ms)`` (the default) and
the timer-polled alternative emulated as ``libHandleEvents(0)`` + a 10 ms sleep.

    .venv/bin/python -m bench.phone_cpu [--idle-seconds 20] [--call-seconds 15]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from tests.support.kamailio import Kamailio
from tests.support.sip_peers import centrale_phone

PASSWORD = "bench-operateur"  # a throw-away benchmark account
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def share_of_one_core(pid: int, seconds: float) -> float:
    cpu, wall = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return 100 * (cpu_seconds(pid) - cpu) / (time.monotonic() - wall)


def measure(
    workdir: Path, kamailio: Kamailio, driver: list[str], idle: float, in_call: float
) -> tuple[float, float]:
    os.environ["BENCH_SIP_PASSWORD"] = PASSWORD
    operator = centrale_phone(
        workdir, "operator", "register", "--uri", kamailio.uri("operateur"), "--registrar",
        f"sip:{kamailio.domain}", "--user", "operateur", "--password-env", "BENCH_SIP_PASSWORD",
        "--auto-answer", *driver,
    )  # fmt: skip
    caller = None
    try:
        operator.wait_for("RegistrationChanged", timeout=15, status="registered")
        time.sleep(2)  # start-up work done
        idle_share = share_of_one_core(operator.process.pid, idle)
        caller = centrale_phone(
            workdir, "caller", "call", kamailio.uri("operateur"), "--from-user", "0761717229",
            "--tone", "660", "--duration", str(in_call + 5),
        )  # fmt: skip
        operator.wait_for("CallMediaChanged", timeout=15, media="active")
        time.sleep(1)
        call_share = share_of_one_core(operator.process.pid, in_call)
        return idle_share, call_share
    finally:
        if caller is not None:
            caller.stop()
        operator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--idle-seconds", type=float, default=20)
    parser.add_argument("--call-seconds", type=float, default=15)
    args, _ = parser.parse_known_args()  # bench/run.sh passes its arguments to every benchmark
    drivers = {
        "thread, libHandleEvents(20 ms)": ["--poll-ms", "20"],
        "timer-polled, 0 ms + sleep 10 ms": ["--poll-ms", "0", "--idle-sleep-ms", "10"],
    }
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        (workdir / "kamailio").mkdir()
        kamailio = Kamailio(workdir / "kamailio", {"operateur": PASSWORD})
        kamailio.start()
        try:
            for label, driver in drivers.items():
                idle, in_call = measure(workdir, kamailio, driver, args.idle_seconds, args.call_seconds)
                print(
                    f"{label:<34} idle registered {idle:5.2f} %   in a call {in_call:5.2f} %  (of one core)"
                )
        finally:
            kamailio.stop()


if __name__ == "__main__":
    main()
