"""Centrale's Kamailio: the configuration shipped with the code (``centrale.cfg``) and its launcher."""

from telephony.kamailio.launcher import HotlineRouting, KamailioProcess, KamailioSettings, write_config

__all__ = ["HotlineRouting", "KamailioProcess", "KamailioSettings", "write_config"]
