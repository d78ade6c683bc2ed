"""Step 1, « Appelant »: who phones, and the professional on whose behalf (the requester)."""

from __future__ import annotations

from dataclasses import dataclass

from cardreader.cards.cps import CpsHolder
from desktop.state.form_errors import FieldErrors, check, check_phone, check_required
from shared.domain import PROFESSIONS
from shared.schemas.directory import DirectoryProfessional
from shared.schemas.dispatch import CallerIn, RequesterIn
from shared.validation import normalize_phone, validate_rpps
from telephony.events import Candidate

# Identifiers of call candidates (telephony.events.Candidate.id): "rpps:<11 digits>",
# "user:<id>" or "patient:<id>" (see desktop.services.caller_lookup).
RPPS_PREFIX = "rpps:"
USER_PREFIX = "user:"


@dataclass(slots=True)
class CallerStep:
    call_phone: str = ""  # « Tél appel »: the number the call came from
    service: str = ""
    caller_name: str = ""  # « Appelant »
    caller_profession: str = ""
    caller_phone: str = ""  # « Téléphone »
    direct_line: str = ""  # « Ligne directe »
    caller_rpps: str = ""  # set when the caller was identified as a professional
    caller_user_id: str = ""  # set when the caller is one of our users
    requester_is_caller: bool = True  # a secretary calling for her doctor unticks it
    requester_name: str = ""
    requester_rpps: str = ""
    requester_user_id: str = ""
    requester_profession_code: str = ""

    def fill_from_candidate(self, candidate: Candidate) -> None:
        """The operator picked who is calling among the screen-pop candidates."""
        self.caller_name = candidate.display_name
        self.caller_profession = candidate.profession  # the detail has the site and the town too
        self.caller_rpps = self.caller_user_id = ""
        if candidate.id.startswith(RPPS_PREFIX):
            self.caller_rpps = candidate.id.removeprefix(RPPS_PREFIX)
        elif candidate.id.startswith(USER_PREFIX):
            self.caller_user_id = candidate.id.removeprefix(USER_PREFIX)

    def fill_from_cps(self, holder: CpsHolder) -> None:
        """A CPS card read fills the requester (the card's holder is the prescriber)."""
        self.requester_name = f"{holder.last_name} {holder.first_name}".strip()
        self.requester_rpps = holder.id_number if holder.id_type == "rpps" and holder.id_valid else ""
        self.requester_user_id = ""
        self.requester_profession_code = holder.profession_code or ""
        same = bool(self.requester_rpps) and self.requester_rpps == self.caller_rpps
        self.requester_is_caller = same

    def fill_requester_from_directory(self, professional: DirectoryProfessional) -> None:
        """The requester picked in the national directory (the caller is not the prescriber)."""
        self.requester_is_caller = False
        self.requester_name = f"{professional.last_name} {professional.first_name or ''}".strip()
        self.requester_rpps = professional.rpps
        self.requester_user_id = ""
        self.requester_profession_code = professional.profession_code or ""

    def validate(self) -> FieldErrors:
        errors: FieldErrors = {}
        check_required({"caller_name": self.caller_name}, ("caller_name",), errors)
        for key in ("call_phone", "caller_phone", "direct_line"):
            check_phone(errors, key, getattr(self, key))
        if self.requester_is_caller:
            if not (self.caller_rpps or self.caller_user_id):
                errors.setdefault(
                    "requester",
                    "L'appelant n'est pas un professionnel identifié : indiquez le demandeur",
                )
        else:
            check_required({"requester_name": self.requester_name}, ("requester_name",), errors)
            if self.requester_rpps.strip():
                check(errors, "requester_rpps", lambda: validate_rpps(self.requester_rpps))
            elif not self.requester_user_id:
                errors.setdefault("requester_rpps", "Indiquez le RPPS du demandeur (ou lisez sa carte CPS)")
            code = self.requester_profession_code
            if code and code not in PROFESSIONS:
                errors.setdefault("requester_profession_code", "Profession inconnue")
        return errors

    def caller_body(self) -> CallerIn:
        phone = self.caller_phone.strip() or self.call_phone.strip()
        return CallerIn(
            name=self.caller_name.strip(),
            phone=normalize_phone(phone) if phone else None,
            direct_line=normalize_phone(self.direct_line) if self.direct_line.strip() else None,
            service=self.service.strip() or None,
        )

    def requester_body(self) -> RequesterIn:
        if self.requester_is_caller:
            rpps, user_id, name = self.caller_rpps, self.caller_user_id, self.caller_name
            profession = ""
        else:
            rpps, user_id = self.requester_rpps, self.requester_user_id
            name, profession = self.requester_name, self.requester_profession_code
        return RequesterIn(
            rpps=rpps.strip() or None,
            user_id=int(user_id) if user_id and not rpps.strip() else None,
            name=name.strip() or None,
            profession_code=profession or None,
        )
