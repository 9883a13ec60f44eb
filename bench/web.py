"""Central's web under load (issue 24): the region picker's search, the dashboard and reports.

    python bench/web.py [--requests N] [--database-url URL]

The app (`central.app.create_app`) answers in this process through its ASGI interface (Starlette's
TestClient); each request is timed inside the ASGI call, from the request's arrival to the last
byte of its answer (routing, dependencies, the public route's rate-limit write, the query, the
JSON): the server's time, without the test client's thread hops, which on a busy 2-core machine
cost more than the answer. Two region trees:
- shipped: the region file the product ships (central/core/data/regions_shaanxi_sample.csv);
- province: the same plus a generated province of the size of a real one (14 cities,
  112 counties, 1,344 towns, 20,160 villages, 80,640 groups: 102,271 regions), names made of
  common place-name characters, loaded with the same pinyin as `load_regions` works out.
Searches: a mix of what people type: one or two Chinese characters from a name, pinyin
initials (2-4 letters), the first pinyin syllable, a code prefix; answered by the public route
of the declaration page (`/api/v1/issuance/regions/search`, rate limit raised for the run) and
by the administrators' API (`/api/v1/regions/search`, the province's account). Reference in the
same run: the path of a code (primary-key reads through the same stack), as a ratio.
PostgreSQL: with CENTRAL_TEST_POSTGRES_URL or --database-url, the province tree again in a
throwaway database there; without, its goal line says it was not measured.

The dashboard and reports pages of a province (1,000,000 passages, 100,000 people) have their
own benchmark: bench/web_pages.py.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from central.app import create_app
from central.core.admins import open_session
from central.core.bootstrap import prepare
from central.core.db import session_scope
from central.core.models import Administrator, Region
from central.core.regions import SAMPLE_FILE, level_of, load_region_file, parent_of, romanise
from central.core.settings import Settings
from healthcode.console import say, survives_closed_stdout

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _postgres import throwaway_database
from _server_time import ServerTimer, goal, percentile

TARGET_MS = 50.0
PROVINCE = "620000"  # not in the shipped file: the generated province sits beside Shaanxi
SHAPE = (14, 8, 12, 15, 4)  # cities per province, counties per city, towns, villages, groups
SUFFIXES = ("市", "县", "镇", "村", "组")
CHARACTERS = (
    "东西南北中上下前后新老大小高长安平和兴隆丰庆宁泰永清河山川水石桥湾沟坪园林庄寨堡营屯关岭峪头口"
)
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
SESSION_TTL = timedelta(days=1)


def generated_province() -> list[dict[str, object]]:
    """The generated regions as rows of `regions`, pinyin included, parents first."""
    chance = random.Random(24)
    rows: list[dict[str, object]] = []

    def add(code: str, level: int) -> None:
        name = "".join(chance.choice(CHARACTERS) for _ in range(2)) + SUFFIXES[level - 2]
        if level == 6:
            name = f"{chance.choice(CHARACTERS)}{chance.randint(1, 9)}组"
        pinyin, initials = romanise(name)
        rows.append(
            {
                "code": code,
                "level": level,
                "parent_code": parent_of(code),
                "name_zh": name,
                "name_en": None,
                "pinyin": pinyin,
                "pinyin_initials": initials,
            }
        )

    pinyin, initials = romanise("陇原省")
    rows.append(
        {
            "code": PROVINCE,
            "level": 1,
            "parent_code": None,
            "name_zh": "陇原省",
            "name_en": "Longyuan",
            "pinyin": pinyin,
            "pinyin_initials": initials,
        }
    )
    cities, counties, towns, villages, groups = SHAPE
    for c in range(1, cities + 1):
        city = f"62{c:02d}00"
        add(city, 2)
        for k in range(1, counties + 1):
            county = f"62{c:02d}{k:02d}"
            add(county, 3)
            for t in range(1, towns + 1):
                town = f"{county}{t:03d}"
                add(town, 4)
                for v in range(1, villages + 1):
                    village = f"{town}{v:03d}"
                    add(village, 5)
                    for g in range(1, groups + 1):
                        add(f"{village}{g:03d}", 6)
    assert all(level_of(str(row["code"])) == row["level"] for row in rows[:50])
    return rows


def queries(rows: list[dict[str, object]], count: int) -> list[str]:
    """What people type: Chinese characters, initials, a syllable, a code prefix; some fixed."""
    chance = random.Random(7)
    fixed = ["blq", "碑林", "xa", "西一路", "beilin", "6101", "长乐", "hsz"]
    made: list[str] = []
    while len(made) + len(fixed) < count:
        row = chance.choice(rows)
        name, initials = str(row["name_zh"]), str(row["pinyin_initials"])
        kind = len(made) % 4
        if kind == 0:
            start = chance.randrange(max(1, len(name) - 1))
            made.append(name[start : start + chance.choice((1, 2))])
        elif kind == 1:
            made.append(initials[: chance.randint(2, 4)])
        elif kind == 2:
            made.append(str(row["pinyin"])[: chance.randint(3, 6)])
        else:
            made.append(str(row["code"])[: chance.choice((4, 6, 9))])
    return fixed + made


@contextmanager
def central(database_url: str | None, folder: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(
        data_dir=folder,
        database_url=database_url,
        region_lookups_per_minute=1_000_000,
        sms_provider="log",
        api_docs=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    prepare(settings, NOW, first_admin="admin")
    app = create_app(settings)
    with session_scope(app.state.sessions) as session:
        admin = session.query(Administrator).filter_by(username="admin").one()
        token, _ = open_session(session, admin.id, datetime.now(UTC), SESSION_TTL)
    try:
        with TestClient(ServerTimer(app)) as client:
            yield client, {"Authorization": f"Bearer {token}"}
    finally:
        app.state.engine.dispose()


def load(client: TestClient, province: list[dict[str, object]] | None) -> None:
    app = client.app.app  # type: ignore[attr-defined]
    with session_scope(app.state.sessions) as session:  # type: ignore[attr-defined]
        load_region_file(session, SAMPLE_FILE)
        if province:
            for start in range(0, len(province), 20_000):
                session.execute(insert(Region), province[start : start + 20_000])
    if app.state.engine.dialect.name == "postgresql":  # type: ignore[attr-defined]
        with app.state.engine.begin() as connection:  # type: ignore[attr-defined]
            connection.execute(text("ANALYZE regions"))


def timed(client: TestClient, urls: list[str], headers: dict[str, str]) -> list[float]:
    """The server's time of each request, in ms."""
    timer: ServerTimer = client.app  # type: ignore[assignment]
    timer.samples.clear()
    for url in urls:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:200])
    return list(timer.samples)


