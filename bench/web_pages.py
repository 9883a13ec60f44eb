"""Central's dashboard and reports pages with a province's records (issue 24).

    python bench/web_pages.py [--passages N] [--people N] [--requests N] [--database-url URL]

A province of 2,000 checkpoints (one kiosk each) in the counties of the shipped region file,
1,000,000 passages over the last 30 days (1 % fevers, a fever case each on its day) and
100,000 people with a code, written straight into a fresh database with the app's own tables.
Then the pages are asked through the app's ASGI interface (Starlette's TestClient) with a page
session of the province's administrator and of one county's (Xincheng, 610102): the dashboard
(`/admin`: tiles, alerts, fleet, the 7-day chart, colours by sub-area) and the reports page
(`/admin/reports`: today, the 7-day chart and table). The people's colour counters
(`area_colour_counts`, kept by the database's triggers as they are written) are folded once
written, as the periodic jobs do. Each request is timed inside the ASGI call, from the
request's arrival to the last byte of its answer: the server's time (`ServerTimer`,
bench/_server_time.py, shared with bench/web.py). Reference in the same run: the login page (a
template and nothing read), as a ratio.
PostgreSQL: with CENTRAL_TEST_POSTGRES_URL or --database-url, the same again in a throwaway
database there; without, its goal lines say it was not measured.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _postgres import throwaway_database
from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from central.administration.accounts import NewAccount, provision_account
from central.app import create_app
from central.core.admins import open_session
from central.core.bootstrap import prepare
from central.core.db import make_engine, make_sessions, session_scope
from central.core.deps import SESSION_COOKIE
from central.core.models import (
    Administrator,
    Checkpoint,
    FeverCase,
    Kiosk,
    Person,
    ReceivedPassage,
)
from central.core.regions import SAMPLE_FILE, load_region_file
from central.core.scope import Role
from central.core.settings import Settings
from central.issuance.area_colours import fold
from central.kiosks.passage_days import count_passages
from healthcode.console import say, survives_closed_stdout

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server_time import ServerTimer, goal, percentile

TARGET_MS = 300.0
DAYS = 30
PROVINCE = "610000"
COUNTY = "610102"
TOWNS = {  # the sample file's towns by county: checkpoints sit in towns
    "610102": ["610102001", "610102002", "610102003", "610102004", "610102005"],
    "610103": ["610103001", "610103002"],
    "610113": ["610113001", "610113002"],
    "610124": ["610124100", "610124101", "610124102"],
}
VILLAGES = [
    "610102001001", "610102001002", "610102004001", "610102004002",
    "610103001001", "610113001001", "610124101001", "610124101002", "610124102001",
]  # fmt: skip
OUTCOMES = ("pass",) * 90 + ("deny",) * 4 + ("refer",) * 2 + ("manual_check",) * 4
CHUNK = 20_000


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(settings: Settings, now: datetime, passages: int, people: int) -> dict[str, str]:
    """The province's records; the page-session tokens of the province and the county."""
    prepare(settings, now, first_admin="admin")
    engine = make_engine(settings.resolved_database_url)
    random.seed(7)
    checkpoints: list[tuple[str, str, str]] = []  # checkpoint, kiosk, county
    counties = list(TOWNS)
    for n in range(2000):
        county = counties[n % len(counties)] if n % 3 else COUNTY  # Xincheng is busiest
        town = TOWNS[county][n % len(TOWNS[county])]
        checkpoints.append((str(uuid.uuid4()), str(uuid.uuid4()), town))
    with engine.begin() as connection:
        connection.execute(
            insert(Checkpoint.__table__),
            [
                {
                    "id": cp, "name": f"卡口{n}", "checkpoint_type": "residential_compound",
                    "region_code": town[:6], "address": "地址", "created_at": now,
                    "area_code": town, "policy_version": 1, "roster_version": 0,
                }
                for n, (cp, _k, town) in enumerate(checkpoints)
            ],
        )  # fmt: skip
        connection.execute(
            insert(Kiosk.__table__),
            [
                {
                    "id": kiosk, "checkpoint_id": cp, "signing_public_key": bytes(32),
                    "encryption_public_key": bytes(32), "enrolled_at": now - timedelta(days=40),
                    "last_seen_at": now - timedelta(minutes=random.choice((1, 5, 90, 600))),
                    "backlog_records": random.randrange(0, 50), "feed_age_s": 600,
                }
                for cp, kiosk, _t in checkpoints
            ],
        )  # fmt: skip
    span_s = DAYS * 86400

    def passage_rows() -> Iterator[dict[str, Any]]:
        for n in range(passages):
            cp, kiosk, town = checkpoints[n % len(checkpoints)]
            at = now - timedelta(seconds=random.randrange(span_s))
            fever = random.random() < 0.01
            yield {
                "id": str(uuid.UUID(int=n + 1)), "kiosk_id": kiosk, "checkpoint_id": cp,
                "region_code": town[:6], "kiosk_seq": n, "at": at, "received_at": at,
                "clock_trusted": True, "issuer": "610000", "code_ix": secrets.token_bytes(16),
                "colour_in_code": "green", "colour_applied": "green",
                "outcome": "refer" if fever else random.choice(OUTCOMES), "reasons": "[]",
                "temperature_celsius": 38.2 if fever else 36.5, "fever": fever,
                "id_match": "not_checked", "policy_version": 1, "repeat": False,
            }  # fmt: skip

    fevers_since = now - timedelta(days=2)
    with session_scope(make_sessions(engine)) as session:
        for batch in _chunks(passage_rows()):
            session.execute(insert(ReceivedPassage.__table__), batch)
            count_passages(session, batch)  # as ingest counts them
            connection = session.connection()
            fevers = [
                {
                    "id": row["id"], "kiosk_id": row["kiosk_id"],
                    "checkpoint_id": row["checkpoint_id"], "region_code": row["region_code"],
                    "at": row["at"], "received_at": row["at"], "temperature_celsius": 38.2,
                    "issuer": "610000", "code_ix": row["code_ix"], "status": "open",
                }
                for row in batch
                if row["fever"] and row["at"] >= fevers_since
            ]  # fmt: skip
            if fevers:
                connection.execute(insert(FeverCase.__table__), fevers)
    people_table, colours_table = Person.__table__.left, Person.colours_table  # type: ignore[attr-defined]

    def people_rows() -> Iterator[dict[str, Any]]:
        for n in range(people):
            yield {
                "id": str(uuid.UUID(int=n + 1)), "issuer": "610000",
                "id_ix": secrets.token_bytes(16), "name_enc": b"x", "id_number_enc": b"x",
                "id_type": "resident_id", "holder": "self", "residence_area": VILLAGES[n % 9],
                "ruleset": "default", "facts": {}, "code_id": secrets.token_bytes(16),
                "code_ix": secrets.token_bytes(16), "code_kind": "app",
                "created_at": now, "updated_at": now,
            }  # fmt: skip

    with engine.begin() as connection:
        for batch in _chunks(people_rows()):
            connection.execute(insert(people_table), batch)
            connection.execute(
                insert(colours_table),
                [
                    {
                        "person_id": row["id"], "colour_seq": 1, "colour_reason": "bench",
                        "colour": random.choice(("green",) * 95 + ("yellow",) * 4 + ("red",)),
                        "lock_version": 0,
                    }
                    for row in batch
                ],
            )  # fmt: skip
    with session_scope(make_sessions(engine)) as session:
        fold(session)  # the colour counters' rows, folded as the periodic jobs do
    if engine.dialect.name == "postgresql":  # a serving database's autovacuum has run
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    tokens: dict[str, str] = {}
    engine = make_engine(settings.resolved_database_url)
    with session_scope(make_sessions(engine)) as session:
        load_region_file(session, SAMPLE_FILE)
        admin = session.query(Administrator).filter_by(username="admin").one()
        county, _ = provision_account(
            session,
            NewAccount("xincheng", Role.REGION_ADMIN, area_code=COUNTY),
            now,
            timedelta(days=1),
        )
        session.flush()
        for name, account in (("province", admin), ("county", county)):
            tokens[name], _ = open_session(session, account.id, now, timedelta(days=1))
    engine.dispose()
    return tokens


