"""The desktop's local SQLite file: wizard drafts, the outbox of cases, the feed position, a cache."""

from desktop.store.database import LocalStore
from desktop.store.outbox import Outbox, OutboxItem, OutboxState

__all__ = ["LocalStore", "Outbox", "OutboxItem", "OutboxState"]
