"""Writes and runs Centrale's Kamailio: ``centrale.cfg`` (shipped) plus ``centrale-local.cfg`` (the
deployment's values), in a directory of its own, with the subscribers in db_text files beside them.

Used by the tests (tests/support/kamailio.py), the benchmarks, the demo and ``python -m
telephony.kamailio`` (a deployment writes the files once and runs Kamailio under systemd).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.child_process import die_with_parent

SHIPPED_CONFIG = Path(__file__).with_name("centrale.cfg")
LOCAL_CONFIG = "centrale-local.cfg"
QUEUE_LIST = "queue-lines.list"  # the dispatcher's list: the queue holder's lines (set 1)
# Debian installs the modules under the multiarch directory (x86_64-linux-gnu, aarch64-linux-gnu…).
MODULES_DIRS = [*sorted(glob.glob("/usr/lib/*/kamailio/modules/")), "/usr/lib/kamailio/modules/"]
_TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{8,200}$")  # never '!' (the substdef delimiter) nor quotes
_URL = re.compile(r"^https?://[A-Za-z0-9.:\[\]_-]+(/[A-Za-z0-9._~/-]*)?$")
_SIP_USER = re.compile(r"^[A-Za-z0-9._+-]{1,64}$")
_HOSTPORT = re.compile(r"^[A-Za-z0-9.-]+:[0-9]{1,5}$")


class KamailioError(RuntimeError):
    """Kamailio could not start, or a setting is invalid (French message)."""


def binary(name: str) -> str | None:
    """Path of a Debian tool that may live in /usr/sbin, outside a normal user's PATH."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")


def modules_dir() -> str:
    return next((d for d in MODULES_DIRS if Path(d, "registrar.so").exists()), MODULES_DIRS[0])


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class HotlineRouting:
    """The hotline's distribution: whom Kamailio asks, and where the queue holder listens."""

    server_url: str  # the central server, e.g. "http://127.0.0.1:8000" (its API under /api/v1)
    token: str  # CENTRALE_TELEPHONY_TOKEN, the same value as the server's
    queue: tuple[str, ...]  # the queue holder's lines, "host:port" each ("127.0.0.1:5091", …)
    user: str = "hotline"  # the hotline number's user part: INVITEs to sip:hotline@this proxy
    ring_seconds: int = 15  # how long one offer rings when the server's answer does not say
    server_timeout_seconds: int = 1  # then the caller goes to the queue holder

    def check(self) -> None:
        if not _URL.match(self.server_url):
            raise KamailioError(f"Adresse du serveur invalide : {self.server_url!r}")
        if not _TOKEN.match(self.token):
            raise KamailioError("Jeton de téléphonie invalide (8 à 200 caractères sans guillemets ni « ! »)")
        if not self.queue or not all(_HOSTPORT.match(line) for line in self.queue):
            raise KamailioError(f"Adresses de la file d'attente invalides : {self.queue!r}")
        if not _SIP_USER.match(self.user):
            raise KamailioError(f"Numéro de la permanence invalide : {self.user!r}")
        if not 1 <= self.ring_seconds <= 300 or not 1 <= self.server_timeout_seconds <= 30:
            raise KamailioError("Durées invalides (sonnerie 1 à 300 s, délai du serveur 1 à 30 s)")


@dataclass(frozen=True, slots=True)
class KamailioSettings:
    directory: Path  # the configuration, the subscribers' files, the PID file and the log
    subscribers: Mapping[str, str]  # SIP user → password (digest checked on REGISTER)
    port: int = 5060
    address: str = "127.0.0.1"
    hotline: HotlineRouting | None = None
    children: int = 4  # UDP workers; one waits on each request to the server
    debug: int = 2

    @property
    def domain(self) -> str:
        return f"{self.address}:{self.port}"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _write_subscribers(db: Path, address: str, subscribers: Mapping[str, str]) -> None:
    db.mkdir(parents=True, exist_ok=True)
    (db / "version").write_text(
        "id(int,auto) table_name(string) table_version(int) \n0:subscriber:7\n", encoding="utf-8"
    )
    # db_text refuses empty (null) ha1 columns: fill them, though auth_db hashes the password.
    rows = "".join(
        f"{i}:{user}:{address}:{password}:{_md5(f'{user}:{address}:{password}')}:"
        f"{_md5(f'{user}@{address}:{address}:{password}')}\n"
        for i, (user, password) in enumerate(subscribers.items(), 1)
    )
    path = db / "subscriber"
    path.write_text(
        "id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string) \n" + rows,
        encoding="utf-8",
    )
    path.chmod(0o600)


