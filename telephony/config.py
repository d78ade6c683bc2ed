"""Settings of the softphone (pjsua2-free): where it binds, its account, its audio devices."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class AudioDevices:
    """Device names as listed by ``centrale-phone devices``; None means the system default.

    With no sound device at all (servers, CI) the null device is used whatever is asked.
    """

    input: str | None = None
    output: str | None = None
    ring: str | None = None  # where the ring tone plays (e.g. the PC speakers); None: output


@dataclass(frozen=True, slots=True)
class PhoneConfig:
    bind_address: str = "127.0.0.1"
    port: int = 5060  # 0: any free port
    public_address: str = ""  # advertised in SIP and SDP when behind NAT; empty: bind_address
    audio: AudioDevices = field(default_factory=AudioDevices)
    null_audio: bool = False  # force the null device even when real devices exist
    # The pjsua2 thread blocks in libHandleEvents for at most this long, then runs queued commands.
    poll_ms: int = 20
    # Extra sleep between two polls; > 0 emulates the timer-polled driver (measurements only).
    idle_sleep_ms: int = 0
    log_level: int = 1  # pjsip console log level, 0-6 (the password never appears below 5)
    user_agent: str = "Centrale"
    # Identity of the account used without a registrar (direct calls, ``centrale-phone call``).
    local_user: str = "centrale"
    local_display_name: str = ""
    network_check_seconds: float = 5.0  # how often the local address is checked (0: never)
    max_calls: int = 8  # simultaneous calls (the hotline's queue holder needs two per waiting caller)
    # Diagnostics (support checks and tests): a steady tone sent into every call instead of the
    # microphone (0: off), and every call's received audio written to <record_dir>/call-<id>.wav.
    test_tone_hz: int = 0
    record_dir: str = ""


@dataclass(frozen=True, slots=True)
class SipAccount:
    """A digest-authenticated SIP account; the password is passed separately, never stored here."""

    uri: str  # "sip:operateur@pbx.example"
    registrar: str  # "sip:pbx.example"
    username: str
    realm: str = "*"
    expires_seconds: int = 300
    display_name: str = ""
