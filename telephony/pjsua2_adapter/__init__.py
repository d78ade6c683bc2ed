"""The pjsua2 adapter: the only code that imports pjsua2 (see tests/unit/test_import_rules.py)."""

from telephony.pjsua2_adapter.softphone import Pjsua2Softphone

__all__ = ["Pjsua2Softphone"]
