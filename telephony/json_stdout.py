"""The entry of the SIP programs that speak JSON lines on stdout (``telephony.cli``, the queue
holder and its lines): pjsip writes its console log to file descriptor 1, so the program keeps a
private copy of stdout for its JSON and sends descriptor 1 to stderr before pjsip starts."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TextIO

from telephony.api import PhoneError

Serve = Callable[[TextIO], Coroutine[Any, Any, int]]


def run_with_json_stdout(serve: Serve, program: str) -> int:
    """Runs ``serve(out)`` on a new event loop, ``out`` being the JSON lines' stdout; a
    ``PhoneError`` is said in French on stderr (exit 2), Ctrl+C exits 130."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # pjsip's console log goes to stderr
    try:
        return asyncio.run(serve(out))
    except PhoneError as exc:
        print(f"{program} : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        out.flush()
