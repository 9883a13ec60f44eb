"""The duty operator's look at the person in front of them (Hainan 004: 值守人员可以查看该进出
人员的所有关口记录), without Qt and without the supervisor's PIN: the signed-in operator is
enough.

From the passage just recorded (its id, as the result screen has it) the person's records are
this kiosk's passages of the same code over 14 days and, online, central's passages of that
code at every checkpoint of the kiosk's area (`kiosk.client.trail`). Every read is audited as
who read whose records: the operator and the passage's sequence number, never the code id or a
name. Each method that reads the store or the network blocks: the view runs it off the GUI
thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.sessions.supervisor import LogRow, deciding_reason
from kiosk.store import Store
from sync.schemas import TrailAnswer

Clock = Callable[[], datetime]
AreaTrail = Callable[[str, bytes], TrailAnswer | None]


@dataclass(frozen=True)
class PersonRecords:
    """What this kiosk holds of the person: their passages here, newest first, and the code
    to ask central about (None for a passage without a code: only that passage is shown)."""

    rows: tuple[LogRow, ...]
    issuer: str | None = None
    code_id: bytes | None = field(default=None, repr=False)

    @property
    def asks_central(self) -> bool:
        return self.issuer is not None and self.code_id is not None


class DutyTrailSession:
    """Reads the person's records for the signed-in operator; `clock` is the trusted time."""

    def __init__(self, store: Store, clock: Clock, *, area_trail: AreaTrail | None = None) -> None:
        self._store = store
        self.now = clock
        self._area_trail = area_trail

    @property
    def time_zone(self) -> str:
        return self._store.time_zone

    def records(self, record_id: uuid.UUID, operator_id: str) -> PersonRecords:
        """This kiosk's records of the person whose passage is `record_id` (blocking), audited
        as `operator_id` reading them. Unknown passage (purged): no rows."""
        passages = self._store.passages
        passage = passages.get(record_id)
        if passage is None:
            self._audit(operator_id, None, 0)
            return PersonRecords(())
        if passage.issuer is None or passage.code_id is None:
            rows = [passage]
        else:
            rows = passages.trail(passage.issuer, passage.code_id, self.now())
        overrides = passages.overrides_of([row.record_id for row in rows])
        shown = tuple(LogRow(r, deciding_reason(r), overrides.get(r.record_id)) for r in rows)
        self._audit(operator_id, passage.seq, len(shown))
        return PersonRecords(shown, passage.issuer, passage.code_id)

    def area(self, records: PersonRecords) -> TrailAnswer | None:
        """Central's passages of the code in this kiosk's area (blocking, a few seconds at
        most); None offline, not enrolled, or for a passage without a code."""
        if self._area_trail is None or records.issuer is None or records.code_id is None:
            return None
        return self._area_trail(records.issuer, records.code_id)

    def refused(self) -> None:
        """Someone touched the records with nobody signed in: kept, as every attempt is."""
        self._store.audit.record(self.now(), "", "person_trail_refused", {})

    def _audit(self, operator_id: str, passage_seq: int | None, rows: int) -> None:
        detail = {"passage_seq": passage_seq, "rows": rows}
        self._store.audit.record(self.now(), operator_id, "person_trail_view", detail)
