"""The faults an emulated card can be given (profiles' ``"fault"``), and how a faulty card answers.

Shared by the vpcd session (the card behind a real pcscd) and ``cardreader.fake`` (the card read
in-process), so that both fail the same way after the same number of APDUs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cardreader.emulator.card import VirtualCard


class FaultKind(StrEnum):
    PULL = "pull"  # the card is pulled out after N answered APDUs
    MUTE = "mute"  # no answer to reset: what a card inserted upside down does
    GARBAGE = "garbage"  # after N APDUs, answers bytes that mean nothing
    SW_6F00 = "sw6f00"  # after N APDUs, answers 6F00 "no precise diagnosis"


GARBAGE = bytes.fromhex("DE AD BE EF 13 37")
SW_6F00 = b"\x6f\x00"


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    after: int = 0  # APDUs answered normally before the fault


def is_mute(fault: Fault | None) -> bool:
    return fault is not None and fault.kind is FaultKind.MUTE


def answer_apdu(card: VirtualCard, fault: Fault | None, answered: int, apdu: bytes) -> bytes | None:
    """The answer of ``card`` to ``apdu`` when ``answered`` APDUs were answered before it (across
    every read since the card was inserted); None when the fault pulls the card out instead."""
    if fault is not None and answered >= fault.after:
        if fault.kind is FaultKind.PULL:
            return None
        if fault.kind is FaultKind.GARBAGE:
            return GARBAGE
        if fault.kind is FaultKind.SW_6F00:
            return SW_6F00
    return card.process(apdu)
