"""The kiosk's memory: passages, the outbox for upload, the copies of what central sends and the
audit log, in one SQLite file with identifying columns encrypted under a separate key. `Store`
opens it; its table groups are `store.passages`, `store.outbox`, `store.copies`, `store.audit`
and `store.meta`."""

from kiosk.store.copies import Operator
from kiosk.store.crypto import StoreKeyError, StoreKeys
from kiosk.store.passages import StoreCounts
from kiosk.store.rows import LogFilter, OverrideRow, PassageRow
from kiosk.store.store import DiskStatus, Store

__all__ = [
    "DiskStatus",
    "LogFilter",
    "Operator",
    "OverrideRow",
    "PassageRow",
    "Store",
    "StoreCounts",
    "StoreKeyError",
    "StoreKeys",
]
