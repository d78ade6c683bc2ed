"""The operator's softphone: typed events, a Protocol API, the pjsua2 adapter, screen pop, call log.

Only ``telephony.pjsua2_adapter`` imports pjsua2; everything else here is plain Python so that the
desktop (and its tests) can use a fake softphone.
"""