def measure(label: str, client: TestClient, admin: dict[str, str], typed: list[str]) -> float:
    """The searches' p95 (public route), with the other routes and the reference beside it."""
    from urllib.parse import quote

    # One unmeasured pass first: a serving database has its region table in memory.
    timed(client, [f"/api/v1/issuance/regions/search?q={quote(q)}" for q in typed], {})
    public = timed(client, [f"/api/v1/issuance/regions/search?q={quote(q)}" for q in typed], {})
    api = timed(client, [f"/api/v1/regions/search?q={quote(q)}" for q in typed], admin)
    found = client.get(f"/api/v1/issuance/regions/search?q={quote(typed[0])}").json()
    codes = [hit["code"] for hit in found] or ["610103"]
    paths = timed(
        client,
        [f"/api/v1/issuance/regions/path?code={codes[i % len(codes)]}" for i in range(len(typed))],
        {},
    )
    drill = timed(client, ["/api/v1/issuance/regions/children"] * 50, {})
    p95 = percentile(public, 0.95)
    say(
        f"{label}, load average {os.getloadavg()[0]:.1f}: {len(typed)} searches, public route "
        f"p50 {statistics.median(public):.2f} ms, p95 {p95:.2f} ms, max {max(public):.2f} ms; "
        f"administrators' API p95 {percentile(api, 0.95):.2f} ms; children of the top p95 "
        f"{percentile(drill, 0.95):.2f} ms; "
        f"reference: a code's path p95 {percentile(paths, 0.95):.2f} ms "
        f"(search / path {p95 / percentile(paths, 0.95):.2f})"
    )
    return p95


@survives_closed_stdout
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="searches per tree")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: the environment's)")
    args = parser.parse_args()
    started = time.perf_counter()
    province = generated_province()
    say(f"fixture: {len(province):,} generated regions in {time.perf_counter() - started:.1f} s")
    typed_shipped = queries(
        [
            {"name_zh": n, "pinyin": p, "pinyin_initials": i, "code": c}
            for c, n, p, i in _shipped_rows()
        ],
        args.requests,
    )
    typed_province = queries(province, args.requests)
    lines = []
    with tempfile.TemporaryDirectory() as work:
        with central(None, Path(work) / "shipped") as (client, admin):
            load(client, None)
            shipped = measure("SQLite, shipped regions", client, admin, typed_shipped)
        lines.append(goal("region_search_p95", shipped, "ms", "<=", TARGET_MS))
        with central(None, Path(work) / "province") as (client, admin):
            load(client, province)
            sqlite_p95 = measure(
                "SQLite, + a 102,271-region province", client, admin, typed_province
            )
        lines.append(goal("region_search_province_p95", sqlite_p95, "ms", "<=", TARGET_MS))
        base = args.database_url or os.environ.get("CENTRAL_TEST_POSTGRES_URL")
        if not base:
            lines.append(
                "goal region_search_postgres_p95: 0.00 ms (target <= 50) missed (no PostgreSQL: "
                "set CENTRAL_TEST_POSTGRES_URL or --database-url)"
            )
        else:
            with (
                throwaway_database(base, "bench_web") as url,
                central(url, Path(work) / "postgres") as (client, admin),
            ):
                load(client, province)
                pg_p95 = measure("PostgreSQL, + the province", client, admin, typed_province)
            lines.append(goal("region_search_postgres_p95", pg_p95, "ms", "<=", TARGET_MS))
    for line in lines:
        say(line)
    return 0


def _shipped_rows() -> list[tuple[str, str, str, str]]:
    from central.core.regions import parse_regions

    rows = parse_regions(SAMPLE_FILE.read_text(encoding="utf-8"))
    return [(r.code, r.name_zh, *romanise(r.name_zh)) for r in rows]


if __name__ == "__main__":
    raise SystemExit(main())
