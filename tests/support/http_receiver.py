"""A tiny HTTP(S) server on loopback that records what it receives (for webhook tests)."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.tls_certificates import TlsFiles


@dataclass(frozen=True)
class Request:
    """One POST as it arrived: its headers (names lower-cased) and its exact body."""

    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.requests: list[Request] = []
        self.failures_left = 0
        self.lock = threading.Lock()
        self.url = ""


@contextmanager
def receiving(tls: TlsFiles | None = None, host_name: str = "127.0.0.1") -> Iterator[Receiver]:
    """With `tls`, HTTPS with its certificate (valid for `localhost` and 127.0.0.1); `host_name`
    is the name the URL uses."""
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with receiver.lock:
                failing = receiver.failures_left > 0
                if failing:
                    receiver.failures_left -= 1
                else:
                    receiver.received.append(json.loads(body))
                    headers = {name.lower(): value for name, value in self.headers.items()}
                    receiver.requests.append(Request(headers, body))
            self.send_response(500 if failing else 204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls.cert_file, tls.key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    receiver.url = f"{scheme}://{host_name}:{server.server_address[1]}/offers"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
