"""The kiosk's memory: passages, the outbox for upload, the status-feed copy and the audit log,
in one SQLite file with identifying columns encrypted under a separate key."""

from kiosk.store.crypto import StoreKeyError, StoreKeys
from kiosk.store.rows import LogFilter, PassageRow
from kiosk.store.store import DiskStatus, Operator, Store, StoreCounts

__all__ = [
    "DiskStatus",
    "LogFilter",
    "Operator",
    "PassageRow",
    "Store",
    "StoreCounts",
    "StoreKeyError",
    "StoreKeys",
]
