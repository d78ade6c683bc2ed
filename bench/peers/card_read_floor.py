"""The floor of bench/peers/card_read.py: the same APDUs sent with plain pyscard, nothing else.

What a practitioner writes in a few lines: block in ``SCardGetStatusChange`` until the reader
holds a card, then ``createConnection`` / ``connect`` / ``transmit`` each APDU / ``disconnect``
(pyscard's high-level API). No parsing, no events, no threads: the cost of PC/SC itself.
"""

from __future__ import annotations

from smartcard import scard  # type: ignore[import-untyped]
from smartcard.System import readers  # type: ignore[import-untyped]


class PlainPyscard:
    """One PC/SC context watching ``reader``, and the replay of a list of APDUs on its card."""

    def __init__(self, reader: str) -> None:
        hresult, self.context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise RuntimeError(scard.SCardGetErrorMessage(hresult))
        self.reader = reader
        self.state = scard.SCARD_STATE_UNAWARE
        self._device = next(r for r in readers() if str(r) == reader)  # looked up once, as a script does

    def close(self) -> None:
        scard.SCardReleaseContext(self.context)

    def wait(self, present: bool, timeout_ms: int = 10_000) -> None:
        """Until pcscd reports the card in (``present``) or out of the reader."""
        while (
            bool(self.state & scard.SCARD_STATE_PRESENT) != present or self.state == scard.SCARD_STATE_UNAWARE
        ):
            hresult, states = scard.SCardGetStatusChange(
                self.context, timeout_ms, [(self.reader, self.state)]
            )
            if hresult != scard.SCARD_S_SUCCESS:
                raise RuntimeError(f"SCardGetStatusChange: {scard.SCardGetErrorMessage(hresult)}")
            self.state = states[0][1] & ~scard.SCARD_STATE_CHANGED

    def replay(self, apdus: list[bytes]) -> list[bytes]:
        """Connect, send each APDU, disconnect; the responses (data + SW1 SW2)."""
        connection = self._device.createConnection()
        connection.connect()
        try:
            responses = []
            for apdu in apdus:
                data, sw1, sw2 = connection.transmit(list(apdu))
                responses.append(bytes([*data, sw1, sw2]))
            return responses
        finally:
            connection.disconnect()
