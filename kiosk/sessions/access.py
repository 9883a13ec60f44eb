"""What the PIN gate needs of the store: who may sign in, the kept lockout state, the audit log."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from kiosk.checkpoint.access import ACCESS_META_KEY
from kiosk.sessions.staff import local_staff
from kiosk.store import Operator, Store

Clock = Callable[[], datetime]


class StaffAccess:
    """The roster (central's and the local technician and supervisors) and the lockout state,
    read and kept for the kiosk's one `AccessGate`; every audit entry timed by `clock`."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self.now = clock

    def load(self) -> tuple[list[Operator], str | None]:
        """The staff who may use a PIN here and the kept lockout state (blocking: a read)."""
        staff = self._store.copies.roster() + local_staff(self._store)
        return staff, self._store.meta.get(ACCESS_META_KEY)

    def keep_state(self, state: str) -> Future[None]:
        return self._store.meta.set(ACCESS_META_KEY, state)

    def audit(self, actor: str, action: str, detail: dict[str, Any]) -> Future[None]:
        """Write to the audit log without waiting (the store's writer keeps the order)."""
        return self._store.audit.record(self.now(), actor, action, detail)
