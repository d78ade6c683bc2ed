"""The web app's own settings, read from the environment once when the app is mounted."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from server.settings import SettingsError

DEFAULT_TILE_ATTRIBUTION = "© contributeurs OpenStreetMap"


@dataclass(frozen=True)
class WebSettings:
    # A session ends after this long without a request (the PIN then reopens it on a trusted device)…
    idle_minutes: int = 30
    # …and in any case this long after the login (a working day).
    session_hours: int = 12
    # A trusted device (quick unlock by PIN) is forgotten after this long unused.
    device_days: int = 30
    # Map tiles, e.g. https://tile.example.org/{z}/{x}/{y}.png; empty: the map shows no background.
    tile_url: str = ""
    tile_attribution: str = DEFAULT_TILE_ATTRIBUTION
    # Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto for the Secure flag.
    trusted_proxy: bool = False

    @property
    def tile_origin(self) -> str | None:
        """scheme://host[:port] of the tile server, for the Content-Security-Policy."""
        if not self.tile_url:
            return None
        parts = urlsplit(self.tile_url.replace("{s}", "a"))
        return f"{parts.scheme}://{parts.netloc}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> WebSettings:
        env = dict(os.environ if environ is None else environ)
        settings = cls(
            idle_minutes=int(env.get("CENTRALE_WEB_IDLE_MINUTES", "30")),
            session_hours=int(env.get("CENTRALE_WEB_SESSION_HOURS", "12")),
            device_days=int(env.get("CENTRALE_WEB_DEVICE_DAYS", "30")),
            tile_url=env.get("CENTRALE_TILE_URL", "").strip(),
            tile_attribution=env.get("CENTRALE_TILE_ATTRIBUTION", DEFAULT_TILE_ATTRIBUTION),
            trusted_proxy=env.get("CENTRALE_TRUSTED_PROXY", "") == "1",
        )
        settings.check()
        return settings

    def check(self) -> None:
        if min(self.idle_minutes, self.session_hours, self.device_days) <= 0:
            raise SettingsError("Durées de session du web : des nombres positifs sont attendus")
        if self.tile_url:
            parts = urlsplit(self.tile_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or "{z}" not in self.tile_url:
                raise SettingsError(
                    "CENTRALE_TILE_URL : une adresse http(s) avec {z}, {x} et {y} est attendue"
                )
