"""Children a process starts (the desktop's demo server, pcscd and SIP callers; the tests' servers
and daemons) must not outlive it, even when it dies without running its clean-up (a crash, the X
server gone). Here, not in desktop/, because the card reader's private pcscd uses it too."""

from __future__ import annotations

import ctypes
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """``preexec_fn`` of a child: SIGTERM when the process that started it ends (Linux). SIGTERM is
    also unblocked and given its default action first: a signal mask or an ignored disposition is
    inherited across exec, and would keep the child alive. Elsewhere nothing: the parent's own
    clean-up stops them."""
    if sys.platform.startswith("linux"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
