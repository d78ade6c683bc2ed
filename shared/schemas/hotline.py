"""The hotline's call distribution (issue 19): operators' states kept by the server, the codes the
platform sets (pause reasons, call qualifications), the queue, and what Kamailio and the queue holder
ask the server (docs/hotline.md is the design; these names are the contract)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from shared.schemas.common import ApiModel

CODE_PATTERN = r"^[a-z0-9_]{1,40}$"
SIP_USER_PATTERN = r"^[A-Za-z0-9._+-]{1,64}$"
CALL_ID_MAX = 200
# The pause the server puts an operator in after too many unanswered ringing calls.
UNANSWERED_PAUSE = "unanswered"


class AgentState(StrEnum):
    AVAILABLE = "available"
    PAUSE = "pause"
    IN_CALL = "in_call"
    AFTER_CALL = "after_call"
    OFFLINE = "offline"

    @property
    def label(self) -> str:
        return AGENT_STATE_LABELS[self]


AGENT_STATE_LABELS: dict[AgentState, str] = {
    AgentState.AVAILABLE: "Disponible",
    AgentState.PAUSE: "Pause",
    AgentState.IN_CALL: "En appel",
    AgentState.AFTER_CALL: "Post-appel",
    AgentState.OFFLINE: "Hors ligne",
}


class Code(ApiModel):
    """One entry of a list the platform sets: a stable machine code and its French label."""

    code: str = Field(pattern=CODE_PATTERN)
    label: str = Field(min_length=1, max_length=80)


class HotlineSettings(ApiModel):
    """What the platform team sets (``GET``/``PUT /api/v1/hotline/settings``, admin writes)."""

    pause_reasons: list[Code] = Field(min_length=1, max_length=30)
    qualifications: list[Code] = Field(min_length=1, max_length=30)
    wrap_up_seconds: int = Field(ge=0, le=3600)  # Post-appel ends by itself after this delay
    unanswered_limit: int = Field(ge=1, le=20)  # ringing calls left unanswered in a row → Pause
    strategy: Literal["ring_all", "longest_idle"]
    ring_seconds: int = Field(ge=5, le=120)  # how long one offer rings before the next is tried
    service_level_seconds: int = Field(default=20, ge=1, le=600)  # « décroché en moins de 20 s »
    service_level_target_percent: int = Field(default=80, ge=1, le=100)


class AgentStateIn(ApiModel):
    """``PUT /api/v1/agents/me/state``: the desktop says what its operator is doing."""

    state: AgentState
    pause_reason: str | None = Field(default=None, pattern=CODE_PATTERN)  # required for « pause »
    sip_user: str | None = Field(default=None, pattern=SIP_USER_PATTERN)  # the AOR Kamailio rings
    call_id: str | None = Field(default=None, max_length=CALL_ID_MAX)  # « in_call »: the SIP Call-ID
    caller: str = Field(default="", max_length=200)  # « in_call »: who is on the line, as shown


class AgentOut(BaseModel):
    """One operator on the supervisor's live grid (``GET /api/v1/agents``)."""

    user_id: int
    name: str
    username: str
    sip_user: str | None
    state: AgentState
    since: datetime
    pause_reason: str | None
    pause_label: str | None
    caller: str  # « in_call »: the current caller, else ""
    idle_since: datetime | None  # end of the last call (longest-idle order), None if never called
    unanswered_in_row: int
    connected: bool  # the desktop's feed connection is up


class QueueEntryOut(BaseModel):
    id: int
    call_id: str
    caller_number: str
    caller_name: str
    arrived_at: datetime
    state: Literal["waiting", "offered", "answered", "lost"]
    operator_id: int | None
    waited_seconds: float


class QueueOut(BaseModel):
    """``GET /api/v1/hotline/queue``: the callers waiting, oldest first."""

    waiting: list[QueueEntryOut]
    longest_wait_seconds: float
    estimated_wait_seconds: float | None  # None while there is no history to estimate from
    available_operators: int


# --- what Kamailio and the queue holder ask (token of the deployment, not a user session) ---


class RouteOut(BaseModel):
    """``GET /api/v1/telephony/route``: whom to ring for a hotline call (also served as text/plain
    « ring user1 user2 » / « queue » for Kamailio's http_client)."""

    action: Literal["ring", "queue"]
    targets: list[str]  # SIP users in strategy order (ring_all: all of them; longest_idle: one)
    ring_seconds: int


class CallEventIn(ApiModel):
    """``POST /api/v1/telephony/events``: what happened to a hotline call, told by Kamailio or the
    queue holder (idempotent per call_id + kind + sip_user)."""

    call_id: str = Field(min_length=1, max_length=CALL_ID_MAX)
    kind: Literal["arrived", "answered", "unanswered", "queued", "lost", "ended"]
    sip_user: str | None = Field(default=None, pattern=SIP_USER_PATTERN)
    caller_number: str = Field(default="", max_length=80)
    caller_name: str = Field(default="", max_length=200)
    at: AwareDatetime | None = None


class QueueOfferOut(BaseModel):
    """``POST /api/v1/telephony/queue/next``: the oldest waiting caller and the operator reserved
    for them (204 when nobody waits or nobody is available)."""

    entry_id: int
    call_id: str
    caller_number: str
    caller_name: str
    target: str  # the operator's SIP user
    ring_seconds: int


class QualificationIn(ApiModel):
    """``PUT /api/v1/calls/{id}/qualification``: the wrap-up's code for a call."""

    code: str = Field(pattern=CODE_PATTERN)


# --- the hotline's figures (``GET /api/v1/stats/hotline?start=…&end=…``, supervisors and admin) ---


class HotlineFigures(BaseModel):
    """Calls to the hotline number over a period (or one hour of it)."""

    received: int
    answered: int
    lost: int  # hung up while waiting or ringing, never answered
    answered_within_service_level: int
    service_level_percent: float | None  # answered within `service_level_seconds` ÷ received
    answered_within_60s_percent: float | None  # the SAMU's anchor (99 % within 60 s)
    mean_wait_seconds: float | None
    max_wait_seconds: float | None
    mean_talk_seconds: float | None
    mean_wrap_up_seconds: float | None


class HourFigures(HotlineFigures):
    hour: datetime  # start of the hour, in the platform's zone (Europe/Paris)


class OperatorFigures(BaseModel):
    user_id: int
    name: str
    answered: int
    talk_seconds: float
    wrap_up_seconds: float
    pause_seconds_by_reason: dict[str, float]  # pause reason code → seconds within the period


class HotlineStatsOut(BaseModel):
    start: datetime
    end: datetime
    service_level_seconds: int
    service_level_target_percent: int
    total: HotlineFigures
    hours: list[HourFigures]
    operators: list[OperatorFigures]
    qualifications: dict[str, int]  # qualification code → calls
