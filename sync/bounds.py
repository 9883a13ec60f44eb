"""Bounds of values at the wire, shared by the kiosk and central (issue 27).

Every number a request carries fits the column it is stored in (a signed 64-bit integer), every
time and day lies in the years the service can compute with (its local-day arithmetic, its
exports), and every temperature is one a thermometer can read. A value outside is refused where
it arrives, with its field named, instead of failing later in the database or an export.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AwareDatetime, Field

MAX_INT64 = 2**63 - 1
# Days and times the service reasons about: well inside Python's and the databases' calendars,
# so a day's local midnight, the day before and the week after can always be computed. A kiosk
# whose clock was reset still sends its records (from 1900 on); central then refuses each one
# outside its window alone (central/kiosks/ingest.py).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)
FIRST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
LAST_INSTANT = datetime(2199, 12, 31, tzinfo=UTC)
# What a thermometer at a checkpoint can physically report (degrees Celsius), wide enough that a
# kiosk never holds a reading its own upload would refuse; NaN and infinities never pass.
MIN_CELSIUS = -50.0
MAX_CELSIUS = 100.0

Int64 = Annotated[int, Field(ge=-MAX_INT64 - 1, le=MAX_INT64)]
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
Instant = Annotated[AwareDatetime, Field(ge=FIRST_INSTANT, le=LAST_INSTANT)]
Celsius = Annotated[float, Field(ge=MIN_CELSIUS, le=MAX_CELSIUS, allow_inf_nan=False)]
