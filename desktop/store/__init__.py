"""The desktop's local SQLite file: wizard drafts, the outbox (cases and call records), the feed
position, a cache."""

from desktop.store.database import LocalStore
from desktop.store.outbox import ItemKind, Outbox, OutboxItem, OutboxState

__all__ = ["ItemKind", "LocalStore", "Outbox", "OutboxItem", "OutboxState"]
