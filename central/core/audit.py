"""The audit log: who read what, when, through which scope, and how many rows.

An entry names the account, its role, area and enterprise, the action, the kind of object,
the route template (`GET /api/v1/checkpoints/{checkpoint_id}`: never the values in it), the
scope's filter and the row count. Never the data read: no names, ID numbers or code ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from central.core.deps import NowDep, SessionDep
from central.core.models import AuditEntry
from central.core.scope import Scope, ScopeDep


class Action(StrEnum):
    LIST = "list"
    READ = "read"
    EXPORT = "export"
    CHANGE = "change"  # a record changed by hand (an in-person phone reset)
    DECIDE = "decide"  # a fever case confirmed or dismissed
    IMPORT = "import"  # a region file loaded from the regions page


@dataclass
class Auditor:
    """Bound to one request: its session, the reader's scope, the time and the route."""

    session: Session
    scope: Scope
    now: datetime
    route: str

    def record(self, action: Action, object_type: str, row_count: int) -> None:
        """Write the entry and commit: a read is logged before its data leaves the server
        (inside `entries_together`, the commit comes when the page's reads are done)."""
        self.session.add(
            AuditEntry(
                at=self.now,
                actor_id=self.scope.account_id,
                actor_role=self.scope.role.value,
                actor_area=self.scope.area or "",
                actor_enterprise_id=self.scope.enterprise_id,
                action=action.value,
                object_type=object_type,
                route=self.route[:200],
                scope=self.scope.describe()[:100],
                row_count=row_count,
            )
        )
        if not self.session.info.get(_TOGETHER):
            self.session.commit()


_TOGETHER = "audit_entries_together"


@contextmanager
def entries_together(session: Session) -> Iterator[None]:
    """A page that reads several kinds of rows (a dashboard): its entries committed at once
    when its reads are done, still before its answer leaves, instead of a commit per read. They
    are not flushed before (no autoflush), so no write lock is held while the page reads; a
    failure inside commits nothing, and nothing is sent."""
    session.info[_TOGETHER] = True
    try:
        with session.no_autoflush:
            yield
    finally:
        session.info.pop(_TOGETHER, None)
    session.commit()


def _route_template(request: Request) -> str:
    route = request.scope.get("route")
    path = getattr(route, "path_format", None) or request.url.path
    return f"{request.method} {path}"


def _auditor(request: Request, session: SessionDep, scope: ScopeDep, now: NowDep) -> Auditor:
    return Auditor(session, scope, now, _route_template(request))


AuditDep = Annotated[Auditor, Depends(_auditor)]
