"""Regenerates the default announcement (``sounds/annonce.wav``) with Debian's espeak-ng.

``python -m telephony.hotline_queue.make_announcement [--text …] [--out FILE]``. The file is
shipped in the repository (80 kB) so that neither the tests nor a deployment need espeak-ng; a
deployment records its own message and passes it with ``--announcement``. 8 kHz, 16-bit mono: what
a telephone call carries (PCMU/PCMA), so nothing is lost and the file stays small.
"""

from __future__ import annotations

import argparse
import array
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

DEFAULT_TEXT = "Centrale de coordination. Tous nos opérateurs sont en ligne, merci de patienter."
DEFAULT_OUT = Path(__file__).with_name("sounds") / "annonce.wav"
RATE = 8000


def _low_pass_and_resample(samples: array.array[int], rate: int) -> array.array[int]:
    """Averages over the source samples of each output sample (a box filter), then decimates."""
    out = array.array("h")
    step = rate / RATE
    position = 0.0
    while position + step <= len(samples):
        start, end = int(position), max(int(position + step), int(position) + 1)
        window = samples[start:end]
        out.append(int(sum(window) / len(window)))
        position += step
    return out


def make(text: str, out: Path) -> Path:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SystemExit("espeak-ng introuvable (paquet Debian espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run([espeak, "-v", "fr-fr", "-s", "150", "-w", str(raw), text], check=True)  # noqa: S603 - espeak-ng
        with wave.open(str(raw)) as source:
            rate = source.getframerate()
            samples = array.array("h", source.readframes(source.getnframes()))
    resampled = _low_pass_and_resample(samples, rate)
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(2)
        target.setframerate(RATE)
        target.writeframes(resampled.tobytes())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Génère l'annonce de la file d'attente")
    parser.add_argument("--text", default=DEFAULT_TEXT)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    print(make(args.text, args.out))


if __name__ == "__main__":
    main()
