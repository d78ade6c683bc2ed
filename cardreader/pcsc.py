"""The PC/SC adapter: the only module that imports pyscard (``smartcard``).

Nothing from pyscard leaves this module: readers are names, ATRs are ``bytes``, results are the
dataclasses of ``cardreader.cards`` and the events of ``cardreader.events``. All card I/O of a
:class:`CardWatcher` happens on its one worker thread; the events go to a sink callable.
:class:`PcscCardReader` is the adapter of ``cardreader.api.CardReader``: that watcher behind the
asyncio bridge of ``cardreader.service``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from smartcard import scard  # type: ignore[import-untyped]

from cardreader.apdu import Exchange
from cardreader.api import EventSink
from cardreader.cards.atr import classify_atr
from cardreader.errors import CardErrorCode, CardReadError
from cardreader.events import (
    CardError,
    CardEvent,
    CardInserted,
    CardRead,
    CardRemoved,
    ReaderAdded,
    ReaderRemoved,
    card_error,
)
from cardreader.reading import CardContent, read_card
from cardreader.service import CardService

_log = logging.getLogger(__name__)

# pcsc-lite: this pseudo reader changes state when a reader is plugged or unplugged.
PNP_NOTIFICATION = "\\\\?PnP?\\Notification"


def _code(value: int) -> int:
    return value & 0xFFFFFFFF


# F_COMM_ERROR ("RPC transport error"): the daemon went away under an established context.
_NO_SERVICE = {
    _code(scard.SCARD_E_NO_SERVICE),
    _code(scard.SCARD_E_SERVICE_STOPPED),
    _code(scard.SCARD_F_COMM_ERROR),
}
_NO_READERS = _code(scard.SCARD_E_NO_READERS_AVAILABLE)
_UNKNOWN_READER = {_code(scard.SCARD_E_UNKNOWN_READER), _code(scard.SCARD_E_READER_UNAVAILABLE)}
_NO_CARD = {_code(scard.SCARD_E_NO_SMARTCARD), _code(scard.SCARD_W_REMOVED_CARD)}
_MUTE = {_code(scard.SCARD_W_UNRESPONSIVE_CARD), _code(scard.SCARD_W_UNPOWERED_CARD)}
_TIMEOUT = _code(scard.SCARD_E_TIMEOUT)
_CANCELLED = _code(scard.SCARD_E_CANCELLED)
_REMOVAL_GRACE_MS = 900  # pcscd polls readers like vpcd every 400 ms: two polls to see "EMPTY"


def _failure(hresult: int, step: str, not_service: CardErrorCode = CardErrorCode.UNREADABLE) -> CardReadError:
    code = _code(hresult)
    detail = f"{step}: {scard.SCardGetErrorMessage(hresult)} ({code:08X})"
    if code in _NO_SERVICE:
        return CardReadError(CardErrorCode.NO_SERVICE, detail)
    if code == _NO_READERS:
        return CardReadError(CardErrorCode.NO_READER, detail)
    if code in _UNKNOWN_READER:
        return CardReadError(CardErrorCode.READER_NOT_FOUND, detail)
    if code in _NO_CARD:
        return CardReadError(CardErrorCode.NO_CARD, detail)
    if code in _MUTE:
        return CardReadError(CardErrorCode.MUTE_CARD, detail)
    return CardReadError(not_service, detail)


@dataclass(frozen=True, slots=True)
class ReaderState:
    reader: str
    state: int  # SCARD_STATE_* flags, event counter in the upper 16 bits
    atr: bytes

    @property
    def present(self) -> bool:
        return bool(self.state & scard.SCARD_STATE_PRESENT)

    @property
    def mute(self) -> bool:
        return bool(self.state & scard.SCARD_STATE_MUTE)

    @property
    def counter(self) -> int:
        return self.state >> 16


class PcscContext:
    """One PC/SC context (SCardEstablishContext) and the synchronous operations on it."""

    def __init__(self) -> None:
        hresult, handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise _failure(hresult, "SCardEstablishContext", CardErrorCode.NO_SERVICE)
        self._handle = handle

    def close(self) -> None:
        scard.SCardReleaseContext(self._handle)

    def __enter__(self) -> PcscContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cancel(self) -> None:
        """Wake a ``wait`` blocked on another thread (SCardCancel is thread-safe)."""
        scard.SCardCancel(self._handle)

    def readers(self) -> list[str]:
        hresult, names = scard.SCardListReaders(self._handle, [])
        if _code(hresult) == _NO_READERS:
            return []
        if hresult != scard.SCARD_S_SUCCESS:
            raise _failure(hresult, "SCardListReaders")
        return [str(name) for name in names]

    def wait(self, current: dict[str, int], timeout_ms: int) -> list[ReaderState] | None:
        """States that changed from ``current`` within the timeout (None: timeout or cancelled)."""
        request = [(reader, state) for reader, state in current.items()]
        hresult, states = scard.SCardGetStatusChange(self._handle, timeout_ms, request)
        code = _code(hresult)
        if code in (_TIMEOUT, _CANCELLED) or code in _UNKNOWN_READER:
            return None
        if hresult != scard.SCARD_S_SUCCESS:
            raise _failure(hresult, "SCardGetStatusChange")
        return [ReaderState(str(reader), int(state), bytes(atr)) for reader, state, atr in states]

    def state_of(self, reader: str) -> ReaderState:
        states = self.wait({reader: scard.SCARD_STATE_UNAWARE}, 0)
        if not states:
            raise CardReadError(CardErrorCode.READER_NOT_FOUND, reader)
        return states[0]

    def _card_left(self, reader: str) -> bool:
        """After a failed exchange: did the card leave the reader (within pcscd's poll delay)?"""
        state = self.state_of(reader)
        deadline = time.monotonic() + _REMOVAL_GRACE_MS / 1000
        while state.present and time.monotonic() < deadline:
            changed = self.wait({reader: state.state & ~scard.SCARD_STATE_CHANGED}, _REMOVAL_GRACE_MS)
            if changed:
                state = changed[0]
        return not state.present

    def read(self, reader: str) -> tuple[CardContent, int]:
        """Connect, read the card's identity, disconnect; returns it with the number of APDUs."""
        hresult, card, protocol = scard.SCardConnect(
            self._handle, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        if hresult != scard.SCARD_S_SUCCESS:
            raise _failure(hresult, "SCardConnect")
        try:
            hresult, _name, _state, _protocol, atr = scard.SCardStatus(card)
            if hresult != scard.SCARD_S_SUCCESS:
                raise _failure(hresult, "SCardStatus")

            def transmit(apdu: bytes) -> bytes:
                result, response = scard.SCardTransmit(card, protocol, list(apdu))
                if result != scard.SCARD_S_SUCCESS:
                    raise _failure(result, "SCardTransmit")
                return bytes(response)

            exchange = Exchange(transmit)
            try:
                content = read_card(bytes(atr), exchange)
            except CardReadError as error:
                if error.code in (CardErrorCode.UNREADABLE, CardErrorCode.NO_CARD) and self._card_left(
                    reader
                ):
                    raise CardReadError(CardErrorCode.CARD_REMOVED, error.detail) from None
                raise
            return content, exchange.count
        finally:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)


def list_readers() -> list[str]:
    with PcscContext() as context:
        return context.readers()


def read_once(reader: str | None = None) -> tuple[str, CardContent, int]:
    """Read the card of ``reader`` (default: the first reader holding a card)."""
    with PcscContext() as context:
        readers = context.readers()
        if not readers:
            raise CardReadError(CardErrorCode.NO_READER)
        if reader is not None and reader not in readers:
            raise CardReadError(CardErrorCode.READER_NOT_FOUND, reader)
        candidates = [reader] if reader is not None else readers
        states = [context.state_of(name) for name in candidates]
        holding = [state for state in states if state.present]
        if not holding:
            raise CardReadError(CardErrorCode.NO_CARD)
        chosen = holding[0]
        if chosen.mute:
            raise CardReadError(CardErrorCode.MUTE_CARD, chosen.reader)
        content, count = context.read(chosen.reader)
        return chosen.reader, content, count


@dataclass
class _Known:
    state: int = scard.SCARD_STATE_UNAWARE
    card: bool = False
    counter: int = -1


class CardWatcher:
    """Watches readers and cards on one worker thread, reads every inserted card, emits events."""

    def __init__(self, sink: Callable[[CardEvent], None], poll_ms: int = 500, retry_s: float = 0.5) -> None:
        self._sink = sink
        self._poll_ms = poll_ms
        self._retry_s = retry_s
        self._stop = threading.Event()
        self._reads: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._context: PcscContext | None = None
        self._known: dict[str, _Known] = {}
        self._pnp_state = scard.SCARD_STATE_UNAWARE
        self._service_error_sent = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="card-reader", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        context = self._context
        if context is not None:
            context.cancel()
        if self._thread is not None:
            self._thread.join(timeout)

    def request_read(self, reader: str) -> None:
        """Read the card in ``reader`` again (e.g. a « Relire la carte » button)."""
        self._reads.put(reader)
        context = self._context
        if context is not None:
            context.cancel()

    # -- worker thread ----------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    if self._context is None:
                        self._context = PcscContext()
                        self._service_error_sent = False
                    self._cycle(self._context)
                except CardReadError as error:
                    if error.code is CardErrorCode.NO_SERVICE:
                        self._service_lost()
                    else:  # an unexpected PC/SC failure: start again from a fresh context
                        _log.warning("PC/SC: %s", error.detail)
                        self._drop_context()
                    self._stop.wait(self._retry_s)
                except Exception:  # a 24/7 desk must keep reading cards: log the bug, go on
                    _log.exception("card watcher cycle failed")
                    self._drop_context()
                    self._stop.wait(self._retry_s)
        finally:
            self._drop_context()

    def _service_lost(self) -> None:
        for reader in list(self._known):
            self._forget(reader)
        self._drop_context()
        if not self._service_error_sent:
            self._service_error_sent = True
            self._sink(card_error(None, CardErrorCode.NO_SERVICE))

    def _drop_context(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            context.close()

    def _forget(self, reader: str) -> None:
        known = self._known.pop(reader)
        if known.card:
            self._sink(CardRemoved(reader))
        self._sink(ReaderRemoved(reader))

    def _cycle(self, context: PcscContext) -> None:
        readers = context.readers()
        for gone in [reader for reader in self._known if reader not in readers]:
            self._forget(gone)
        for reader in readers:
            if reader not in self._known:
                self._known[reader] = _Known()
                self._sink(ReaderAdded(reader))
        while not self._reads.empty():
            reader = self._reads.get()
            if reader in self._known and self._known[reader].card:
                self._read(context, reader)
        current = {reader: known.state for reader, known in self._known.items()}
        current[PNP_NOTIFICATION] = self._pnp_state
        changes = context.wait(current, self._poll_ms)
        for change in changes or ():
            if change.reader == PNP_NOTIFICATION:
                self._pnp_state = change.state & ~scard.SCARD_STATE_CHANGED
            elif change.reader in self._known:
                self._on_state(context, change)

    def _on_state(self, context: PcscContext, change: ReaderState) -> None:
        known = self._known[change.reader]
        known.state = change.state & ~scard.SCARD_STATE_CHANGED
        if known.card and (not change.present or change.counter != known.counter):
            known.card = False
            self._sink(CardRemoved(change.reader))
        if change.present and not known.card:
            known.card = True
            known.counter = change.counter
            if change.mute:
                self._sink(card_error(change.reader, CardErrorCode.MUTE_CARD))
                return
            self._sink(CardInserted(change.reader, change.atr, classify_atr(change.atr)))
            self._read(context, change.reader)

    def _read(self, context: PcscContext, reader: str) -> None:
        try:
            content, count = context.read(reader)
        except CardReadError as error:
            if error.code is CardErrorCode.NO_SERVICE:
                raise
            self._sink(CardError(reader, error.code, error.message))
            return
        self._sink(CardRead(reader, content, count))


class PcscCardReader(CardService):
    """``cardreader.api.CardReader`` through pcscd: a :class:`CardWatcher` on its own thread
    (``poll_ms``: longest block in SCardGetStatusChange; ``retry_s``: pause before reconnecting
    to a pcscd that went away), its events on the loop that called ``start``."""

    def __init__(self, poll_ms: int = 500, retry_s: float = 0.5) -> None:
        super().__init__(poll_ms)
        self._retry_s = retry_s

    def _new_watcher(self, sink: EventSink) -> CardWatcher:
        return CardWatcher(sink, poll_ms=self._poll_ms, retry_s=self._retry_s)

    def list_readers(self) -> list[str]:
        return list_readers()
