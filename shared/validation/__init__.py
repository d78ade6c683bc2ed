"""Pure validators shared by the desktop and the server (no I/O, no project imports)."""

from shared.validation.enrolment import (
    RPPS_PROFESSIONS,
    adeli_allowed,
    validate_mobile_phone,
    validate_professional_identifier,
)
from shared.validation.errors import ValidationFailure
from shared.validation.identifiers import luhn_is_valid, parse_national_id, validate_adeli, validate_rpps
from shared.validation.names import (
    clean_display_name,
    name_compact_key,
    name_search_key,
    names_similar,
    osa_distance,
)
from shared.validation.nir import (
    OID_DEMO,
    OID_NIA,
    OID_NIR,
    OID_TEST,
    InsOid,
    Nir,
    check_nir_matches_identity,
    default_oid_for,
    nir_key,
    parse_nir,
    validate_ins_oid,
)
from shared.validation.phones import format_phone_national, normalize_phone, phone_region

__all__ = [
    "OID_DEMO",
    "OID_NIA",
    "OID_NIR",
    "OID_TEST",
    "RPPS_PROFESSIONS",
    "InsOid",
    "Nir",
    "ValidationFailure",
    "adeli_allowed",
    "check_nir_matches_identity",
    "clean_display_name",
    "default_oid_for",
    "format_phone_national",
    "luhn_is_valid",
    "name_compact_key",
    "name_search_key",
    "names_similar",
    "nir_key",
    "normalize_phone",
    "osa_distance",
    "parse_national_id",
    "parse_nir",
    "phone_region",
    "validate_adeli",
    "validate_ins_oid",
    "validate_mobile_phone",
    "validate_professional_identifier",
    "validate_rpps",
]
