"""Keep-alive HTTP connections, a small pool per origin, for the push services and the SMS API.

One pool of `http.client` connections per origin (scheme, host, port), kept alive between
messages: an offer to 100 browsers of one vendor reuses a few warm connections instead of opening
100, and no lock is held by all the sending threads at once (each takes a connection of its own;
a shared httpx client serialised them on its pool's lock, the profile's first cost). A connection
idle longer than `IDLE_SECONDS` is closed rather than reused (the far end may have dropped it); a
reused one that fails before any answer is retried once on a fresh connection, as browsers and
urllib3 do. A failure after the request was written may still have been received: see
server/notify/deliveries.py on « at least once ».
"""

from __future__ import annotations

import http.client
import queue
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

IDLE_SECONDS = 30.0


@dataclass(frozen=True)
class Answer:
    status: int
    location: str | None
    body: bytes = b""


class _Origin:
    """The idle connections to one origin: how many are kept idle is bounded here, how many are
    open at once by the sending threads."""

    def __init__(self, scheme: str, host: str, port: int | None, size: int, timeout: float) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        self.timeout = timeout
        self.idle: queue.LifoQueue[tuple[float, http.client.HTTPConnection]] = queue.LifoQueue(size)
        self.context = ssl.create_default_context() if scheme == "https" else None

    def connect(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout, context=self.context
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def take(self) -> tuple[http.client.HTTPConnection, bool]:
        """A warm connection if one is fresh enough (reused=True), else a new one."""
        while True:
            try:
                since, connection = self.idle.get_nowait()
            except queue.Empty:
                return self.connect(), False
            if time.monotonic() - since < IDLE_SECONDS:
                return connection, True
            connection.close()

    def give_back(self, connection: http.client.HTTPConnection) -> None:
        try:
            self.idle.put_nowait((time.monotonic(), connection))
        except queue.Full:
            connection.close()


class KeepAliveConnections:
    """Keep-alive connections per origin; safe from many threads."""

    def __init__(self, *, per_origin: int = 16, timeout: float = 10.0) -> None:
        self._per_origin = per_origin
        self._timeout = timeout
        self._origins: dict[tuple[str, str, int | None], _Origin] = {}
        self._lock = threading.Lock()

    def _origin(self, endpoint: str) -> tuple[_Origin, str]:
        parts = urlsplit(endpoint)
        key = (parts.scheme, parts.hostname or "", parts.port)
        with self._lock:
            origin = self._origins.get(key)
            if origin is None:
                origin = _Origin(*key, self._per_origin, self._timeout)
                self._origins[key] = origin
        return origin, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def post(self, endpoint: str, body: bytes, headers: dict[str, str]) -> Answer:
        """POST and read the answer; raises OSError or http.client.HTTPException on failure."""
        origin, path = self._origin(endpoint)
        connection, reused = origin.take()
        try:
            answer = self._exchange(connection, path, body, headers)
        except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
            connection.close()
            if not reused:
                raise
            # A kept-alive connection the push service had closed: no answer came, try a new one.
            connection = origin.connect()
            try:
                answer = self._exchange(connection, path, body, headers)
            except BaseException:
                connection.close()
                raise
        except BaseException:
            connection.close()
            raise
        origin.give_back(connection)
        return answer

    @staticmethod
    def _exchange(
        connection: http.client.HTTPConnection, path: str, body: bytes, headers: dict[str, str]
    ) -> Answer:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        body = response.read()  # consumed before the connection is reused
        return Answer(response.status, response.getheader("location"), body)

    def close(self) -> None:
        with self._lock:
            origins, self._origins = list(self._origins.values()), {}
        for origin in origins:
            while True:
                try:
                    origin.idle.get_nowait()[1].close()
                except queue.Empty:
                    break
