"""A private pcscd with the vsmartcard ``vpcd`` driver: the demo's virtual reader when no pcscd runs,
and the card tests' and benchmarks' daemon.

pcscd serves one socket per machine (/run/pcscd/pcscd.comm, fixed at build time), so only one
instance can run: if another pcscd already serves it, this one cannot start. It reads its own
reader.conf (``--config``) naming the vpcd driver registered by the Debian package
(/etc/reader.conf.d/vpcd), on free TCP ports instead of the default 35963/35964, so that an
emulator left running elsewhere never talks to it. vpcd exposes two readers, slot 0 on ``port``
and slot 1 on ``port + 1``. pcscd needs root. It dies with the process that started it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from contextlib import suppress
from pathlib import Path

from cardreader.errors import CardReadError
from cardreader.pcsc import PcscContext
from shared.child_process import die_with_parent

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_REGISTRATION = Path("/etc/reader.conf.d/vpcd")
VPCD_DEFAULT_LIBRARY = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER_NAME = "Virtual PCD"
SLOTS = 2


class PcscdUnavailable(RuntimeError):
    """Why no private pcscd could start (``str()`` is French)."""


def vpcd_registration(key: str) -> str | None:
    """A value of the vsmartcard-vpcd package's reader registration (``LIBPATH``, ``CHANNELID``…)."""
    if VPCD_REGISTRATION.exists():
        for line in VPCD_REGISTRATION.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == key:
                return parts[1]
    return None


def vpcd_library() -> Path:
    """The driver path as registered by the vsmartcard-vpcd package."""
    registered = vpcd_registration("LIBPATH")
    return Path(registered) if registered else VPCD_DEFAULT_LIBRARY


def free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise PcscdUnavailable("aucune paire de ports TCP libres pour vpcd")


def socket_answers() -> bool:
    """Whether a pcscd serves the machine's socket."""
    if not PCSCD_SOCKET.exists():
        return False
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(PCSCD_SOCKET))
        except OSError:
            return False
    return True


class PrivatePcscd:
    def __init__(self, directory: Path, with_vpcd: bool = True) -> None:
        self.directory = directory
        self.with_vpcd = with_vpcd  # False: a pcscd without any reader
        self.port = free_port_pair()
        self.config = directory / "reader.conf"
        self.log_path = directory / "pcscd.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def readers(self) -> list[str]:
        return [f"{READER_NAME} 00 {slot:02d}" for slot in range(SLOTS if self.with_vpcd else 0)]

    def slot_port(self, slot: int) -> int:
        return self.port + slot

    def start(self, timeout: float = 10.0) -> None:
        executable = shutil.which("pcscd") or (
            "/usr/sbin/pcscd" if Path("/usr/sbin/pcscd").exists() else None
        )
        if executable is None:
            raise PcscdUnavailable("pcscd est introuvable (paquet Debian pcscd)")
        library = vpcd_library()
        if not library.exists():
            raise PcscdUnavailable(f"pilote vpcd introuvable : {library} (paquet vsmartcard-vpcd)")
        if os.geteuid() != 0:
            raise PcscdUnavailable("pcscd doit être lancé en root pour un lecteur virtuel privé")
        if socket_answers():
            raise PcscdUnavailable(f"un autre pcscd sert déjà {PCSCD_SOCKET} : arrêtez-le d'abord")
        self.directory.mkdir(parents=True, exist_ok=True)
        entry = (
            f'FRIENDLYNAME "{READER_NAME}"\n'
            f"DEVICENAME /dev/null:0x{self.port:04X}\n"
            f"LIBPATH {library}\n"
            f"CHANNELID 0x{self.port:04X}\n"
        )
        self.config.write_text(entry if self.with_vpcd else "# no reader\n", encoding="utf-8")
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(  # noqa: S603 - the system's pcscd
                [executable, "--foreground", "--config", str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,  # signal set-up and a prctl() between fork and exec
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PcscdUnavailable(f"pcscd s'est arrêté au démarrage, voir {self.log_path}")
            with suppress(CardReadError), PcscContext() as context:
                if sorted(context.readers()) == self.readers:
                    return
            time.sleep(0.05)
        self.stop()
        raise PcscdUnavailable(
            f"pcscd n'a pas présenté les lecteurs vpcd en {timeout} s, voir {self.log_path}"
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        deadline = time.monotonic() + 5
        while socket_answers() and time.monotonic() < deadline:
            time.sleep(0.05)
