"""Entry point of the frozen desktop (PyInstaller): ``centrale`` runs ``desktop.app:main``.

Two hidden forms cover what a frozen bundle cannot do otherwise:

- ``centrale -m server.cli ARGS…`` and ``centrale -m telephony.cli ARGS…`` run those CLIs.
  ``desktop/app.py`` starts the demo server as ``[sys.executable, "-m", "server.cli", "demo", …]``
  and the demo's « Simuler un appel entrant » a caller as ``[sys.executable, "-m",
  "telephony.cli", "call", …]``; in a bundle ``sys.executable`` is this program, not a Python
  interpreter, so the same command lines have to mean the same thing here. Only these modules are
  accepted: the bundle is not a Python interpreter.
- ``centrale --smoke …`` is the bundle's self-test (``desktop/self_test.py``, its Qt part
  ``desktop/ui/self_test.py``): log in, open the main window offscreen, register a SIP account,
  and say so on stdout.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

MODULES = ("server.cli", "telephony.cli")  # what the desktop starts as `sys.executable -m …`


def run_module(name: str, argv: list[str]) -> int:
    if name == "server.cli":
        from server.cli import main as server_main

        return server_main(argv)
    from telephony.cli import main as phone_main

    return phone_main(argv)


def dispatch(argv: Sequence[str]) -> int:
    args = list(argv)
    if args[:1] == ["-m"]:
        if len(args) < 2 or args[1] not in MODULES:
            allowed = " et ".join(f"« -m {name} »" for name in MODULES)
            print(f"Erreur : seuls {allowed} sont disponibles dans l'application installée", file=sys.stderr)
            return 2
        return run_module(args[1], args[2:])
    if args[:1] == ["--smoke"]:
        from desktop.self_test import main as smoke_main

        return smoke_main(args[1:])
    from desktop.app import main as desktop_main

    return desktop_main(args)


def attach_streams() -> None:
    """A GUI program (Windows, macOS app) has no stdout/stderr: Python leaves them None, and
    anything that writes or asks ``isatty()`` there (uvicorn's log formatter does) would fail.
    They go to ``centrale.log`` in the user's log directory instead (support reads it)."""
    if sys.stdout is not None and sys.stderr is not None:
        return
    stream: TextIO
    try:
        import platformdirs

        folder = platformdirs.user_log_path("centrale", appauthor=False)
        folder.mkdir(parents=True, exist_ok=True)
        stream = (folder / "centrale.log").open("a", encoding="utf-8", buffering=1)
    except OSError:
        import os

        stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process's lifetime
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


def main() -> int:
    attach_streams()
    return dispatch(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
