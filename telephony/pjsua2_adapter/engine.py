"""The one pjsua2 Endpoint of the process, owned by one dedicated thread.

That thread creates the Endpoint, then loops: ``libHandleEvents(poll_ms)`` (blocking in the
ioqueue, so a SIP packet wakes it at once), queued commands, due timers, and finally drops the
pjsua2 objects released during the turn. Every pjsua2 call and every Python reference to a
pjsua2 object lives on that thread, so none needs ``libRegisterThread`` and nothing needs a lock.
"""

from __future__ import annotations

import functools
import gc
import heapq
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pjsua2 as pj

from telephony.config import PhoneConfig
from telephony.events import PhoneEvent

log = logging.getLogger(__name__)

PREFERRED_CODECS = ("PCMU/8000", "PCMA/8000", "G722/16000")  # speex first clips audio here
# pjsua2 allows one Endpoint per process at a time: a second one aborts the whole process. Held from
# ``start`` until the Endpoint is destroyed, so a second start is a clear error instead.
_ENDPOINT = threading.Lock()


class EndpointBusy(RuntimeError):
    """Another softphone of this process still has the Endpoint (French message)."""


def never_raises(callback: Callable[..., None]) -> Callable[..., None]:
    """For pjsua2 callbacks: an exception escaping to SWIG is printed with ``PyErr_Print``, which
    keeps its traceback (and the pjsua2 objects of its frames) alive past ``libDestroy``: abort."""

    @functools.wraps(callback)
    def guarded(*args: Any) -> None:
        try:
            callback(*args)
        except Exception:
            log.exception("pjsua2 callback %s failed", callback.__name__)

    return guarded


class Engine:
    def __init__(self, config: PhoneConfig, emit: Callable[[PhoneEvent], None]) -> None:
        self.config = config
        self.emit = emit
        self.ep: Any = None
        self.local_port = 0
        self._commands: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._timer_ids = itertools.count()
        self._cancelled: set[int] = set()
        self._released: list[Any] = []  # pjsua2 objects dropped after the current turn
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._on_tick: list[Callable[[], None]] = []
        self._on_shutdown: list[Callable[[], None]] = []

    # ---- any thread -------------------------------------------------------------------------
    def start(self, setup: Callable[[], None]) -> None:
        """Starts the thread, runs ``setup`` on it after the Endpoint started; raises its error."""
        if not _ENDPOINT.acquire(blocking=False):
            raise EndpointBusy("un autre téléphone SIP est déjà démarré dans ce programme")
        self._thread = threading.Thread(target=self._run, args=(setup,), name="pjsua2", daemon=True)
        try:
            self._thread.start()
        except BaseException:
            _ENDPOINT.release()
            raise
        self._ready.wait()
        if self._start_error is not None:
            self._thread.join()
            raise self._start_error

    def submit(self, command: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        if self._stopping.is_set() or self._thread is None or not self._thread.is_alive():
            future.set_exception(RuntimeError("le téléphone est arrêté"))
        else:
            self._commands.put((command, future))
        return future

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    # ---- pjsua2 thread ----------------------------------------------------------------------
    def schedule(self, delay: float, action: Callable[[], None]) -> int:
        timer_id = next(self._timer_ids)
        heapq.heappush(self._timers, (time.monotonic() + delay, timer_id, action))
        return timer_id

    def cancel(self, timer_id: int | None) -> None:
        if timer_id is not None:
            self._cancelled.add(timer_id)

    def release(self, obj: Any) -> None:
        """Keep ``obj`` alive until the current callback returned, then drop it."""
        self._released.append(obj)

    def on_tick(self, action: Callable[[], None]) -> None:
        self._on_tick.append(action)

    def on_shutdown(self, action: Callable[[], None]) -> None:
        self._on_shutdown.append(action)

    def _run(self, setup: Callable[[], None]) -> None:
        try:
            try:
                self._create()
                setup()
            except BaseException as exc:
                self._start_error = exc
                self._shutdown()  # what setup created must go before libDestroy
                self._ready.set()
                return
            self._ready.set()
            try:
                while not self._stopping.is_set():
                    self._turn()
            finally:
                self._shutdown()
        finally:
            _ENDPOINT.release()  # the Endpoint is destroyed: another one may start

    def _turn(self) -> None:
        self.ep.libHandleEvents(self.config.poll_ms)
        while True:
            try:
                command, future = self._commands.get_nowait()
            except queue.Empty:
                break
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(command())
                except BaseException as exc:
                    future.set_exception(exc)
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, timer_id, action = heapq.heappop(self._timers)
            if timer_id in self._cancelled:
                self._cancelled.discard(timer_id)
                continue
            self._guarded(action)
        for action in self._on_tick:
            self._guarded(action)
        self._released.clear()
        if self.config.idle_sleep_ms:
            time.sleep(self.config.idle_sleep_ms / 1000)

    @staticmethod
    def _guarded(action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:
            log.exception("pjsua2 timer failed")

    def _create(self) -> None:
        ep = pj.Endpoint()
        ep.libCreate()
        self.ep = ep
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = self.config.max_calls
        cfg.uaConfig.userAgent = self.config.user_agent
        cfg.logConfig.level = self.config.log_level
        cfg.logConfig.consoleLevel = self.config.log_level
        cfg.medConfig.noVad = True
        ep.libInit(cfg)
        transport = pj.TransportConfig()
        transport.port = self.config.port
        transport.boundAddress = self.config.bind_address
        if self.config.public_address:
            transport.publicAddress = self.config.public_address
        transport_id = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        self.local_port = int(ep.transportGetInfo(transport_id).localName.rsplit(":", 1)[1])
        ep.libStart()
        for codec in ep.codecEnum2():
            wanted = [i for i, name in enumerate(PREFERRED_CODECS) if codec.codecId.startswith(name)]
            ep.codecSetPriority(codec.codecId, 255 - wanted[0] if wanted else 0)

    def _shutdown(self) -> None:
        """Calls dropped, accounts shut down, every object released, then ``libDestroy``."""
        for action in reversed(self._on_shutdown):
            self._guarded(action)
        self._released.clear()
        while not self._commands.empty():
            _, future = self._commands.get_nowait()
            future.set_exception(RuntimeError("le téléphone est arrêté"))
        self._destroy()

    def _destroy(self) -> None:
        # collects the pjsua2 objects left in cycles (they must go before libDestroy); the desktop
        # collects on the GUI thread just before stopping the phone, so no Qt wrapper is left for
        # this collection to finalise here (desktop/ui/application.py, Controller.stop)
        gc.collect()
        if self.ep is not None:
            try:
                self.ep.libDestroy()
            except pj.Error:
                log.exception("libDestroy failed")
            self.ep = None

    def handle_events_for(self, seconds: float) -> None:
        """Lets pjsua2 work for a while from inside a command (shutdown only)."""
        if self.ep is None:
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.ep.libHandleEvents(10)
