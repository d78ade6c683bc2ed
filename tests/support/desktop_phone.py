"""The softphone fake of the desktop's tests: ``telephony.fake.FakeSoftphone`` (it lives beside the
real adapter now; this name stays for the tests and scripts that import it from here)."""

from __future__ import annotations

from telephony.fake import FakeSoftphone

__all__ = ["FakeSoftphone"]
