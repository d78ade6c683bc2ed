"""The change feed's patient family: the patient's file changed (ids only, never an identity)."""

from __future__ import annotations

from shared.schemas.feed_types import EventPayload, EventType

# --- the patient's file (ids only, never an identity; the envelope has no case or prescription) ---


class PatientChange(EventPayload):
    """Something was written on a patient's file; `version` is the file's version after it."""

    patient_id: int
    version: int


class PatientCreated(PatientChange):
    """A patient's file was created."""

    TYPE = EventType.PATIENT_CREATED


class PatientUpdated(PatientChange):
    """A patient's identity, address or contact details were changed."""

    TYPE = EventType.PATIENT_UPDATED


class PatientUsualProfessionals(PatientChange):
    """A patient's usual professionals were replaced."""

    TYPE = EventType.PATIENT_USUAL_PROFESSIONALS


class PatientCase(PatientChange):
    """A case (« déclenchement ») was sent for the patient."""

    TYPE = EventType.PATIENT_CASE


class PatientComment(PatientChange):
    """A comment on one of the patient's prescriptions reached their timeline."""

    TYPE = EventType.PATIENT_COMMENT


class PatientDocument(PatientChange):
    """A document on one of the patient's prescriptions reached their timeline."""

    TYPE = EventType.PATIENT_DOCUMENT


class PatientVisit(PatientChange):
    """A visit (« passage ») of one of the patient's prescriptions reached their timeline."""

    TYPE = EventType.PATIENT_VISIT


class PatientReport(PatientChange):
    """A report (« CR ») on one of the patient's prescriptions reached their timeline."""

    TYPE = EventType.PATIENT_REPORT


class PatientSeriesEnded(PatientChange):
    """A responder's end of a series of care (« Fin série de soins ») reached the timeline."""

    TYPE = EventType.PATIENT_SERIES_ENDED
