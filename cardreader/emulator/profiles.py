"""JSON profiles → virtual cards whose files follow the layouts of ``cardreader.cards``.

{"type": "vitale2", "beneficiaries": [{"nir", "last_name", "first_name", "birth_date", "nationality"}]}
{"type": "cps3" | "cps4", "holder": {"last_name", "first_name", "national_id", "profession_code"}}
{"type": "vitale1"}    {"type": "unknown", "atr": "3B 00 …"}
Any profile may add "fault": {"kind": "pull" | "mute" | "garbage" | "sw6f00", "after": N}, and
"fcp_size": false for a card whose SELECT does not tell the file size (read until a short answer).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from cardreader.cards import atr as atrs
from cardreader.cards import cps, vitale2
from cardreader.cards.tlv import encode_tlv
from cardreader.emulator.card import VirtualCard
from cardreader.emulator.faults import Fault, FaultKind
from cardreader.emulator.filesystem import DedicatedFile, ElementaryFile, master_file
from shared.domain import PROFESSIONS


class ProfileError(ValueError):
    """The profile file is not usable (French message)."""


@dataclass(frozen=True, slots=True)
class Profile:
    card: VirtualCard
    fault: Fault | None


# Emulator-only choices (not card facts): where the DFs sit and which EF holds what.
_VITALE_MF_DF_FID = 0x1000
_VITALE_DF_FID = 0x2000
_VALIDITY_FID = 0x2002
_BENEFICIARIES_FID = 0x2004
_MF_ENTRY = 1
_VITALE_ENTRY = 2
_IAS_DF_FID = 0x5000
_EF_SN_ICC_FID = 0xD003  # ANS card-cps.h CPS_EF_SN_PATH 3F00/D003, holds 80 25 00 00 01 + serial
_CERTIFICATE_PADDING = 64


def _field(item: dict[str, Any], name: str, required: bool = True) -> str:
    value = item.get(name, "")
    if not isinstance(value, str) or (required and not value):
        raise ProfileError(f"Profil : le champ « {name} » doit être un texte non vide")
    return value


def _latin1(text: str) -> bytes:
    try:
        return text.encode(vitale2.TEXT_ENCODING)
    except UnicodeEncodeError:
        raise ProfileError(f"Profil : « {text} » contient un caractère impossible sur la carte") from None


def _beneficiary_template(item: dict[str, Any]) -> bytes:
    birth = _field(item, "birth_date", required=False).replace("-", "")
    fields = (
        (vitale2.LAST_NAME_TAG, _field(item, "last_name")),
        (vitale2.FIRST_NAME_TAG, _field(item, "first_name", required=False)),
        (vitale2.BIRTH_DATE_TAG, birth),
        (vitale2.NATIONALITY_TAG, _field(item, "nationality", required=False)),
        (vitale2.NIR_TAG, _field(item, "nir")),
    )
    return encode_tlv(vitale2.BENEFICIARY_TAG, b"".join(encode_tlv(tag, _latin1(v)) for tag, v in fields))


def _file_map() -> bytes:
    applications = encode_tlv(
        0xA0,
        encode_tlv(0x82, _MF_ENTRY.to_bytes(2, "big") + b"\x00\x00" + vitale2.VITALE_MF_AID)
        + encode_tlv(0x82, _VITALE_ENTRY.to_bytes(2, "big") + b"\x00\x00" + vitale2.VITALE_AID),
    )
    files = b"".join(
        encode_tlv(
            0x80, name.ljust(8).encode("ascii") + _VITALE_ENTRY.to_bytes(2, "big") + fid.to_bytes(2, "big")
        )
        for name, fid in (("VALIDITE", _VALIDITY_FID), ("BENEFS", _BENEFICIARIES_FID))
    )
    return encode_tlv(0xE0, applications + files)


def vitale2_card(beneficiaries: list[dict[str, Any]], atr: bytes = atrs.VITALE2_ATR) -> VirtualCard:
    if not beneficiaries:
        raise ProfileError("Profil : une Carte Vitale a au moins un bénéficiaire")
    mf = master_file()
    mf.add(DedicatedFile(_VITALE_MF_DF_FID, vitale2.VITALE_MF_AID))
    app = DedicatedFile(_VITALE_DF_FID, vitale2.VITALE_AID)
    mf.add(app)
    app.add(ElementaryFile(vitale2.FILE_MAP_FID, _file_map(), sfi=1))
    app.add(ElementaryFile(_VALIDITY_FID, encode_tlv(0x66, encode_tlv(0x80, b"20240101")), sfi=2))
    app.add(ElementaryFile(_BENEFICIARIES_FID, b"".join(map(_beneficiary_template, beneficiaries)), sfi=4))
    return VirtualCard(atr, mf)


def holder_certificate(holder: dict[str, Any]) -> bytes:
    """A self-signed certificate whose subject follows the ANS layout (see ``cards/cps.py``)."""
    code = _field(holder, "profession_code")
    title = PROFESSIONS.get(code, code)
    subject = x509.Name(
        [
            x509.RelativeDistinguishedName(
                [
                    x509.NameAttribute(NameOID.SURNAME, _field(holder, "last_name")),
                    x509.NameAttribute(NameOID.COMMON_NAME, _field(holder, "national_id")),
                    x509.NameAttribute(NameOID.GIVEN_NAME, _field(holder, "first_name", required=False)),
                ]
            ),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.TITLE, title)]),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR")]),
        ]
    )
    # Decision: an EC P-256 key (fast to generate); real CPS keys are RSA 2048, which changes
    # nothing to the subject read here.
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Centrale emulated CPS CA")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3 * 365))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(Encoding.DER)


def cps_card(holder: dict[str, Any], atr: bytes) -> VirtualCard:
    der = holder_certificate(holder)
    padded = der + b"\xff" * (-len(der) % _CERTIFICATE_PADDING)
    mf = master_file()
    mf.add(ElementaryFile(_EF_SN_ICC_FID, bytes.fromhex("5A 0A 80 25 00 00 01 12 34 56 78 90")))
    app = DedicatedFile(_IAS_DF_FID, cps.IAS_ECC_AID)
    mf.add(app)
    app.add(ElementaryFile(cps.AUTH_CERTIFICATE_FID, padded))
    return VirtualCard(atr, mf)


def _fault(raw: Any) -> Fault | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ProfileError('Profil : « fault » doit être un objet {"kind", "after"}')
    try:
        kind = FaultKind(str(raw.get("kind")))
    except ValueError:
        raise ProfileError(f"Profil : panne inconnue « {raw.get('kind')} »") from None
    after = raw.get("after", 0)
    if not isinstance(after, int) or after < 0:
        raise ProfileError("Profil : « after » doit être un entier positif")
    return Fault(kind, after)


def build_profile(data: Any) -> Profile:
    if not isinstance(data, dict):
        raise ProfileError("Profil : un objet JSON est attendu")
    kind = data.get("type")
    if kind == "vitale2":
        beneficiaries = data.get("beneficiaries")
        if not isinstance(beneficiaries, list) or not all(isinstance(b, dict) for b in beneficiaries):
            raise ProfileError("Profil : « beneficiaries » doit être une liste d'objets")
        card = vitale2_card(beneficiaries)
    elif kind in ("cps3", "cps4"):
        holder = data.get("holder")
        if not isinstance(holder, dict):
            raise ProfileError("Profil : « holder » doit être un objet")
        card = cps_card(holder, atrs.CPS3_ATR if kind == "cps3" else atrs.CPS4_ATR)
    elif kind == "vitale1":
        card = VirtualCard(atrs.VITALE1_ATR, master_file())
    elif kind == "unknown":
        try:
            atr = bytes.fromhex(_field(data, "atr"))
        except ValueError:
            raise ProfileError("Profil : « atr » doit être de l'hexadécimal") from None
        card = VirtualCard(atr, master_file())
    else:
        raise ProfileError(f"Profil : type de carte inconnu « {kind} »")
    fcp_size = data.get("fcp_size", True)
    if not isinstance(fcp_size, bool):
        raise ProfileError("Profil : « fcp_size » doit valoir true ou false")
    card.fcp_size = fcp_size
    return Profile(card, _fault(data.get("fault")))


def load_profile(path: Path) -> Profile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProfileError(f"Profil illisible : {path} ({exc})") from None
    return build_profile(data)
