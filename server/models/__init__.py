"""Every table, imported here so that the metadata is complete for migrations."""

from server.models.accounts import AuthToken, LoginThrottle, Network, ProfessionalProfile, User, user_networks
from server.models.audit import AuditEntry
from server.models.base import Base
from server.models.patients import Patient, PatientEvent, UsualProfessional

__all__ = [
    "AuditEntry",
    "AuthToken",
    "Base",
    "LoginThrottle",
    "Network",
    "Patient",
    "PatientEvent",
    "ProfessionalProfile",
    "User",
    "UsualProfessional",
    "user_networks",
]
