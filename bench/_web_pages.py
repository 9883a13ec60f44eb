"""Part of bench/web.py: the dashboard and reports pages over 1,000,000 passages and 100,000
people (SQLite), rendered for the province's and a county's administrator.

The fixture (cached in bench/.cache, built once): the people of bench/_issuance_fixture.py (all
living in Yanta county, 610113), the shipped regions, 20 checkpoints with one kiosk each (ten in
Yanta, ten in Xincheng), and 1,000,000 passages spread over the last 30 local days up to the
build (pass 90%, deny 4%, referred 6%; 0.5% fevers, each an open fever case). Identifying
columns are left empty: no page reads them. The pages are timed in server time (ServerTimer).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _issuance_fixture import CACHE, sqlite_fixture
from fastapi.testclient import TestClient
from sqlalchemy import insert

from central.administration.accounts import NewAccount, provision_account
from central.app import create_app
from central.core.admins import open_session
from central.core.bootstrap import prepare
from central.core.db import make_engine, migrate, session_scope
from central.core.deps import SESSION_COOKIE
from central.core.models import (
    Administrator,
    Checkpoint,
    FeverCase,
    Kiosk,
    ReceivedPassage,
)
from central.core.regions import SAMPLE_FILE, load_region_file
from central.core.scope import Role
from central.core.settings import Settings

PEOPLE = 100_000
PASSAGES = 1_000_000
DAYS = 30
FIXTURE_VERSION = 1
# Ten checkpoints in Yanta county (where the people live), ten in Xincheng.
CHECKPOINT_AREAS = ["610113001001"] * 5 + ["610113001"] * 5 + ["610102001", "610102004"] * 5
STEP = 50_000


def fixture() -> tuple[Path, datetime]:
    """The cached database and the time it was built at (its passages end then)."""
    path = CACHE / f"web_pages_{PASSAGES}_v{FIXTURE_VERSION}.db"
    stamp = path.with_suffix(".built")
    if path.exists() and stamp.exists():
        return path, datetime.fromisoformat(stamp.read_text().strip())
    built = datetime.now(UTC).replace(microsecond=0)
    partial = path.with_suffix(".partial")
    shutil.copyfile(sqlite_fixture(PEOPLE), partial)
    engine = make_engine(f"sqlite:///{partial}")
    migrate(engine)
    chance = random.Random(24)
    with engine.begin() as connection:
        checkpoints, kiosks = [], []
        for n, area in enumerate(CHECKPOINT_AREAS):
            checkpoint_id = f"cp-{n:02d}"
            checkpoints.append(
                {
                    "id": checkpoint_id,
                    "name": f"卡口{n:02d}",
                    "checkpoint_type": "residential_compound",
                    "region_code": area[:6],
                    "address": "地址",
                    "area_code": area,
                    "created_at": built - timedelta(days=DAYS + 1),
                }
            )
            kiosks.append(
                {
                    "id": f"k-{n:02d}",
                    "checkpoint_id": checkpoint_id,
                    "signing_public_key": bytes(32),
                    "encryption_public_key": bytes(32),
                    "enrolled_at": built - timedelta(days=DAYS + 1),
                    "last_seen_at": built - timedelta(minutes=n),
                    "backlog_records": n,
                }
            )
        connection.execute(insert(Checkpoint), checkpoints)
        connection.execute(insert(Kiosk), kiosks)
        span_s = DAYS * 24 * 3600
        for first in range(0, PASSAGES, STEP):
            passages, fevers = [], []
            for serial in range(first, min(first + STEP, PASSAGES)):
                n = serial % len(CHECKPOINT_AREAS)
                at = built - timedelta(seconds=chance.randrange(span_s))
                roll = chance.random()
                outcome = "pass" if roll < 0.90 else "deny" if roll < 0.94 else "refer"
                fever = chance.random() < 0.005
                record_id = f"{serial:08d}-1111-4000-8000-000000000000"
                row = {
                    "id": record_id,
                    "kiosk_id": f"k-{n:02d}",
                    "checkpoint_id": f"cp-{n:02d}",
                    "region_code": CHECKPOINT_AREAS[n][:6],
                    "kiosk_seq": serial,
                    "at": at,
                    "received_at": at,
                    "clock_trusted": True,
                    "issuer": "610000",
                    "code_ix": serial.to_bytes(16, "big"),
                    "colour_in_code": "green",
                    "colour_applied": "green",
                    "outcome": outcome,
                    "reasons": "[]",
                    "temperature_celsius": 38.2 if fever else 36.5,
                    "fever": fever,
                    "id_match": "not_checked",
                    "policy_version": 1,
                    "repeat": False,
                }
                passages.append(row)
                if fever:
                    fevers.append(
                        {
                            "id": record_id,
                            "kiosk_id": row["kiosk_id"],
                            "checkpoint_id": row["checkpoint_id"],
                            "region_code": row["region_code"],
                            "at": at,
                            "received_at": at,
                            "temperature_celsius": 38.2,
                            "issuer": "610000",
                            "code_ix": row["code_ix"],
                            "status": "open",
                        }
                    )
            connection.execute(insert(ReceivedPassage), passages)
            if fevers:
                connection.execute(insert(FeverCase), fevers)
    engine.dispose()
    partial.rename(path)
    stamp.write_text(built.isoformat())
    return path, built


class ServerTimer:
    """ASGI middleware: the time of each HTTP request inside the app, in ms."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.samples: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        await self.app(scope, receive, send)
        self.samples.append((time.perf_counter() - started) * 1000)


PAGES = {"dashboard": "/admin", "reports": "/admin/reports?day={day}"}


def page_figures(requests: int) -> dict[str, float]:
    """p95 server time (ms) of each page, for the province's and the county's administrator:
    keys like `dashboard_province`."""
    database, built = fixture()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        shutil.copyfile(database, folder / "central.db")
        settings = Settings(
            data_dir=folder,
            api_docs=False,
            sms_provider="log",
            _env_file=None,  # type: ignore[call-arg]
        )
        now = datetime.now(UTC)
        prepare(settings, now, first_admin="admin")
        app = create_app(settings)
        tokens: dict[str, str] = {}
        with session_scope(app.state.sessions) as session:
            load_region_file(session, SAMPLE_FILE)
            province = session.query(Administrator).filter_by(username="admin").one()
            county, _ = provision_account(
                session, NewAccount("yanta", Role.REGION_ADMIN, "610113"), now, timedelta(days=1)
            )
            for label, account in (("province", province), ("county", county)):
                tokens[label], _ = open_session(session, account.id, now, timedelta(days=1))
        day = (built + timedelta(hours=8)).date().isoformat()  # the last day of passages
        timer = ServerTimer(app)
        try:
            with TestClient(timer) as client:
                for label, token in tokens.items():
                    client.cookies.set(SESSION_COOKIE, token)
                    for page, url in PAGES.items():
                        assert client.get(url.format(day=day)).status_code == 200  # warm
                        timer.samples.clear()
                        for _ in range(requests):
                            assert client.get(url.format(day=day)).status_code == 200
                        ordered = sorted(timer.samples)
                        figures[f"{page}_{label}"] = ordered[int(0.95 * len(ordered))]
                    client.cookies.clear()
        finally:
            app.state.engine.dispose()
    return figures
