"""Downloads from a real central process on loopback, on SQLite and PostgreSQL, into a real
kiosk store; and an offline bundle through the real `central export-bundle` and
`kiosk import-bundle` commands."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from central.issuance.feed import Change, append_changes
from healthcode.claims import Colour
from healthcode.keydir import KeyDir
from kiosk.app.download_sink import KioskDownloadSink, current_copies
from kiosk.client.download import Downloader, Item, Outcome
from kiosk.client.identity import KioskIdentity
from kiosk.client.roster_file import load_roster
from kiosk.store import Store
from tests.central.conftest import _postgres_database
from tests.central.test_server_process import COMMAND_TIMEOUT_S, _environment, _free_port, _run
from tests.e2e.conftest import RealServer


@pytest.fixture(params=["sqlite", "postgresql"])
def real_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RealServer]:
    folder = tmp_path / "central"
    folder.mkdir()
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'central.db'}"
        databases: Iterator[str] = iter([url])
    else:
        databases = _postgres_database(secrets.token_hex(6))
    url = next(databases)
    env = _environment(url)
    _run(["central", "init"], folder, env)
    server = RealServer(folder, _free_port(), env)
    server.env["TEST_DATABASE_URL"] = url
    server.start()
    try:
        yield server
    finally:
        server.stop()
        for _ in databases:  # drops the PostgreSQL database
            pass


def _add_changes(server: RealServer, count: int) -> list[bytes]:
    codes = [secrets.token_bytes(16) for _ in range(count)]
    issuer = KeyDir(server.folder / "keys").issuer.region_code
    now = datetime.now(UTC)
    engine = create_engine(server.env["TEST_DATABASE_URL"])
    try:
        with Session(engine) as session:
            append_changes(session, [Change(issuer, c, Colour.RED, 2, "e2e", now) for c in codes])
            session.commit()
    finally:
        engine.dispose()
    return codes


def test_a_kiosk_downloads_from_a_real_server_into_its_store(
    real_server: RealServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "kiosk"
    enrollment = real_server.enroll(data_dir / "identity")
    codes = _add_changes(real_server, 7)
    with Store.open(data_dir / "kiosk.db", data_dir / "keys" / "store.key") as store:
        current = current_copies(data_dir / "identity", store)
        sink = KioskDownloadSink(store, data_dir / "identity")
        copies = current.copies(sink)
        with httpx.Client(auth=enrollment.identity.auth(), timeout=10.0) as client:
            downloader = Downloader(copies, client, real_server.url, page=3)
            first = downloader.download()
            _add_changes(real_server, 5)
            second = downloader.download()
        assert first.snapshots == 1 and second.feed_pages == 2
        assert second.outcomes[Item.FEED] is Outcome.ACCEPTED
        kept = store.feed
        assert kept.last_sequence == 12
        assert kept.latest(enrollment.trust_list.issuers[0].region_code, codes[0]) is not None


def test_an_offline_bundle_goes_through_the_real_commands(
    real_server: RealServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "kiosk"
    enrollment = real_server.enroll(data_dir / "identity")
    checkpoint_id = enrollment.response.checkpoint.checkpoint_id
    real_server.cli("checkpoint", "operator", checkpoint_id, "--name", "孙七", "--pin", "975310")
    _add_changes(real_server, 4)
    bundle = tmp_path / "site.bundle"
    exported = json.loads(
        real_server.cli("export-bundle", str(bundle), "--checkpoint", checkpoint_id)
    )
    assert exported["bytes"] == bundle.stat().st_size

    def import_bundle(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk",
                "import-bundle",
                str(path),
                "--data-dir",
                str(data_dir),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=COMMAND_TIMEOUT_S,
        )

    taken = import_bundle(bundle)
    assert taken.returncode == 0, taken.stderr
    assert "feed: accepted" in taken.stdout and "roster: accepted" in taken.stdout
    identity = KioskIdentity.load(data_dir / "identity")
    roster = load_roster(identity, data_dir / "identity")
    assert [o.name for o in roster.operators] == ["孙七"]
    tampered = tmp_path / "tampered.bundle"
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    refused = import_bundle(tampered)
    assert refused.returncode == 1
    assert "refused bundle" in refused.stderr
    with Store.open(data_dir / "kiosk.db", data_dir / "keys" / "store.key") as store:
        assert store.feed.last_sequence == 4
