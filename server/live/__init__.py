"""Live change feed for WebSocket clients.

`Hub` (hub.py) wakes the followers of one server process: from this process's commits and, on
PostgreSQL, from every process's commits through LISTEN/NOTIFY (pg_listener.py). Each follower
(follower.py) reads the feed from the database itself, so order and completeness never depend on
the wake-ups.
"""

from server.live.follower import follow
from server.live.hub import Hub, hub_of

__all__ = ["Hub", "follow", "hub_of"]
