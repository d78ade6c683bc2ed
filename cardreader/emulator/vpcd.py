"""The vpcd socket protocol, card side (vsmartcard ``vpcd``; shared/design/architecture.md).

The PC/SC driver ``libifdvpcd`` listens on TCP (35963 for slot 0, 35964 for slot 1 by default);
the virtual card connects to it — connecting is inserting the card, closing is pulling it out.
Every message is a 2-byte big-endian length then the payload. A 1-byte payload is a control
code (0 power off, 1 power on, 2 reset, 4 "send your ATR", answered with length + ATR); any
longer payload is a command APDU, answered with length + response APDU.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.faults import GARBAGE, Fault, FaultKind, answer_apdu, is_mute

# Fault, FaultKind and GARBAGE live in faults.py; still importable from here.
__all__ = ["DEFAULT_PORT", "GARBAGE", "Fault", "FaultKind", "VpcdCardSession"]

DEFAULT_PORT = 35963  # vsmartcard vpcd.h VPCDPORT; slot N listens on DEFAULT_PORT + N
CTRL_OFF = 0
CTRL_ON = 1
CTRL_RESET = 2
CTRL_ATR = 4
_LENGTH_BYTES = 2


# Longer than any ATR (ISO/IEC 7816-3 § 8.2.1: at most 33 bytes): the driver refuses it, so the
# power-up fails and pcscd reports the card as mute, as with a card inserted upside down.
_NO_VALID_ATR = bytes(40)


def _quick_ack(sock: socket.socket) -> None:
    """Acknowledge at once: vpcd sends the length and the payload in two writes with Nagle's
    algorithm on, so a delayed ACK here (40 ms on Linux) would stall every exchange. Linux
    clears TCP_QUICKACK after use, hence before every read."""
    quick_ack = getattr(socket, "TCP_QUICKACK", None)
    if quick_ack is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, quick_ack, 1)


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        _quick_ack(sock)
        try:
            chunk = sock.recv(size - len(chunks))
        except OSError:
            return None
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


class VpcdCardSession:
    """Inserts one virtual card into one vpcd slot until ``remove()``; runs on its own thread."""

    def __init__(
        self, card: VirtualCard, port: int = DEFAULT_PORT, host: str = "127.0.0.1", fault: Fault | None = None
    ) -> None:
        self.card = card
        self.port = port
        self.host = host
        self.fault = fault
        self.apdu_count = 0
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._just_powered = False

    # -- lifecycle --------------------------------------------------------------------------
    def insert(self, timeout: float = 10.0) -> None:
        """Connect to vpcd (retrying while the driver is not listening yet) and start serving."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._sock = sock
        self.connected.set()
        self._thread = threading.Thread(target=self._serve, name=f"vpcd-card-{self.port}", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        """Pull the card out (close the connection) and wait for the serving thread."""
        self._stop.set()
        self._close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def wait_removed(self, timeout: float | None = None) -> bool:
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _close(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.connected.clear()

    # -- protocol ---------------------------------------------------------------------------
    def _send(self, sock: socket.socket, payload: bytes) -> None:
        sock.sendall(len(payload).to_bytes(_LENGTH_BYTES, "big") + payload)

    def _serve(self) -> None:
        sock = self._sock
        try:
            while sock is not None and not self._stop.is_set():
                header = _recv_exact(sock, _LENGTH_BYTES)
                if header is None:
                    break
                payload = _recv_exact(sock, int.from_bytes(header, "big"))
                if payload is None:
                    break
                if len(payload) == 1:
                    self._control(sock, payload[0])
                    continue
                answer = self._apdu(payload)
                if answer is None:
                    break
                self._send(sock, answer)
        except OSError:
            pass
        finally:
            self._close()

    def _control(self, sock: socket.socket, code: int) -> None:
        if code in (CTRL_ON, CTRL_RESET):
            self.card.reset()
            self._just_powered = True
        elif code == CTRL_OFF:
            self._just_powered = False
        elif code == CTRL_ATR:
            mute = is_mute(self.fault)
            # A mute card is present (presence polls get an ATR) but gives none after power-up.
            self._send(sock, _NO_VALID_ATR if mute and self._just_powered else self.card.atr)
            self._just_powered = False

    def _apdu(self, apdu: bytes) -> bytes | None:
        answer = answer_apdu(self.card, self.fault, self.apdu_count, apdu)
        if answer is not None:
            self.apdu_count += 1
        return answer
