"""CPS3 / CPS4 (Carte de Professionnel de Santé): the holder, from the public X.509 certificate.

Sources:
[ARCHI]    shared/design/architecture.md « Card facts »: IAS-ECC application AID
           E8 28 BD 08 0F 80 25 00 00 01 FF 00 10; the holder's public certificate subject
           carries the identity: SN=<nom>+CN=<8 + RPPS>+GN=<prénom>, title=<profession>, C=FR.
[ANS-CPS]  ANS CryptolibCPS card-cps.c / card-cps.h (public LGPL source): 80 25 00 00 01 is the
           ANS IAS issuer number (found in the AID above); CPS3 and CPS4 share this IAS-ECC
           layout, hence one module for both generations.
[ANS-ID]   ANS « Identification nationale PP »: type digit 8 + RPPS (11 digits) or 0 + ADELI
           (9 digits) — checked by shared.validation.parse_national_id.
[G15]      TRE_G15 profession codes, shared.domain.PROFESSIONS.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

from cardreader.cards.atr import CardKind
from cardreader.errors import CardDataError
from shared.domain import PROFESSIONS
from shared.validation import ValidationFailure, parse_national_id

# [ARCHI]
IAS_ECC_AID = bytes.fromhex("E8 28 BD 08 0F 80 25 00 00 01 FF 00 10")
# ASSUMPTION, no public source found: the FID of the holder's authentication certificate in
# the IAS-ECC application. On a real card the PKCS#15 certificate directory gives its path;
# confirm it on a real CPS3/CPS4 and change this one constant.
AUTH_CERTIFICATE_FID = 0xD001
READ_CHUNK = 256  # short APDUs: at most 256 bytes per READ BINARY (ISO/IEC 7816-4)
# X.509 certificates are DER (ITU-T X.690): SEQUENCE tag 30, then its length; the file may be
# longer than the certificate (padding), so the DER length says where it ends.
_SEQUENCE = 0x30


@dataclass(frozen=True, slots=True)
class CpsHolder:
    last_name: str
    first_name: str
    national_id: str  # as on the card: type digit + number, e.g. "810001045367"
    id_type: str | None  # "rpps" (type digit 8) or "adeli" (type digit 0); None when unreadable
    id_number: str  # the number without its type digit
    id_valid: bool
    id_problem: str | None  # French reason when the identifier is invalid
    profession_code: str | None  # TRE_G15 code ("10" médecin…), None when the title is unknown
    profession_label: str


@dataclass(frozen=True, slots=True)
class CpsCard:
    kind: CardKind  # CardKind.CPS3 or CardKind.CPS4
    atr: bytes
    holder: CpsHolder


def der_length(header: bytes) -> int | None:
    """Total length of the DER object starting ``header`` (None if it is not a certificate)."""
    if len(header) < 2 or header[0] != _SEQUENCE:
        return None
    first = header[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 3 or len(header) < 2 + count:
        return None
    return 2 + count + int.from_bytes(header[2 : 2 + count], "big")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


_CODES_BY_LABEL = {_fold(label): code for code, label in PROFESSIONS.items()}


def _profession(title: str) -> tuple[str | None, str]:
    """[G15]: the title is a TRE_G15 code or its label; either way both come back when known."""
    if title.isascii() and title.isdigit():
        return title, PROFESSIONS.get(title, title)
    code = _CODES_BY_LABEL.get(_fold(title))
    return code, PROFESSIONS[code] if code else title


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return ""
    value = values[0].value
    if not isinstance(value, str):
        raise CardDataError(f"certificate attribute {oid.dotted_string} is not text")
    return value.strip()


def parse_holder(certificate: bytes) -> CpsHolder:
    """The holder of a CPS from its DER certificate (extra bytes after the certificate ignored)."""
    length = der_length(certificate[:6])
    if length is None or length > len(certificate):
        raise CardDataError("CPS certificate: not a complete DER SEQUENCE")
    try:
        subject = x509.load_der_x509_certificate(certificate[:length]).subject
        last_name = _attribute(subject, NameOID.SURNAME)
        first_name = _attribute(subject, NameOID.GIVEN_NAME)
        national_id = _attribute(subject, NameOID.COMMON_NAME)
        title = _attribute(subject, NameOID.TITLE)
    except CardDataError:
        raise
    except (ValueError, TypeError, x509.InvalidVersion) as exc:  # how cryptography reports bad DER
        raise CardDataError(f"CPS certificate: {exc}") from None
    if not last_name or not national_id:
        raise CardDataError("CPS certificate: subject without SN or CN")
    id_type: str | None
    try:
        id_type, id_number = parse_national_id(national_id)
        id_valid, problem = True, None
    except ValidationFailure as failure:
        id_type = {"8": "rpps", "0": "adeli"}.get(national_id[:1])
        id_number, id_valid, problem = national_id[1:], False, failure.message
    code, label = _profession(title)
    return CpsHolder(
        last_name=last_name,
        first_name=first_name,
        national_id=national_id,
        id_type=id_type,
        id_number=id_number,
        id_valid=id_valid,
        id_problem=problem,
        profession_code=code,
        profession_label=label,
    )
