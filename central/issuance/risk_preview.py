"""How many people a new area risk level would change, before it is saved: a pure count.

The same people as the recomputation job (`recompute_jobs.run_batch`: everyone who lives in or
travelled through the area, by `person_areas`), assessed by the same rules
(`recompute._Assessor`: the person's rule set over its facts) with the stored levels plus the
new one. Nothing is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.core.models import Person, PersonArea
from central.core.regions import prefix_of
from central.issuance.codes import risk_levels
from central.issuance.recompute import _PERSON_COLUMNS, _Assessor, _under
from central.issuance.rules import RiskLevel

READ_ROWS = 10_000


@dataclass(frozen=True)
class RiskPreview:
    total: int  # the people assessed
    changes: dict[tuple[str, str], int]  # (colour now, colour then) -> people, moves only

    @property
    def changed(self) -> int:
        return sum(self.changes.values())


def preview_area_risk(
    session: Session, area_code: str, level: RiskLevel, now: datetime
) -> RiskPreview:
    levels = risk_levels(session) | {area_code: level}
    assessor = _Assessor(session, now, levels)
    ids = (
        select(PersonArea.person_id)
        .where(_under(PersonArea.area_code, prefix_of(area_code)))
        .distinct()
    )
    rows = session.execute(
        select(*_PERSON_COLUMNS).where(Person.id.in_(ids)).execution_options(yield_per=READ_ROWS)
    )
    moves: Counter[tuple[str, str]] = Counter()
    total = 0
    for _id, _issuer, _code, ruleset_id, facts_text, colour, *_rest in rows:
        total += 1
        new_colour, _review = assessor.outcome(ruleset_id, facts_text)
        if new_colour != colour:
            moves[(colour, new_colour)] += 1
    return RiskPreview(total, dict(moves))
