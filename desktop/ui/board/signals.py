"""`emit(signal, *args)`: a signal emitted from Python without losing a reference to `True`.

PySide 6.12.0's `SignalInstance.emit` returns `True` without a reference of its own, so each
emission whose result is dropped takes one reference away from `True`; on Python 3.11 (where
`True` is not immortal) the interpreter aborts after a few thousand emissions (« Fatal Python
error: bool_dealloc »). The board emits one `dataChanged` per change-feed event, so it gives the
reference back when the running PySide drops it (checked once, on first use).
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

_drops: bool | None = None


class _Probe(QObject):
    fired = Signal()


def emit_drops_a_reference() -> bool:
    global _drops
    if _drops is None:
        probe = _Probe()
        before = sys.getrefcount(True)
        for _ in range(10):
            probe.fired.emit()
        _drops = sys.getrefcount(True) < before
        if _drops:
            ctypes.pythonapi.Py_IncRef.argtypes = [ctypes.py_object]
            for _ in range(10):
                ctypes.pythonapi.Py_IncRef(True)  # the probe's own losses
    return _drops


def emit(signal: Any, *args: Any) -> None:
    result = signal.emit(*args)
    if (result is True or result is False) and emit_drops_a_reference():
        ctypes.pythonapi.Py_IncRef(result)