def measure(settings: Settings, tokens: dict[str, str], requests: int) -> dict[str, float]:
    timer = ServerTimer(create_app(settings))
    figures: dict[str, float] = {}
    with TestClient(timer) as client:
        for _ in range(requests):
            assert client.get("/admin/login").status_code == 200
        figures["reference"] = statistics.median(timer.samples)
        for who, token in tokens.items():
            client.cookies.set(SESSION_COOKIE, token)
            for page in ("/admin", "/admin/reports"):
                assert client.get(page).status_code == 200  # unmeasured: the cache warmed
                timer.samples.clear()
                for _ in range(requests):
                    answer = client.get(page)
                    assert answer.status_code == 200, answer.text[:300]
                figures[f"{who} {page}"] = percentile(timer.samples, 0.95)
                say(
                    f"  {who:8} {page:15} median {statistics.median(timer.samples):6.1f} ms,"
                    f" p95 {figures[f'{who} {page}']:6.1f} ms ({requests} requests, load average"
                    f" {os.getloadavg()[0]:.1f})"
                )
    return figures


def run(label: str, database_url: str | None, args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'central.db'}"
        settings = Settings(
            data_dir=Path(folder),
            database_url=url,
            sms_provider="log",  # no SMS is sent in this benchmark
            _env_file=None,  # type: ignore[call-arg]
        )
        now = datetime.now(UTC)
        started = time.perf_counter()
        tokens = seed(settings, now, args.passages, args.people)
        say(
            f"{label}: {args.passages:,} passages, {args.people:,} people, 2,000 checkpoints"
            f" written in {time.perf_counter() - started:.0f} s"
        )
        figures = measure(settings, tokens, args.requests)
        say(f"  reference (login page): median {figures['reference']:.1f} ms")
        return figures


def _goals(label: str, figures: dict[str, float] | None) -> None:
    for who in ("province", "county"):
        for page, name in (("/admin", "dashboard"), ("/admin/reports", "reports")):
            if figures is None:
                say(
                    f"goal web_{name}_{who}_p95_{label}: 0.00 ms (target <= {TARGET_MS:g}) missed"
                    " (not measured: no PostgreSQL, set CENTRAL_TEST_POSTGRES_URL or"
                    " --database-url)"
                )
                continue
            say(
                goal(
                    f"web_{name}_{who}_p95_{label}", figures[f"{who} {page}"], "ms", "<=", TARGET_MS
                )
            )


@survives_closed_stdout
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database-url", default=os.environ.get("CENTRAL_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    sqlite = run("sqlite", None, args)
    for who in ("province", "county"):
        ratio = sqlite[f"{who} /admin"] / sqlite["reference"]
        say(f"  ratio, {who} dashboard p95 / login page median: {ratio:.1f}")
    postgres = None
    if args.database_url:
        with throwaway_database(args.database_url, "bench_pages") as url:
            postgres = run("postgresql", url, args)
    _goals("sqlite", sqlite)
    _goals("postgresql", postgres)
    return 0


if __name__ == "__main__":
    sys.exit(main())
