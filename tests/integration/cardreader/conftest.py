"""A real pcscd with the vpcd driver for each card test module, and emulated cards."""

from __future__ import annotations

from tests.support.pcsc_fixtures import pcscd, slots

__all__ = ["pcscd", "slots"]
