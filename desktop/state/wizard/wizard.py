"""The five-step « Création déclenchement » wizard as a Qt-free state machine.

The UI binds one page per step to the step objects (plain dataclasses of the text as typed),
calls ``changed()`` (or ``set_field``) after each edit — listeners autosave the draft — and
``next()`` / ``back()`` to move. ``next()`` refuses to leave a step with errors and puts the
French messages in ``errors``, keyed by field (``prescriptions.1.comment`` for the second
prescription). Going back never loses a value. ``submission()`` gives what the outbox sends:
the patient create or patch body, the usual professionals, and the exact ``POST /cases`` body.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import IntEnum, StrEnum
from typing import Any

from cardreader.cards.cps import CpsHolder
from cardreader.cards.vitale2 import Beneficiary
from desktop.state.form_errors import FieldErrors
from desktop.state.times import today as platform_today
from desktop.state.wizard.caller_step import CallerStep
from desktop.state.wizard.patient_step import PatientStep
from desktop.state.wizard.qualification_step import DEFAULT_TZ, PrescriptionForm, QualificationStep
from desktop.state.wizard.search_step import SearchStep
from desktop.state.wizard.usual_step import UsualProfessionalsStep
from shared.domain import Role
from shared.schemas.auth import UserOut
from shared.schemas.dispatch import CaseCreate
from shared.schemas.patients import PatientOut
from shared.validation import format_phone_national
from telephony.events import Candidate

DRAFT_VERSION = 1
INTERVENTION_CHOICE = ("intervention_date", "intervention_delay_minutes")


class Step(IntEnum):
    CALLER = 0
    SEARCH = 1
    PATIENT = 2
    USUAL_PROFESSIONALS = 3
    QUALIFICATION = 4

    @property
    def title(self) -> str:
        return ("Appelant", "Recherche patient", "Patient", "Professionnels habituels", "Qualification")[self]


class EntryPoint(StrEnum):
    CALL = "call"  # « Nouveau déclenchement » from a call: Tél appel and the caller prefilled
    DASHBOARD = "dashboard"  # « Nouveau déclenchement » from the dashboard
    PATIENT = "patient"  # « Déclenchement pour ce patient »


class WizardIncomplete(ValueError):
    """« Déclencher » with a step in error: the wizard now stands on that step; ``errors`` holds its
    French messages by field, ``field`` and ``message`` the first one."""

    def __init__(self, step: Step, errors: FieldErrors) -> None:
        self.step = step
        self.errors = dict(errors)
        self.field, self.message = next(iter(self.errors.items()))
        super().__init__(f"{step.title} › {self.field} : {self.message}")


PLATFORM_SERVICE = "Plateforme Centrale"


@dataclass(frozen=True, slots=True)
class Operator:
    """Who is logged in: the default caller of a case started without a call."""

    user_id: int
    display_name: str
    service: str = PLATFORM_SERVICE
    profession: str = ""

    @classmethod
    def of(cls, user: UserOut) -> Operator:
        """The logged-in user: a practice secretary's « Service » is her practice, not the platform."""
        return cls(user_id=user.id, display_name=user.display_name, service=service_of(user))


def service_of(user: UserOut) -> str:
    """« Plateforme Centrale » for the hotline's staff; a secretary's practice: « Cabinet du Dr X »,
    « Cabinet des Dr X, Y » (the platform's name only while she works for nobody yet)."""
    if user.role is not Role.SECRETARY or not user.practice:
        return PLATFORM_SERVICE
    names = [name.removeprefix("Dr ").strip() for name in user.practice]
    if len(names) == 1:
        return f"Cabinet du Dr {names[0]}"
    return f"Cabinet des Dr {', '.join(names)}"


@dataclass(frozen=True, slots=True)
class Submission:
    """What « Déclencher » hands to the outbox."""

    patient_id: int | None
    patient_create: dict[str, Any] | None
    patient_patch: dict[str, Any] | None
    usual_professionals: list[dict[str, Any]] | None
    case: dict[str, Any]  # the POST /cases body; patient_id is 0 until the patient exists
    call_record_id: str | None


