"""A local stand-in for Brevo's transactional SMS API (an edge-of-the-world fake): it checks the
`api-key` header and the body's shape, records each SMS with its arrival time, answers 201 with
a `messageId`, and can fail the next N requests (503) on demand."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any

API_KEY = "cle-brevo-de-test"


@dataclass
class SmsProvider:
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    failures_left: int = 0
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, number: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= number:
                    return list(self.received)
            time.sleep(0.02)
        with self.lock:
            return list(self.received)

    def to(self, recipient: str) -> list[dict[str, Any]]:
        with self.lock:
            return [sms for sms in self.received if sms["recipient"] == recipient.lstrip("+")]


@contextmanager
def sms_provider() -> Iterator[SmsProvider]:
    provider = SmsProvider()
    ids = count(1_511_882_900_000_000)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            arrived = time.time()
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))) or b"{}")
            if self.headers.get("api-key") != API_KEY:
                self._answer(401, {"code": "unauthorized", "message": "Key not found"})
                return
            if not {"sender", "recipient", "content"} <= set(body) or body["recipient"].startswith("+"):
                self._answer(400, {"code": "invalid_parameter", "message": "bad body"})
                return
            with provider.lock:
                failing = provider.failures_left > 0
                if failing:
                    provider.failures_left -= 1
                    provider.failed += 1
                else:
                    provider.received.append(body)
                    provider.arrivals.append(arrived)
            if failing:
                self._answer(503, {"code": "unavailable", "message": "try later"})
            else:
                self._answer(201, {"reference": "ab1cde2fgh3i4jklmno", "messageId": next(ids), "smsCount": 1})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/v3/transactionalSMS/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
