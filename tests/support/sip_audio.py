"""Reading the WAV files the softphones record: loudness and pitch, window by window."""

from __future__ import annotations

import array
import itertools
import math
import wave
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Window:
    start: float  # seconds from the start of the recording
    rms: float
    frequency: float  # from zero crossings: enough to tell a 440 Hz tone from a 660 Hz one


def windows(path: Path, seconds: float = 0.25) -> list[Window]:
    with wave.open(str(path)) as recording:
        rate = recording.getframerate()
        samples = array.array("h", recording.readframes(recording.getnframes()))
    size = max(1, int(rate * seconds))
    found = []
    for start in range(0, len(samples) - size + 1, size):
        chunk = samples[start : start + size]
        rms = math.sqrt(sum(s * s for s in chunk) / size)
        crossings = sum(1 for a, b in itertools.pairwise(chunk) if (a < 0) != (b < 0))
        found.append(Window(start / rate, rms, crossings / 2 / seconds))
    return found


def is_tone(window: Window, frequency: float, tolerance: float = 0.1) -> bool:
    return window.rms > 1000 and abs(window.frequency - frequency) <= frequency * tolerance


def is_silence(window: Window) -> bool:
    return window.rms < 100