def local_config(settings: KamailioSettings) -> str:
    """The deployment's part: listen address, module path, subscribers, and the hotline's values."""
    lines = [
        "# Written by telephony/kamailio/launcher.py: the deployment's values for centrale.cfg.",
        f"debug={settings.debug}",
        "log_stderror=yes",
        f"listen=udp:{settings.address}:{settings.port}",
        f'mpath="{modules_dir()}"',
        f"#!define CHILDREN {settings.children}",
        f"#!define SIP_PORT {settings.port}",
        f'#!substdef "!SIP_ADDRESS!{settings.address}!g"',
        f'#!substdef "!SUBSCRIBERS_DB!text://{settings.directory / "db"}!g"',
    ]
    hotline = settings.hotline
    if hotline is not None:
        hotline.check()
        lines += [
            "#!define WITH_HOTLINE",
            f"#!define RING_SECONDS {hotline.ring_seconds}",
            f"#!define SERVER_TIMEOUT {hotline.server_timeout_seconds}",
            f'#!substdef "!HOTLINE_USER!{hotline.user}!g"',
            f'#!substdef "!QUEUE_LIST!{settings.directory / QUEUE_LIST}!g"',
            f'#!substdef "!CENTRALE_API!{hotline.server_url.rstrip("/")}/api/v1!g"',
            f'#!substdef "!CENTRALE_TOKEN!{hotline.token}!g"',
        ]
    return "\n".join(lines) + "\n"


def write_config(settings: KamailioSettings) -> Path:
    """Writes kamailio.cfg (the shipped file), centrale-local.cfg (0600: it holds the token) and the
    subscribers; returns the path of kamailio.cfg."""
    settings.directory.mkdir(parents=True, exist_ok=True)
    _write_subscribers(settings.directory / "db", settings.address, settings.subscribers)
    local = settings.directory / LOCAL_CONFIG
    local.touch(mode=0o600)
    local.chmod(0o600)
    local.write_text(local_config(settings), encoding="utf-8")
    if settings.hotline is not None:
        lines = "".join(f"1 sip:{line}\n" for line in settings.hotline.queue)
        (settings.directory / QUEUE_LIST).write_text(lines, encoding="utf-8")
    config = settings.directory / "kamailio.cfg"
    shutil.copyfile(SHIPPED_CONFIG, config)
    return config


class KamailioProcess:
    """One Kamailio on ``settings.address:port``, started in its own process group."""

    def __init__(self, settings: KamailioSettings, kamailio: str | None = None) -> None:
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None
        found = kamailio or binary("kamailio")
        if found is None:
            raise KamailioError("kamailio introuvable (paquet Debian kamailio ; lancez scripts/bootstrap.sh)")
        self._binary = found

    @property
    def directory(self) -> Path:
        return self.settings.directory

    @property
    def port(self) -> int:
        return self.settings.port

    @property
    def domain(self) -> str:
        return self.settings.domain

    def uri(self, user: str) -> str:
        return f"sip:{user}@{self.domain}"

    @property
    def log_path(self) -> Path:
        return self.directory / "kamailio.log"

    def start(self, timeout: float = 10.0) -> None:
        config = write_config(self.settings)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - the system's kamailio
            [self._binary, "-f", str(config), "-DD", "-E", "-Y", str(self.directory), "-m", "32", "-M", "4"],
            cwd=self.directory,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,  # a killed parent takes its proxy along (it stops its workers)
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise KamailioError(f"kamailio s'est arrêté : {self.log_tail()}")
            if self.options() == 200:
                return
        self.stop()
        raise KamailioError(f"kamailio ne répond pas après {timeout} s : {self.log_tail()}")

    def answers_options(self) -> bool:
        return self.options() == 200

    def has_location(self, user: str) -> bool:
        """True when an OPTIONS to ``user`` is routed to a registered phone that answers it."""
        return self.options(user, timeout=2.0) == 200

    def options(self, user: str = "", timeout: float = 0.1) -> int | None:
        """Status code of the final answer to an OPTIONS (None: no answer within ``timeout``)."""
        branch = uuid.uuid4().hex
        target = f"{user}@" if user else ""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.settimeout(timeout)
            probe.bind((self.settings.address, 0))
            local = f"{self.settings.address}:{probe.getsockname()[1]}"
            request = (
                f"OPTIONS sip:{target}{self.domain} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP {local};branch=z9hG4bK{branch}\r\n"
                f"Max-Forwards: 70\r\nFrom: <sip:probe@{local}>;tag=probe\r\n"
                f"To: <sip:{target}{self.domain}>\r\nCall-ID: {branch}\r\nCSeq: 1 OPTIONS\r\n"
                "Content-Length: 0\r\n\r\n"
            )
            probe.sendto(request.encode(), (self.settings.address, self.port))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    answer = probe.recv(4096).decode(errors="replace")
                except OSError:
                    return None
                code = int(answer.split(" ", 2)[1])
                if code >= 200:
                    return code
            return None

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, size: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-size:] if self.log_path.exists() else ""
