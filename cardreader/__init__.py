"""PC/SC card reading: Carte Vitale 2 beneficiaries and the CPS holder, plus a vpcd card emulator.

Only :mod:`cardreader.pcsc` imports pyscard; everything else is plain Python (parsers, events,
the emulator) so it can be tested without a reader.
"""
