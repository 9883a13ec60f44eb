"""An older kiosk meeting a database written by a newer one refuses it, clearly, and leaves
the file exactly as it was (issue 15)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import EXIT_NEWER_DATABASE
from kiosk.config import KioskConfig, data_dir
from kiosk.ops.selftest import run_checks
from kiosk.store import Store
from kiosk.store.schema import LATEST_VERSION, NewerDatabaseError


def _newer_database(folder: Path) -> Path:
    """A database made by this kiosk, then moved one schema version ahead as a newer kiosk
    would (a table and the version bump), with a row in it."""
    paths = data_dir(
        dataclasses.replace(
            KioskConfig.default(),
            kiosk=dataclasses.replace(KioskConfig.default().kiosk, data_dir=str(folder)),
        )
    )
    paths.create()
    Store.open(paths.database, paths.store_key).close()
    connection = sqlite3.connect(paths.database, isolation_level=None)
    connection.execute("CREATE TABLE newer_things (id INTEGER PRIMARY KEY, what TEXT)")
    connection.execute("INSERT INTO newer_things (what) VALUES ('kept')")
    connection.execute(f"PRAGMA user_version = {LATEST_VERSION + 1:d}")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return paths.database


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_store_refuses_a_newer_database_and_leaves_its_bytes_unchanged(
    tmp_path: Path,
) -> None:
    database = _newer_database(tmp_path / "data")
    before = _fingerprint(database)
    with pytest.raises(NewerDatabaseError) as refused:
        Store.open(database, tmp_path / "data" / "keys" / "store.key")
    assert refused.value.found == LATEST_VERSION + 1
    assert refused.value.supported == LATEST_VERSION
    assert "newer kiosk" in str(refused.value)
    assert _fingerprint(database) == before
    connection = sqlite3.connect(database)
    assert connection.execute("SELECT what FROM newer_things").fetchall() == [("kept",)]
    connection.close()


def test_a_newer_database_in_rollback_journal_mode_is_not_switched_to_wal(
    tmp_path: Path,
) -> None:
    database = _newer_database(tmp_path / "data")
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    before = _fingerprint(database)
    with pytest.raises(NewerDatabaseError):
        Store.open(database, tmp_path / "data" / "keys" / "store.key")
    assert _fingerprint(database) == before


def test_the_kiosk_says_why_and_exits_with_its_own_code(tmp_path: Path) -> None:
    database = _newer_database(tmp_path / "data")
    before = _fingerprint(database)
    started = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "data"), "--exit-when-ready"],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert started.returncode == EXIT_NEWER_DATABASE, started.stderr[-2000:]
    assert f"schema version {LATEST_VERSION + 1}" in started.stderr
    assert "数据库未被改动" in started.stderr
    assert _fingerprint(database) == before


def test_the_self_test_reports_the_newer_database(tmp_path: Path) -> None:
    config = dataclasses.replace(
        KioskConfig.default(),
        kiosk=dataclasses.replace(KioskConfig.default().kiosk, data_dir=str(tmp_path / "data")),
    )
    database = _newer_database(tmp_path / "data")
    before = _fingerprint(database)
    checks = {c.name: c for c in run_checks(config, data_dir(config), screens=False)}
    assert checks["database"].ok is False
    assert f"schema version {LATEST_VERSION + 1}" in checks["database"].detail
    assert _fingerprint(database) == before
