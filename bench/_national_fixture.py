"""The national-list part of the issuance bench (issue 26): Shaanxi residents who each travelled
from one of 10,200 counties elsewhere in China, and a signed national list naming 5,000 of those
counties high risk; measured: importing the list and recomputing everyone it affects.

The people are generated inside the database (a recursive CTE on SQLite, generate_series on
PostgreSQL), so a million of them take seconds, not minutes of round trips; each run builds a
fresh database and drops it after. Used by bench/issuance.py (`--only national`).
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _postgres import throwaway_database
from sqlalchemy import text

from central.core.db import make_engine, make_sessions, migrate
from central.issuance import changes
from central.issuance.national_risk import NationalRiskDocument, import_list
from central.issuance.rules import Facts, RiskLevel, Stop
from healthcode.keys import SigningKey

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
RESIDENCE = "610113001001"
PROVINCES, CITIES, COUNTIES = 30, 20, 17  # provinces 11..40 (never Shaanxi's 61)
AREAS = PROVINCES * CITIES * COUNTIES  # 10,200 counties people travelled from
LISTED = 5_000  # the national list: every other county, 5,000 of them
PLACEHOLDER = "999999"


def area_code(index: int) -> str:
    province, rest = divmod(index, CITIES * COUNTIES)
    city, county = divmod(rest, COUNTIES)
    return f"{11 + province:02d}{city + 1:02d}{county + 1:02d}"


def listed_areas() -> dict[str, RiskLevel]:
    return {area_code(index): RiskLevel.HIGH for index in range(0, 2 * LISTED, 2)}


def _facts_template() -> str:
    stop = Stop(PLACEHOLDER, False, NOW.date())
    return json.dumps(Facts(residence=RESIDENCE, travel=(stop,)).to_json())


# The area of person i, in SQL: the county of index i % AREAS, spelt as area_code() does.
_AREA_SQL = {
    "sqlite": (
        "printf('%02d%02d%02d', 11 + (i % {areas}) / {per_province}, "
        "((i % {areas}) % {per_province}) / {counties} + 1, (i % {areas}) % {counties} + 1)"
    ),
    "postgresql": (
        "lpad((11 + (i % {areas}) / {per_province})::text, 2, '0') || "
        "lpad((((i % {areas}) % {per_province}) / {counties} + 1)::text, 2, '0') || "
        "lpad(((i % {areas}) % {counties} + 1)::text, 2, '0')"
    ),
}
_SERIES = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) ",
    "postgresql": "WITH n(i) AS (SELECT generate_series(0, {last})) ",
}
_RANDOM16 = {"sqlite": "randomblob(16)", "postgresql": "decode(md5(random()::text || i), 'hex')"}
_PERSON_ID = {
    "sqlite": "printf('%08d-0000-4000-8000-000000000000', i)",
    "postgresql": "lpad(i::text, 8, '0') || '-0000-4000-8000-000000000000'",
}


def _fill(url: str, people: int) -> None:
    # The SQL below is assembled from this module's constants and integers only.
    engine = make_engine(url)
    migrate(engine)
    dialect = engine.dialect.name
    area = _AREA_SQL[dialect].format(areas=AREAS, per_province=CITIES * COUNTIES, counties=COUNTIES)
    series = _SERIES[dialect].format(last=people - 1)
    person_id, random16 = _PERSON_ID[dialect], _RANDOM16[dialect]
    facts = f"replace(:template, '{PLACEHOLDER}', {area})"
    if dialect == "postgresql":
        facts = f"({facts})::json"
    with engine.begin() as connection:
        connection.execute(
            text(
                series + "INSERT INTO people (id, issuer, id_ix, name_enc, id_number_enc, id_type,"  # noqa: S608
                " holder, residence_area, ruleset, facts, code_id, code_ix, code_kind,"
                f" created_at, updated_at) SELECT {person_id}, '610000', {random16}, :dash,"
                f" :dash, 'resident_id', 'self', :residence, 'shaanxi', {facts}, {random16},"
                f" {random16}, 'app', :now, :now FROM n"
            ),
            {"template": _facts_template(), "dash": b"-", "residence": RESIDENCE, "now": NOW},
        )
        connection.execute(
            text(
                series + "INSERT INTO person_colours (person_id, colour, colour_seq,"  # noqa: S608
                f" colour_reason, lock_version) SELECT {person_id}, 'green', 1, 'declaration', 0"
                " FROM n"
            )
        )
        connection.execute(
            text(
                series + f"INSERT INTO person_areas (area_code, person_id) SELECT :residence,"  # noqa: S608
                f" {person_id} FROM n UNION ALL SELECT {area}, {person_id} FROM n"
            ),
            {"residence": RESIDENCE},
        )
        connection.execute(text("ANALYZE"))
    engine.dispose()


def apply_list(url: str) -> tuple[float, int, float]:
    """Import the signed list of 5,000 areas and work its recompute job; seconds, changes,
    and this process's CPU seconds (the machine may be shared: the wall time alone misleads)."""
    publisher = SigningKey.generate()
    document = NationalRiskDocument(1, NOW, listed_areas()).sign(publisher)
    engine = make_engine(url)
    sessions = make_sessions(engine)
    started, cpu = time.perf_counter(), time.process_time()
    result = import_list(sessions, document, publisher.public, "610000", NOW, source="bench")
    assert result.job_id is not None and result.areas == LISTED
    changes.run_job(sessions, result.job_id, lambda: NOW, owner="bench")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    with engine.connect() as connection:
        changed = connection.execute(
            text("SELECT changed FROM recompute_jobs WHERE id = :id"), {"id": result.job_id}
        ).scalar_one()
    engine.dispose()
    return elapsed, int(changed), cpu


def national_sqlite(people: int) -> tuple[float, int, float, float]:
    """(seconds to apply, colours changed, CPU seconds, seconds to build the fixture)."""
    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite:///{Path(work) / 'central.db'}"
        built = time.perf_counter()
        _fill(url, people)
        build_s = time.perf_counter() - built
        seconds, changed, cpu = apply_list(url)
    return seconds, changed, cpu, build_s


def national_postgres(people: int, base: str) -> tuple[float, int, float, float]:
    with throwaway_database(base, "bench_national") as url:
        built = time.perf_counter()
        _fill(url, people)
        build_s = time.perf_counter() - built
        seconds, changed, cpu = apply_list(url)
        return seconds, changed, cpu, build_s
