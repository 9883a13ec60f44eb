"""The daily push of codes (issue 25, notice 001): per street and colour, the codes issued and
changed on the day, and the holders of each colour; counts only. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import Person
from central.issuance.feed import Change, append_change
from central.issuance.rules import Colour
from central.reports.codes_daily import CODES_COLUMNS, push_codes
from tests.central.conftest import Central
from tests.central.issuance_world import declaration, declare

STREET = "610102001"  # 西一路街道
OTHER_STREET = "610102004"  # 韩森寨街道


def _rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_codes_push_counts_issued_and_changed_codes_per_street_and_colour(
    central: Central, tmp_path: Path
) -> None:
    for serial, residence in ((1, f"{STREET}001"), (2, f"{STREET}002"), (3, f"{OTHER_STREET}001")):
        declare(central, declaration(serial, residence=residence))
    sessions = central.app.state.sessions
    with session_scope(sessions) as session:
        person = session.scalars(
            select(Person).where(Person.residence_area == f"{STREET}002")
        ).one()
        append_change(
            session,
            Change(person.issuer, person.code_id, Colour.RED, 2, "fever_case", central.clock()),
        )
        person.colour, person.colour_seq = "red", 2
    day = central.clock().astimezone(ZoneInfo("Asia/Shanghai")).date()
    with session_scope(sessions) as session:
        path, count = push_codes(session, day, tmp_path)
    header, *rows = _rows(path)
    assert tuple(header) == CODES_COLUMNS and count == len(rows) == 3
    assert rows == [
        [day.isoformat(), STREET, "绿码", "1", "0", "1"],
        [day.isoformat(), STREET, "红码", "1", "1", "1"],
        [day.isoformat(), OTHER_STREET, "绿码", "1", "0", "1"],
    ]
    with session_scope(sessions) as session:
        _, nothing = push_codes(session, day.replace(year=day.year - 1), tmp_path)
    assert nothing == 3  # the holders are counted whatever the day: the rows stay
    header, *rows = _rows(tmp_path / f"codes-{day.replace(year=day.year - 1).isoformat()}.csv")
    assert [r[3:5] for r in rows] == [["0", "0"]] * 3
