"""Carte Vitale 1: recognised from its ATR (see ``atr.py``), never read.

[CARDPEEK] cardpeek reads only Vitale 2 cards; the Vitale 1 layout is not public
(shared/design/architecture.md « Card facts »). Decision: the card is answered with a clear
French message so that the user types the identity, instead of guessing at unknown bytes.
"""

from __future__ import annotations

from cardreader.errors import CardErrorCode, CardReadError


def refuse() -> CardReadError:
    return CardReadError(CardErrorCode.VITALE1, "Vitale 1 layout is not public")
