"""Enrolment's pure rules: which identifier a profession enrols with, a mobile for the SMS code,
signed expiring links, one-time codes (tries, expiry, single use), the form's schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from server.models import VerificationCode
from server.security.signing import BadSignature, Expired, configured_key, keyed_hash, sign, unsign
from server.services.enrolment_limits import EnrolmentLimits
from server.services.one_time_codes import MAX_TRIES, new_code, try_code
from shared.schemas.registrations import RegistrationCreate, ResetConfirm
from shared.validation import ValidationFailure
from shared.validation.enrolment import (
    RPPS_PROFESSIONS,
    adeli_allowed,
    validate_mobile_phone,
    validate_professional_identifier,
)

KEY = b"k" * 32
NOW = datetime(2025, 3, 30, 1, 30, tzinfo=UTC)  # the night Paris moves to summer time


def test_rpps_professions_refuse_adeli() -> None:
    assert {"10", "21", "40", "50", "60", "70", "80"} <= RPPS_PROFESSIONS
    for code in RPPS_PROFESSIONS:
        assert not adeli_allowed(code)
        with pytest.raises(ValidationFailure) as refused:
            validate_professional_identifier("adeli", "751234567", code)
        assert refused.value.code == "adeli_not_for_profession"
    for code in ("91", "92", "94", "95", "96", "26", "28"):
        assert validate_professional_identifier("adeli", "75 12 34567", code) == "751234567"
        assert validate_professional_identifier("rpps", "10001045367", code) == "10001045367"


@pytest.mark.parametrize(
    ("kind", "identifier", "code"),
    [
        ("rpps", "10001045368", "rpps_key_invalid"),
        ("rpps", "1000104536", "rpps_format"),
        ("adeli", "75123456", "adeli_format"),
        ("adeli", "2A1234567", "adeli_format"),
        ("siret", "10001045367", "identifier_kind_unknown"),
    ],
)
def test_bad_identifiers(kind: str, identifier: str, code: str) -> None:
    with pytest.raises(ValidationFailure) as refused:
        validate_professional_identifier(kind, identifier, "91")
    assert refused.value.code == code
    assert refused.value.message


def test_the_code_goes_to_a_mobile() -> None:
    assert validate_mobile_phone("06 12 34 56 78") == "+33612345678"
    assert validate_mobile_phone("0690 12 34 56") == "+590690123456"  # Guadeloupe's mobiles
    with pytest.raises(ValidationFailure) as landline:
        validate_mobile_phone("01 99 00 12 34")
    assert landline.value.code == "phone_not_mobile"


def test_signed_links() -> None:
    token = sign(KEY, "registration_email", {"r": 7}, NOW + timedelta(hours=48))
    assert unsign(KEY, "registration_email", token, NOW) == {"r": 7}
    payload, signature = token.split(".")
    forged = sign(KEY, "registration_email", {"r": 8}, NOW + timedelta(hours=48)).split(".")[0]
    for bad in (f"{forged}.{signature}", f"{payload}.{signature[:-2]}AA", payload, "", "a.b.c"):
        with pytest.raises(BadSignature):
            unsign(KEY, "registration_email", bad, NOW)
    with pytest.raises(BadSignature):  # another key
        unsign(b"x" * 32, "registration_email", token, NOW)
    with pytest.raises(BadSignature):  # another purpose
        unsign(KEY, "password_reset", token, NOW)
    with pytest.raises(Expired):
        unsign(KEY, "registration_email", token, NOW + timedelta(hours=48))


def test_the_signing_key_comes_from_the_secret_store(tmp_path: Path) -> None:
    assert configured_key({"CENTRALE_SIGNING_KEY": "abc"}) == b"abc"
    credentials = tmp_path
    (credentials / "signing-key").write_text("depuis-systemd\n")
    assert configured_key({"CREDENTIALS_DIRECTORY": str(credentials)}) == b"depuis-systemd"
    assert configured_key({}) is None


def _code_row(code: str, *, expires: datetime = NOW + timedelta(minutes=10)) -> VerificationCode:
    return VerificationCode(
        purpose="registration_phone",
        code_hash=keyed_hash(KEY, code),
        created_at=NOW,
        expires_at=expires,
        tries=0,
    )


def test_one_time_code_tries_and_single_use() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 150  # random, not a counter
    row = _code_row("123456")
    for left in range(MAX_TRIES - 1, -1, -1):
        refused = try_code(KEY, row, "654321", NOW)
        assert not refused.accepted
        assert refused.refusal is not None
        assert refused.refusal.extra["tries_left"] == left
    exhausted = try_code(KEY, row, "123456", NOW)  # the right code, too late
    assert exhausted.refusal is not None
    assert exhausted.refusal.code == "code_tries_exhausted"
    fresh = _code_row("123456")
    assert try_code(KEY, fresh, " 123 456 ", NOW).accepted  # spaces typed between digits are fine
    again = try_code(KEY, fresh, "123456", NOW)
    assert again.refusal is not None
    assert again.refusal.code == "code_expired"  # used up


def test_one_time_code_expires_after_ten_minutes() -> None:
    row = _code_row("123456")
    late = try_code(KEY, row, "123456", NOW + timedelta(minutes=10))
    assert late.refusal is not None
    assert late.refusal.code == "code_expired"
    assert try_code(KEY, None, "123456", NOW).refusal is not None


def test_the_form_schema() -> None:
    base = {
        "identifier_kind": "rpps",
        "identifier": "100 0104 5367",
        "last_name": "D'Almeida",
        "first_name": "Élodie",
        "profession_code": "60",
        "phone": "06 12 34 56 78",
        "email": "Elodie@Example.org",
        "commune_insee": "91228",
        "address_line": "3 rue de la Gare",
        "network_name": "   ",
        "password": "correct-horse-battery",
    }
    form = RegistrationCreate.model_validate(base)
    assert (form.identifier, form.phone, form.email, form.network_name) == (
        "10001045367",
        "+33612345678",
        "elodie@example.org",
        None,
    )
    for field, value in (("address_line", "  "), ("identifier", "10001045368"), ("password", "court")):
        with pytest.raises(ValidationError):
            RegistrationCreate.model_validate({**base, field: value})
    with pytest.raises(ValidationError):
        ResetConfirm.model_validate({"password": "correct-horse-battery"})  # neither link nor code


def test_limits_from_the_environment() -> None:
    limits = EnrolmentLimits.from_env({"CENTRALE_ENROLMENT_SIGNUPS_PER_IP_HOUR": "3"})
    assert limits.signups_per_ip_hour == 3
    assert limits.signups_per_contact_day == EnrolmentLimits().signups_per_contact_day
