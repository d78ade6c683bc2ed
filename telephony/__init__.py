"""The operator's softphone: typed events, a Protocol API, the pjsua2 adapter, screen pop, call log.

``telephony.api.Softphone`` is what the desktop uses; ``telephony.pjsua2_adapter.Pjsua2Softphone``
and ``telephony.fake.FakeSoftphone`` (a recorder for tests) implement it. Only
``telephony.pjsua2_adapter`` imports pjsua2; everything else here is plain Python.
"""
