"""baresip (Debian ``baresip-core``) as the softphone peer: headless, its config dir under the workdir.

No user interface module (no stdio, no ctrl_tcp): the process reads no terminal and is driven by its
account line alone. ``answermode=manual`` rings (180) on every INVITE, ``auto`` answers it. The null
audio device of pjsua2 has no exact twin here: ``aubridge`` ties the call's player to its source
(one clock thread, the received frames decoded and sent back encoded), the closest work to pjsua2's
null device clocking its conference bridge; the ring tone plays into a bridge nobody reads.
Registration and calls are read from baresip's own log lines on stdout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

from tests.support.kamailio import free_udp_port

MODULES = Path("/usr/lib/baresip/modules")
CONFIG = """\
poll_method epoll
sip_listen 127.0.0.1:{port}
net_interface 127.0.0.1
call_local_timeout 120
call_max_calls 4
audio_player aubridge,call
audio_source aubridge,call
audio_alert aubridge,ring
audio_buffer 20-160
jitter_buffer_delay 5-10
rtp_ports 10000-60000
rtcp_mux no
rtp_stats no
audio_level no
ausrc_format s16
auplay_format s16
auenc_format s16
audec_format s16
module_path {modules}
module g711.so
module aubridge.so
module_tmp uuid.so
module_tmp account.so
module_app menu.so
"""


def available() -> str | None:
    """Why baresip cannot run here, or None."""
    if shutil.which("baresip") is None or not (MODULES / "aubridge.so").exists():
        return "baresip introuvable (paquet Debian baresip-core ; lancez scripts/bootstrap.sh --peers)"
    return None


class Baresip:
    """One baresip process registered as ``user`` on the proxy ``domain`` ("127.0.0.1:port")."""

    def __init__(self, directory: Path, domain: str, user: str, password: str, auto_answer: bool) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "config").write_text(CONFIG.format(port=free_udp_port(), modules=MODULES))
        mode = "auto" if auto_answer else "manual"
        (directory / "accounts").write_text(
            f"<sip:{user}@{domain}>;auth_pass={password};answermode={mode};regint=300\n"
        )
        (directory / "contacts").write_text("")
        self.log_path = directory / "baresip.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            ["baresip", "-f", str(directory)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float = 15.0) -> None:
        """Until a line of baresip's log matches ``pattern`` (a regular expression)."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.log(), re.MULTILINE):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"baresip: no /{pattern}/ within {timeout} s:\n{self.log()[-2000:]}")
            time.sleep(0.05)

    def wait_registered(self, timeout: float = 15.0) -> None:
        self.wait_for(r"\{0/UDP/v4\} 200 OK", timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()
