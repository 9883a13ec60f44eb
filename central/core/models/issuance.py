"""People and their codes, the areas their colours hang on, recompute jobs, the status feed and
SMS challenges."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    insert,
    join,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, column_property, mapped_column

from central.core.db import UTCDateTime
from central.core.models.base import Base, new_id

# ---------------------------------------------------------------- issuance (issue 13)
# People who hold a code of this issuer. Full name, ID number and phone only as ciphertext
# (central.issuance.people.PeopleCipher, a key outside the database); ID number and phone are
# found through keyed blind indexes. `facts` is what the colour rules look at.


_people = Table(
    "people",
    Base.metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("issuer", String(6), nullable=False),
    Column("id_ix", LargeBinary(16), nullable=False),
    Column("phone_ix", LargeBinary(16), index=True),
    Column("name_enc", LargeBinary, nullable=False),
    Column("id_number_enc", LargeBinary, nullable=False),
    Column("phone_enc", LargeBinary),
    Column("workplace_enc", LargeBinary),
    Column("id_type", String(16), nullable=False),
    Column("holder", String(16), nullable=False),  # self, guardian, community
    # The account that made a community (proxy) declaration: it reads those codes back.
    Column("issued_by_id", String(36), index=True),
    Column("residence_area", String(15), nullable=False, index=True),
    Column("ruleset", String(32), nullable=False),
    Column("facts", JSON, nullable=False),
    # The code: one id per person and issuer, kept for good.
    Column("code_id", LargeBinary(16), nullable=False, unique=True),
    Column("code_ix", LargeBinary(16), nullable=False, index=True),  # ingest's blind index
    Column("code_kind", String(8), nullable=False),
    Column("holder_token_hash", LargeBinary(32), unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
Index("ix_people_issuer_id", _people.c.issuer, _people.c.id_ix, unique=True)

# What a recompute writes, apart: the colour, its sequence (growing with each change), the
# next time time alone may change it, and the version every writer bumps when it locks the
# person. A narrow row with two indexes: re-colouring a million people rewrites these rows
# only, not the wide `people` rows and their nine indexes (measured on PostgreSQL: 8 us a row
# here, 28 us a row there).
_person_colours = Table(
    "person_colours",
    Base.metadata,
    Column(
        "person_id",
        String(36),
        ForeignKey("people.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("colour", String(8), nullable=False),
    Column("colour_seq", Integer, nullable=False),
    Column("colour_reason", String(64), nullable=False),
    Column("review_at", UTCDateTime(), index=True),
    Column("lock_version", Integer, nullable=False, default=0),
)


class Person(Base):
    """A person with a code: one object over `people` and `person_colours` (one row each, same
    id). The ORM writes each table's row only when one of its columns changed; bulk
    statements name the table they write (`Person.colours_table`)."""

    __table__ = join(_people, _person_colours, _people.c.id == _person_colours.c.person_id)
    people_table: ClassVar[Table] = _people
    colours_table: ClassVar[Table] = _person_colours

    id: Mapped[str] = column_property(_people.c.id, _person_colours.c.person_id)
    issuer: Mapped[str]
    id_ix: Mapped[bytes]
    phone_ix: Mapped[bytes | None]
    name_enc: Mapped[bytes]
    id_number_enc: Mapped[bytes]
    phone_enc: Mapped[bytes | None]
    workplace_enc: Mapped[bytes | None]
    id_type: Mapped[str]
    holder: Mapped[str]
    issued_by_id: Mapped[str | None]
    residence_area: Mapped[str]
    ruleset: Mapped[str]
    facts: Mapped[dict[str, Any]]
    code_id: Mapped[bytes]
    code_ix: Mapped[bytes]
    code_kind: Mapped[str]
    holder_token_hash: Mapped[bytes | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    colour: Mapped[str]
    colour_seq: Mapped[int]
    colour_reason: Mapped[str]
    review_at: Mapped[datetime | None]
    lock_version: Mapped[int]


def insert_people(executor: Session | Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many people at once from rows of `Person` attribute names: each row split into
    its `people` and its `person_colours` row, one statement per table (fixtures, imports)."""
    people_columns = set(_people.c.keys())
    colour_columns = set(_person_colours.c.keys()) - {"person_id"}
    people_rows = [{k: v for k, v in row.items() if k in people_columns} for row in rows]
    colour_rows = [
        {"person_id": row["id"], **{k: v for k, v in row.items() if k in colour_columns}}
        for row in rows
    ]
    executor.execute(insert(_people), people_rows)
    executor.execute(insert(_person_colours), colour_rows)