@dataclass(slots=True)
class Wizard:
    entry: EntryPoint
    draft_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    step: Step = Step.CALLER
    caller: CallerStep = field(default_factory=CallerStep)
    search: SearchStep = field(default_factory=SearchStep)
    patient: PatientStep = field(default_factory=PatientStep)
    usual: UsualProfessionalsStep = field(default_factory=UsualProfessionalsStep)
    qualification: QualificationStep = field(default_factory=QualificationStep)
    call_record_id: str = ""  # the call log record of the call this case comes from
    errors: FieldErrors = field(default_factory=dict)
    copied_traits: dict[str, str] = field(default_factory=dict)  # search traits last copied to Patient
    listeners: list[Callable[[Wizard], None]] = field(default_factory=list, repr=False, compare=False)
    today: Callable[[], date] = field(default=platform_today, repr=False, compare=False)

    # ---- the three entry points -----------------------------------------------------------------
    @classmethod
    def from_dashboard(cls, operator: Operator) -> Wizard:
        wizard = cls(EntryPoint.DASHBOARD)
        wizard._operator_as_caller(operator)
        return wizard

    @classmethod
    def from_call(cls, number: str, call_record_id: str, candidate: Candidate | None = None) -> Wizard:
        """« Tél appel » is the calling number; the identified caller fills the caller's identity."""
        wizard = cls(EntryPoint.CALL, call_record_id=call_record_id)
        wizard.caller.call_phone = _display_phone(number)
        if candidate is not None:
            wizard.caller.fill_from_candidate(candidate)
            wizard.caller.caller_phone = wizard.caller.call_phone
        return wizard

    @classmethod
    def for_patient(cls, operator: Operator, patient: PatientOut) -> Wizard:
        wizard = cls(EntryPoint.PATIENT)
        wizard._operator_as_caller(operator)
        search = wizard.search
        search.phone, search.last_name = _display_phone(patient.phone), patient.last_name
        search.first_name, search.birth_date = patient.first_name, patient.birth_date.strftime("%d/%m/%Y")
        search.results = [_match_of(patient)]
        wizard.use_patient(patient)
        return wizard

    def _operator_as_caller(self, operator: Operator) -> None:
        self.caller.caller_name = operator.display_name
        self.caller.service = operator.service
        self.caller.caller_profession = operator.profession
        self.caller.caller_user_id = str(operator.user_id)

    # ---- edits --------------------------------------------------------------------------------------
    def add_listener(self, listener: Callable[[Wizard], None]) -> None:
        self.listeners.append(listener)

    def changed(self) -> None:
        """Call after any edit of a step (the UI does it on every keystroke): listeners autosave."""
        for listener in list(self.listeners):
            listener(self)

    def set_field(self, step: Step, name: str, value: Any) -> None:
        target = self._step_object(step)
        if isinstance(target, PatientStep):
            target.set_value(name, value)
        elif not hasattr(target, name) or name.startswith("_"):
            raise KeyError(name)
        else:
            setattr(target, name, value)
        self.errors.pop(name, None)
        self.changed()

    def set_prescription_field(self, index: int, name: str, value: str) -> None:
        form = self.qualification.prescriptions[index]
        if not hasattr(form, name):
            raise KeyError(name)
        setattr(form, name, value)
        self.errors.pop(f"prescriptions.{index}.{name}", None)
        if name in INTERVENTION_CHOICE:  # date OR delay: one message about both, gone when either moves
            for other in INTERVENTION_CHOICE:
                self.errors.pop(f"prescriptions.{index}.{other}", None)
        self.changed()

    def add_prescription(self) -> int:
        index = self.qualification.add()
        self.changed()
        return index

    def remove_prescription(self, index: int) -> None:
        self.qualification.remove(index)
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith("prescriptions.")}
        self.changed()

    def use_patient(self, patient: PatientOut, *, typed_phone: bool = True) -> None:
        """The operator picked an existing patient (search results or the patient's record); a
        phone typed on « Recherche patient » that the patient has not got is offered on « Patient »
        (`typed_phone=False`: the traits are not the operator's search, e.g. a reopened item)."""
        if self.patient.patient_id != patient.id:
            self.patient = PatientStep.from_patient(patient)
            self.usual = UsualProfessionalsStep.from_patient(patient)
            if typed_phone:
                self.patient.offer_phone(self.search.phone)  # a new number: never dropped
        self.search.selected_patient_id = patient.id
        self.search.new_patient = False
        self.changed()

    def use_beneficiary(self, beneficiary: Beneficiary) -> None:
        """A Carte Vitale beneficiary chosen on « Recherche patient »."""
        self.search.fill_from_beneficiary(beneficiary)
        self.changed()

    def use_cps(self, holder: CpsHolder) -> None:
        """A CPS card read on « Appelant »: its holder is the requester."""
        self.caller.fill_from_cps(holder)
        self.changed()

    def choose_new_patient(self) -> None:
        """« Ce patient n'est pas enregistré ». With results on screen, the operator has seen the
        look-alikes and says it is someone else: the server's duplicate check is acknowledged."""
        self.search.choose_new_patient()
        if self.patient.patient_id is not None:
            self.patient = PatientStep()
            self.usual = UsualProfessionalsStep()
            self.copied_traits = {}
        self.patient.acknowledge_duplicates = bool(self.search.results)
        self.changed()

    # ---- navigation ---------------------------------------------------------------------------------
    def validate_step(self, step: Step) -> FieldErrors:
        today = self.today()
        if step is Step.CALLER:
            return self.caller.validate()
        if step is Step.SEARCH:
            errors = self.search.validate_choice(today)
            if not errors and self.search.selected_patient_id not in (None, self.patient.patient_id):
                errors["patient"] = "Le patient choisi n'est pas encore chargé"
            return errors
        if step is Step.PATIENT:
            return self.patient.validate(today)
        if step is Step.USUAL_PROFESSIONALS:
            return {}
        return self.qualification.validate()

    def next(self) -> bool:
        """« Suivant »: False (and ``errors`` filled) when the current step has errors."""
        self.errors = self.validate_step(self.step)
        if self.errors:
            self.changed()
            return False
        if self.step is Step.QUALIFICATION:
            return True
        if self.step is Step.SEARCH and self.search.new_patient:
            self._copy_traits_to_patient()
        self.step = Step(self.step + 1)
        if self.step is Step.QUALIFICATION:
            self._zone_from_patient()
        self.changed()
        return True

    def back(self) -> None:
        """« Retour »: always allowed; every value stays."""
        if self.step is not Step.CALLER:
            self.errors = {}
            self.step = Step(self.step - 1)
            self.changed()

    def _copy_traits_to_patient(self) -> None:
        """The search traits fill the new patient, except fields the operator changed there since."""
        for name, value in self.search.traits().items():
            current = getattr(self.patient, name)
            if current in ("", self.copied_traits.get(name)):
                setattr(self.patient, name, value)
            self.copied_traits[name] = value
        self.patient.prefill_card_nir(self.search.card_nir)

    def _zone_from_patient(self) -> None:
        """« Fuseau » follows the patient's commune (Martinique…) where the operator left the default."""
        zone = self.patient.time_zone()
        for form in self.qualification.prescriptions:
            if zone and not form.intervention_date.strip() and form.intervention_tz == DEFAULT_TZ:
                form.intervention_tz = zone

    def _step_object(self, step: Step) -> Any:
        return (self.caller, self.search, self.patient, self.usual, self.qualification)[step]

    # ---- sending ------------------------------------------------------------------------------------
    def validate_all(self) -> FieldErrors:
        """Every step's errors; the first step with one is where « Déclencher » takes the operator."""
        for step in Step:
            errors = self.validate_step(step)
            if errors:
                self.errors = errors
                self.step = step
                self.changed()
                return errors
        self.errors = {}
        return {}

    def case_body(self, patient_id: int) -> dict[str, Any]:
        case = CaseCreate(
            caller=self.caller.caller_body(),
            requester=self.caller.requester_body(),
            patient_id=patient_id,
            prescriptions=self.qualification.bodies(),
            call_id=self.call_record_id or None,
        )
        return case.model_dump(mode="json", exclude_none=True)

    def submission(self) -> Submission:
        """« Déclencher »: raises ``WizardIncomplete`` (on the step in error) when a step is not valid;
        a body the API's schema refuses raises pydantic's ``ValidationError``."""
        errors = self.validate_all()
        if errors:
            raise WizardIncomplete(self.step, errors)
        patient_id = self.patient.patient_id
        create = patch = None
        if patient_id is None:
            create = self.patient.create_body().model_dump(mode="json", exclude_none=True)
        else:
            found = self.patient.patch_body()
            patch = found.model_dump(mode="json", exclude_unset=True) if found else None
        usual = None
        if self.usual.changed():
            usual = [item.model_dump(mode="json", exclude_none=True) for item in self.usual.body()]
        return Submission(
            patient_id=patient_id,
            patient_create=create,
            patient_patch=patch,
            usual_professionals=usual,
            case=self.case_body(patient_id or 0),
            call_record_id=self.call_record_id or None,
        )

    # ---- drafts -------------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "version": DRAFT_VERSION,
            "draft_id": self.draft_id,
            "entry": self.entry.value,
            "step": int(self.step),
            "caller": asdict(self.caller),
            "search": asdict(self.search),
            "patient": asdict(self.patient),
            "usual": asdict(self.usual),
            "prescriptions": self.qualification.to_json(),
            "call_record_id": self.call_record_id,
            "errors": dict(self.errors),
            "copied_traits": dict(self.copied_traits),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Wizard:
        if data.get("version") != DRAFT_VERSION:
            raise ValueError(f"brouillon de version inconnue : {data.get('version')!r}")
        return cls(
            entry=EntryPoint(data["entry"]),
            draft_id=data["draft_id"],
            step=Step(data["step"]),
            caller=CallerStep(**data["caller"]),
            search=SearchStep(**data["search"]),
            patient=PatientStep(**data["patient"]),
            usual=UsualProfessionalsStep(**data["usual"]),
            qualification=QualificationStep([PrescriptionForm(**p) for p in data["prescriptions"]]),
            call_record_id=data["call_record_id"],
            errors=dict(data["errors"]),
            copied_traits=dict(data["copied_traits"]),
        )


def _display_phone(number: str) -> str:
    try:
        return format_phone_national(number)
    except ValueError:
        return number


def _match_of(patient: PatientOut) -> dict[str, Any]:
    """The patient as a search result, so that the search step shows it selected."""
    return {
        "id": patient.id,
        "last_name": patient.last_name,
        "first_name": patient.first_name,
        "birth_last_name": patient.birth_last_name,
        "birth_date": patient.birth_date.isoformat(),
        "age": patient.age,
        "sex": patient.sex.value,
        "phone": patient.phone,
        "postal_code": patient.postal_code,
        "city": patient.city,
        "identity_status": patient.identity_status.value,
        "match": "exact",
        "reasons": [],
        "likely_duplicates": [],
    }
