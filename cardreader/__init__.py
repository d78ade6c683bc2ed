"""PC/SC card reading: Carte Vitale 2 beneficiaries and the CPS holder, plus a vpcd card emulator.

``cardreader.api.CardReader`` is what the desktop uses; ``cardreader.pcsc.PcscCardReader`` (pcscd)
and ``cardreader.fake.FakeCardReader`` (scripted) implement it. Only :mod:`cardreader.pcsc`
imports pyscard; everything else is plain Python (parsers, events, the emulator, the fake) so it
can be tested without a reader.
"""