class AreaColourCount(Base):
    """Code holders by where they live and their colour, as signed changes: the database's
    triggers (migration 0015) add a row each time a person is given a colour, changes colour,
    moves or is removed, in the statement's own transaction, so the sum of an area's rows is
    the count the join of `people` and `person_colours` gives. Only inserts: two transactions
    never wait on one counter. The periodic jobs fold each area's rows into one
    (central/issuance/area_colours.py)."""

    __tablename__ = "area_colour_counts"
    # A dashboard sums an area's rows: a range of this index, nothing else read.
    __table_args__ = (Index("ix_area_colour_counts_area", "area_code", "colour", "people"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    area_code: Mapped[str] = mapped_column(String(15))
    colour: Mapped[str] = mapped_column(String(8))
    people: Mapped[int] = mapped_column(Integer)  # a change: +1, -1, or a folded sum


class PersonArea(Base):
    """The areas a person's colour depends on: who to recompute when an area's level changes."""

    __tablename__ = "person_areas"

    area_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    person_id: Mapped[str] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CheckIn(Base):
    """A holder's daily check-in (健康打卡), one row per person and local day (the day's last
    answer; abnormal when any answer was), with the residence copied so an area's day is one
    indexed range. No temperature or symptom beyond what the staff list shows."""

    __tablename__ = "check_ins"
    __table_args__ = (Index("ix_check_ins_day_area", "day", "residence_area"),)

    person_id: Mapped[str] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    residence_area: Mapped[str] = mapped_column(String(15))
    at: Mapped[datetime]
    abnormal: Mapped[bool] = mapped_column(Boolean)
    temperature_celsius: Mapped[float | None] = mapped_column(Float)


class AreaRisk(Base):
    __tablename__ = "area_risks"

    area_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    level: Mapped[str] = mapped_column(String(8))
    changed_at: Mapped[datetime]
    changed_by: Mapped[str | None] = mapped_column(String(36))


class RecomputeJob(Base):
    """A background recomputation, done in batches by whichever process holds its lease."""

    __tablename__ = "recompute_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    area_code: Mapped[str] = mapped_column(String(15), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, running, done
    # Where the next batch starts: "area code|person id" of the last (area, person) done.
    cursor: Mapped[str] = mapped_column(String(64), default="")
    processed: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # A job over many areas at once (a national list's changes): their codes; None for one area.
    areas: Mapped[list[str] | None] = mapped_column(JSON)


class NationalRiskList(Base):
    """A national list of risk areas, imported as a signed document (issue 26)."""

    __tablename__ = "national_risk_lists"

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    issued_at: Mapped[datetime]
    imported_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(255))  # a file name or the polled URL
    areas: Mapped[int] = mapped_column(Integer)
    # The importing province's area: inside it the province's own settings win.
    own_area: Mapped[str] = mapped_column(String(15))
    job_id: Mapped[str | None] = mapped_column(String(36))
    # The key id (hex) of the publisher key it was verified with; None before migration 0020.
    publisher: Mapped[str | None] = mapped_column(String(64))
    # Who imported it: an account id; None for the server's own import (CLI, the poll).
    imported_by: Mapped[str | None] = mapped_column(String(36))


class NationalRiskPoll(Base):
    """The last poll of a national list URL and what came of it (the page shows it)."""

    __tablename__ = "national_risk_polls"

    url: Mapped[str] = mapped_column(String(255), primary_key=True)
    polled_at: Mapped[datetime]
    # imported, unchanged (the list in force again), refused (a list not taken), unreachable
    outcome: Mapped[str] = mapped_column(String(16))
    problem: Mapped[str] = mapped_column(String(32), default="")  # a NationalListError kind
    sequence: Mapped[int | None] = mapped_column(BigInteger)


class NationalRiskArea(Base):
    """An area of the newest national list and its level."""

    __tablename__ = "national_risk_areas"

    area_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    level: Mapped[str] = mapped_column(String(8))


class StatusFeedEntry(Base):
    """The status feed, append-only: numbered by `feed_head` so numbers commit in order."""

    __tablename__ = "status_feed"

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    issuer: Mapped[str] = mapped_column(String(6))
    code_id: Mapped[bytes] = mapped_column(LargeBinary(16))
    colour: Mapped[str] = mapped_column(String(8))
    colour_seq: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(36))  # an account id, "holder" or "system"


class FeedHead(Base):
    """One row: the last feed sequence handed out. Its row lock orders concurrent appends."""

    __tablename__ = "feed_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(BigInteger)


class SmsChallenge(Base):
    """A code sent by SMS to verify a phone number: kept hashed, tried a few times at most."""

    __tablename__ = "sms_challenges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    phone_ix: Mapped[bytes] = mapped_column(LargeBinary(16), index=True)
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None]


Index("ix_status_feed_code", StatusFeedEntry.issuer, StatusFeedEntry.code_id)
