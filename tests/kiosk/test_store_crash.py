"""Kill a recording process at random points: every passage it reported as committed is there,
nothing is half-written, and the database passes its integrity check."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from kiosk.store import LogFilter, Store, StoreKeys

KILLS = 200
ROOT = Path(__file__).resolve().parents[2]


def test_passages_reported_committed_survive_being_killed_200_times(tmp_path: Path) -> None:
    database, key_file = tmp_path / "kiosk.db", tmp_path / "store.key"
    rng = random.Random(20261123)
    committed: list[str] = []
    for _ in range(KILLS):
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.kiosk.crash_writer", str(database), str(key_file)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        for _ in range(rng.randrange(0, 6)):
            committed.append(process.stdout.readline().strip())
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
    print(f"killed {KILLS} times, {len(committed)} passages reported committed")

    with Store(database, StoreKeys.load_or_create(key_file)) as store:
        reader = store._readers.get()
        assert reader.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for record_id in committed:
            row = store.passages.get(uuid.UUID(record_id))
            assert row is not None, record_id
            assert row.masked_name == "张*丰"  # decrypts: the row was written whole
        stored = store.passages.log_count(LogFilter())
        assert stored >= len(committed)
        # Each passage and its two outbox rows were written in one transaction, or not at all.
        orphans = reader.execute(
            "SELECT COUNT(*) FROM passages p WHERE"
            " (SELECT COUNT(*) FROM outbox o WHERE o.record_id = p.id) != 2"
        ).fetchone()[0]
        assert orphans == 0
        assert reader.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 2 * stored
