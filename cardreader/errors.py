"""The documented card errors: a stable English code and the French sentence shown to the user."""

from __future__ import annotations

from enum import StrEnum


class CardErrorCode(StrEnum):
    NO_SERVICE = "pcscd_not_running"
    NO_READER = "no_reader"
    READER_NOT_FOUND = "reader_not_found"
    NO_CARD = "no_card"
    MUTE_CARD = "card_mute"
    CARD_REMOVED = "card_removed"
    UNKNOWN_CARD = "unknown_card"
    VITALE1 = "vitale1_unsupported"
    UNREADABLE = "card_unreadable"
    INVALID_DATA = "card_data_invalid"


MESSAGES: dict[CardErrorCode, str] = {
    CardErrorCode.NO_SERVICE: "Le service de cartes à puce (pcscd) n'est pas démarré",
    CardErrorCode.NO_READER: "Aucun lecteur de cartes n'est branché",
    CardErrorCode.READER_NOT_FOUND: "Ce lecteur de cartes est introuvable",
    CardErrorCode.NO_CARD: "Aucune carte dans le lecteur",
    CardErrorCode.MUTE_CARD: (
        "La carte ne répond pas : vérifiez qu'elle est insérée dans le bon sens, puce vers le haut"
    ),
    CardErrorCode.CARD_REMOVED: "La carte a été retirée pendant la lecture : réinsérez-la",
    CardErrorCode.UNKNOWN_CARD: "Carte non reconnue : ce n'est ni une Carte Vitale ni une carte CPS",
    CardErrorCode.VITALE1: "Carte Vitale 1 : lecture non prise en charge, saisissez l'identité",
    CardErrorCode.UNREADABLE: "Carte illisible : la carte a répondu de façon inattendue",
    CardErrorCode.INVALID_DATA: "Carte illisible : ses données sont mal formées",
}


class CardReadError(Exception):
    """Every failure of a card read; ``str(exc)`` is the French message."""

    code: CardErrorCode
    message: str
    detail: str

    def __init__(self, code: CardErrorCode, detail: str = "", message: str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else MESSAGES[code]
        self.detail = detail  # English, for logs only
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code.value!r}, detail={self.detail!r})"


class CardDataError(CardReadError):
    """The bytes read from the card do not follow the documented layout (raised by the parsers)."""

    def __init__(self, detail: str) -> None:
        super().__init__(CardErrorCode.INVALID_DATA, detail)
