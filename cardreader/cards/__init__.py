"""Pure card-layout parsers: bytes in, frozen dataclasses out, no I/O.

One module per card type (``vitale2``, ``vitale1``, ``cps``); each layout fact cites its
public source next to it, so a correction from a real card is a one-file change.
"""
