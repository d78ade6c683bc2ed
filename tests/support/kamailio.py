"""A throw-away Kamailio registrar/proxy on 127.0.0.1 for the telephony tests.

Digest authentication of REGISTER against a db_text ``subscriber`` table (plain passwords, HA1
computed by auth_db); locations in memory (usrloc db_mode 0), so a restart forgets them, exactly
like a PBX restart. INVITEs are not challenged: they stand for calls arriving from the PBX trunk.
Every request-URI on this proxy is looked up in the location table.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from shared.child_process import die_with_parent

# Debian installs the modules under the multiarch directory (x86_64-linux-gnu, aarch64-linux-gnu…).
MODULES_DIRS = [*sorted(glob.glob("/usr/lib/*/kamailio/modules/")), "/usr/lib/kamailio/modules/"]
MODULES = (
    "tm", "sl", "rr", "pv", "maxfwd", "usrloc", "registrar", "textops", "siputils", "xlog",
    "sanity", "db_text", "auth", "auth_db", "kex", "corex",
)  # fmt: skip


def binary(name: str) -> str | None:
    """Path of a Debian tool that may live in /usr/sbin, outside a normal user's PATH."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")


def require(name: str, package: str) -> str:
    """The tool's path; a missing tool fails the run under CI and skips the test otherwise."""
    found = binary(name)
    if found is None:
        reason = f"{name} introuvable (paquet Debian {package} ; lancez scripts/bootstrap.sh)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


SUBSCRIBER_COLUMNS = (
    "id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string) \n"
)


def modules_dir() -> str:
    return next((d for d in MODULES_DIRS if Path(d, "registrar.so").exists()), MODULES_DIRS[0])


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CONFIG = """#!KAMAILIO
debug=2
log_stderror=yes
fork=yes
children=2
disable_tcp=yes
auto_aliases=no
listen=udp:127.0.0.1:{port}
mpath="{modules_dir}"
{loads}
modparam("usrloc", "db_mode", 0)
modparam("registrar", "min_expires", 1)
modparam("registrar", "default_expires", 60)
modparam("auth_db", "db_url", "text://{db}")
modparam("auth_db", "calculate_ha1", yes)
modparam("auth_db", "password_column", "password")
modparam("auth_db", "load_credentials", "")

request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (has_totag()) {{
        if (loose_route()) {{ route(RELAY); exit; }}
        if (is_method("ACK")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
        sl_send_reply("404", "Not here");
        exit;
    }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) {{ route(RELAY); }} exit; }}
    t_check_trans();
    if (is_method("REGISTER")) {{
        if (!auth_check("$fd", "subscriber", "1")) {{ auth_challenge("$fd", "0"); exit; }}
        consume_credentials();
        if (!save("location")) {{ sl_reply_error(); }}
        exit;
    }}
    if (is_method("OPTIONS") && $rU == $null) {{ sl_send_reply("200", "OK"); exit; }}
    if (is_method("INVITE|REFER")) {{ record_route(); }}
    if ($rd == "127.0.0.1" && $rp == {port}) {{
        if (!lookup("location")) {{ sl_send_reply("404", "Not Found"); exit; }}
    }}
    route(RELAY);
}}

route[RELAY] {{
    if (!t_relay()) {{ sl_reply_error(); }}
    exit;
}}
"""


class Kamailio:
    def __init__(self, directory: Path, subscribers: dict[str, str], port: int | None = None) -> None:
        self.directory = directory
        self.subscribers = subscribers
        self.port = port or free_udp_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._binary = require("kamailio", "kamailio")

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    def uri(self, user: str) -> str:
        return f"sip:{user}@127.0.0.1:{self.port}"

    def _write_config(self) -> Path:
        db = self.directory / "db"
        db.mkdir(parents=True, exist_ok=True)
        (db / "version").write_text(
            "id(int,auto) table_name(string) table_version(int) \n0:subscriber:7\n", encoding="utf-8"
        )
        # db_text refuses empty (null) ha1 columns: fill them, though auth_db hashes the password.
        rows = "".join(
            f"{i}:{user}:127.0.0.1:{password}:{_md5(f'{user}:127.0.0.1:{password}')}:"
            f"{_md5(f'{user}@127.0.0.1:127.0.0.1:{password}')}\n"
            for i, (user, password) in enumerate(self.subscribers.items(), 1)
        )
        (db / "subscriber").write_text(
            "id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string) \n"
            + rows,
            encoding="utf-8",
        )
        loads = "\n".join(f'loadmodule "{m}.so"' for m in MODULES)
        config = self.directory / "kamailio.cfg"
        config.write_text(
            CONFIG.format(port=self.port, modules_dir=modules_dir(), loads=loads, db=db), encoding="utf-8"
        )
        return config

    def start(self, timeout: float = 10.0) -> None:
        config = self._write_config()
        log = (self.directory / "kamailio.log").open("ab")
        self.process = subprocess.Popen(
            [self._binary, "-f", str(config), "-DD", "-E", "-Y", str(self.directory), "-m", "32", "-M", "4"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,  # a killed test run takes its registrar along (it stops its workers)
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kamailio exited: {self.log_tail()}")
            if self.answers_options():
                return
        self.stop()
        raise RuntimeError(f"kamailio did not answer within {timeout} s: {self.log_tail()}")

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
            probe.bind(("127.0.0.1", 0))
            local = f"127.0.0.1:{probe.getsockname()[1]}"
            request = (
                f"OPTIONS sip:{target}127.0.0.1:{self.port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP {local};branch=z9hG4bK{branch}\r\n"
                f"Max-Forwards: 70\r\nFrom: <sip:probe@{local}>;tag=probe\r\n"
                f"To: <sip:{target}127.0.0.1:{self.port}>\r\nCall-ID: {branch}\r\nCSeq: 1 OPTIONS\r\n"
                "Content-Length: 0\r\n\r\n"
            )
            probe.sendto(request.encode(), ("127.0.0.1", self.port))
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

    def log_tail(self) -> str:
        path = self.directory / "kamailio.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""
