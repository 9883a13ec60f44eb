"""Issue 25: a pharmacy purchase recorded at the kiosk is in the county's report <= 60 s after
the kiosk is online.

A real central process on loopback (SQLite, `python -m central serve`), a pharmacy checkpoint in
county 610124 with an enrolled kiosk, and the kiosk's real store holding purchases recorded while
it was offline (a day's sales at a busy pharmacy, each of fever or cough medicine). The clock
starts when the kiosk comes online (its uploader starts draining the outbox) and stops when the
county's report (`central.reports.scenes.scene_counts`, what `/api/v1/reports/scenes` answers)
counts every purchase; the colour rules have acted on each by then (they run inside the upload).
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import tenacity
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from central.core.models import SceneRecord
from central.reports.daily import DEFAULT_TIME_ZONE
from central.reports.scenes import scene_counts
from healthcode.console import say
from kiosk.checkpoint.scenes import (
    MedicineCategory,
    PurchaseForm,
    SceneHolder,
    purchase_record,
)
from kiosk.client.enrollment import enroll
from kiosk.client.upload import Uploader
from kiosk.store import Store, StoreKeys
from tests.central.test_server_process import _environment, _free_port, _run
from tests.e2e.conftest import RealServer

PURCHASES = 500  # a busy pharmacy's day of fever and cough medicine
COUNTY = "610124"
TARGET_S = 60.0


def record_offline(store: Store, count: int, now: datetime) -> None:
    for index in range(count):
        holder = SceneHolder(
            passage_id=uuid.uuid4(),
            issuer="610000",
            code_id=index.to_bytes(16, "big"),
            masked_name="张*丰",
            temperature_celsius=36.6,
        )
        category = MedicineCategory.FEVER if index % 2 else MedicineCategory.COUGH
        form = PurchaseForm(holder).add(category).answer(travel_history=False, fever_contact=False)
        record = purchase_record(form, record_id=uuid.uuid4(), at_utc=now, operator_id="op-1")
        store.scenes.record(record).result(timeout=30)


def counted(server: RealServer, day: datetime) -> int:
    engine = create_engine(f"sqlite:///{server.folder / 'central.db'}")
    try:
        with Session(engine) as session:
            local_day = day.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date()
            rows = scene_counts(
                session, local_day, where=SceneRecord.region_code.startswith(COUNTY)
            )
            return sum(row.watched_purchases for row in rows)
    finally:
        engine.dispose()


def purchase_seconds() -> float:
    """Seconds from the kiosk coming online to every purchase in the county's report (its
    figures are said on the way); bench/scenes.py sets it against TARGET_S."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "central"
        folder.mkdir()
        env = _environment("sqlite")
        _run(["central", "init"], folder, env)
        server = RealServer(folder, _free_port(), env)
        server.start()
        try:
            checkpoint = server.cli(
                "checkpoint", "add", "--name", "仁心大药房", "--type", "pharmacy",
                "--region", COUNTY, "--address", "周至县二曲街道",
            ).strip()  # fmt: skip
            code = server.cli("checkpoint", "code", checkpoint).strip()
            with httpx.Client(timeout=30.0) as client:
                kiosk = enroll(client, server.url, code, Path(temporary) / "kiosk")
            now = datetime.now(UTC)
            with Store(Path(temporary) / "kiosk.db", StoreKeys.generate()) as store:
                record_offline(store, PURCHASES, now)
                say(f"{PURCHASES} purchases recorded at the kiosk while offline")
                with httpx.Client(auth=kiosk.identity.auth(), timeout=60.0) as client:
                    uploader = Uploader(
                        store.outbox,
                        client,
                        server.url,
                        batch_size=1000,
                        wait=tenacity.wait_exponential(0.1, max=2),
                    )
                    online = time.perf_counter()
                    uploader.drain(max_attempts=10)
                    uploaded = time.perf_counter() - online
                    while counted(server, now) < PURCHASES:
                        if time.perf_counter() - online > 10 * TARGET_S:
                            break
                        time.sleep(0.05)
                    in_report = time.perf_counter() - online
            say(f"uploaded in {uploaded:.2f} s; all {counted(server, now)} in the county's report")
            return in_report
        finally:
            server.stop()
