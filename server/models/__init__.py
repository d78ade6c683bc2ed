"""Every table, imported here so that the metadata is complete for migrations."""

from server.models.accounts import (
    AuthToken,
    LoginThrottle,
    Network,
    ProfessionalCommune,
    ProfessionalProfile,
    User,
    user_networks,
)
from server.models.audit import AuditEntry
from server.models.base import Base
from server.models.calls import CallRecord
from server.models.care import CareReport, CareVisit
from server.models.directory import DirectoryActivity, DirectoryImport, DirectoryPerson
from server.models.dispatch import CASE_NUMBER_BASE, Case, IdempotencyRecord, Notification, Prescription
from server.models.exchanges import (
    Comment,
    Document,
    DocumentBlob,
    Incident,
    IncidentNetwork,
    WebhookDelivery,
)
from server.models.feed import Event, FeedCounter
from server.models.hotline import Agent, AgentStatePeriod, HotlineCall, HotlineCallEvent, HotlineSettingsRow
from server.models.insi import InsiAnswer
from server.models.login_limits import LoginCounter
from server.models.messaging import (
    Message,
    MessageAttachment,
    MessageAttachmentBlob,
    MessagingSettingsRow,
    Thread,
    ThreadParticipant,
)
from server.models.mssante import MssanteAddress, MssanteImport
from server.models.notify import Delivery, NotifyCursor, PushSubscription, ServerSecret
from server.models.patients import Patient, PatientEvent, UsualProfessional
from server.models.practices import secretary_of
from server.models.registrations import Registration, RegistrationDocument, VerificationCode
from server.models.web import WebDevice, WebSession

__all__ = [
    "CASE_NUMBER_BASE",
    "Agent",
    "AgentStatePeriod",
    "AuditEntry",
    "AuthToken",
    "Base",
    "CallRecord",
    "CareReport",
    "CareVisit",
    "Case",
    "Comment",
    "Delivery",
    "DirectoryActivity",
    "DirectoryImport",
    "DirectoryPerson",
    "Document",
    "DocumentBlob",
    "Event",
    "FeedCounter",
    "HotlineCall",
    "HotlineCallEvent",
    "HotlineSettingsRow",
    "IdempotencyRecord",
    "Incident",
    "IncidentNetwork",
    "InsiAnswer",
    "LoginCounter",
    "LoginThrottle",
    "Message",
    "MessageAttachment",
    "MessageAttachmentBlob",
    "MessagingSettingsRow",
    "MssanteAddress",
    "MssanteImport",
    "Network",
    "Notification",
    "NotifyCursor",
    "Patient",
    "PatientEvent",
    "Prescription",
    "ProfessionalCommune",
    "ProfessionalProfile",
    "PushSubscription",
    "Registration",
    "RegistrationDocument",
    "ServerSecret",
    "Thread",
    "ThreadParticipant",
    "User",
    "UsualProfessional",
    "VerificationCode",
    "WebDevice",
    "WebSession",
    "WebhookDelivery",
    "secretary_of",
    "user_networks",
]
