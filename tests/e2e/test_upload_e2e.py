"""End to end: the real passage store, the real uploader and a real central process on loopback.

Faults come from the network (a transport in front of a real HTTP connection), from the server
going down, from an attacker, and from the kiosk process being killed (SIGKILL) mid-upload;
afterwards central holds every record exactly once, and nothing forged.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import tenacity
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.checkpoint.outcome import Outcome
from kiosk.client.identity import KioskIdentity
from kiosk.client.upload import Uploader, UploadError
from kiosk.store import Store, StoreKeys
from sync.signing import KioskAuth
from tests.e2e.conftest import RealServer
from tests.kiosk.checkpoint_support import passage
from tests.sync.upload_faults import FaultyTransport

KILLS = 50
CRASH_RECORDS = 1500
CRASH_BATCH = 20
WORKER_TIMEOUT_S = 60


@pytest.fixture
def cleanup() -> Iterator[list[httpx.Client]]:
    clients: list[httpx.Client] = []
    yield clients
    for client in clients:
        client.close()


def _fill(store: Store, count: int, fever_every: int = 0) -> set[str]:
    ids = set()
    for i in range(count):
        fever = bool(fever_every) and i % fever_every == 0
        record = passage(fever=fever, outcome=Outcome.REFER if fever else Outcome.PASS)
        store.passages.record(record).result(timeout=10)
        ids.add(str(record.record_id))
    return ids


def _stored(server: RealServer) -> tuple[int, set[str]]:
    rows = server.query("SELECT id FROM received_passages")
    return len(rows), {str(row[0]) for row in rows}


def test_faults_on_a_real_network_and_a_server_restart_lose_and_double_nothing(
    server: RealServer, tmp_path: Path, cleanup: list[httpx.Client]
) -> None:
    kiosk = server.enroll(tmp_path / "kiosk")
    with Store(tmp_path / "passages.db", StoreKeys.generate()) as store:
        ids = _fill(store, 300, fever_every=25)
        script = ["ok", "500", "timeout", "duplicate", "cut", "replay", "down", "ok", "down"]
        faults = FaultyTransport(httpx.HTTPTransport(), script)
        client = httpx.Client(transport=faults, auth=kiosk.identity.auth(), timeout=10.0)
        cleanup.append(client)
        waits: list[float] = []

        def sleep(seconds: float) -> None:  # the back-off: the server goes down, then returns
            waits.append(seconds)
            if len(waits) == 2:
                server.stop()
            if len(waits) == 4:
                server.start()

        uploader = Uploader(
            store.outbox, client, server.url, batch_size=10, wait=tenacity.wait_none(), sleep=sleep
        )
        settled = uploader.drain()
        assert settled == 300 + 12
        assert store.outbox.outbox_backlog() == 0
    count, stored = _stored(server)
    assert count == 300 and stored == ids
    assert server.query("SELECT COUNT(*) FROM fever_cases") == [(12,)]
    (replayed,) = faults.attacker_answers
    assert replayed.status_code == 401 and replayed.json()["error"] == "replayed"


def test_a_forged_batch_from_the_network_stores_nothing(server: RealServer, tmp_path: Path) -> None:
    kiosk = server.enroll(tmp_path / "kiosk")
    with Store(tmp_path / "passages.db", StoreKeys.generate()) as store:
        _fill(store, 5)
        forger = KioskAuth(kiosk.identity.kiosk_id, Ed25519PrivateKey.generate())
        with httpx.Client(auth=forger, timeout=10.0) as client:
            uploader = Uploader(
                store.outbox, client, server.url, wait=tenacity.wait_none(), sleep=lambda _s: None
            )
            with pytest.raises(UploadError, match="signature_invalid"):
                uploader.drain(max_attempts=2)
    assert _stored(server) == (0, set())


@pytest.mark.slow
def test_killing_the_uploader_process_at_random_points_loses_and_doubles_nothing(
    server: RealServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "kiosk"
    server.enroll(data_dir)
    database, key_file = tmp_path / "passages.db", tmp_path / "store.key"
    with Store(database, StoreKeys.load_or_create(key_file)) as store:
        ids = _fill(store, CRASH_RECORDS, fever_every=50)
    seed = random.randrange(2**32)
    chooser = random.Random(seed)
    command = [
        sys.executable, "-m", "tests.e2e.upload_worker",
        str(data_dir), str(database), str(key_file), str(CRASH_BATCH),
    ]  # fmt: skip
    kills = 0
    for _ in range(KILLS):
        worker = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
        steps = chooser.randint(1, 12)  # read, marked-sent, posting, answered, settled, ...
        line = "ready"
        for _step in range(steps):
            line = worker.stdout.readline().strip()
            if not line or line == "done":
                break
        worker.kill()
        worker.wait(WORKER_TIMEOUT_S)
        worker.stdout.close()
        kills += line not in ("", "done")
    with Store(database, StoreKeys.load_or_create(key_file)) as store:
        half_way = store.outbox.outbox_backlog()
        with httpx.Client(auth=KioskIdentity.load(data_dir).auth(), timeout=30.0) as client:
            Uploader(store.outbox, client, server.url, wait=tenacity.wait_none()).drain(
                max_attempts=3
            )
        assert store.outbox.outbox_backlog() == 0
    count, stored = _stored(server)
    fevers = server.query("SELECT COUNT(*) FROM fever_cases")[0][0]
    print(
        f"crash test (seed {seed}): {kills} SIGKILLs mid-upload, {half_way} items left after them;"
        f" central holds {count} passages for {len(ids)} recorded, {fevers} fever cases"
    )
    assert kills >= KILLS * 0.8
    assert count == len(ids) and stored == ids  # nothing lost, nothing doubled
    assert fevers == CRASH_RECORDS // 50


def test_export_then_import_twice_with_the_real_commands(
    server: RealServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "kiosk"
    server.enroll(data_dir)
    with Store(data_dir / "passages.db", StoreKeys.load_or_create(data_dir / "store.key")) as store:
        ids = _fill(store, 20, fever_every=10)
    env = server.env
    # the first upload fetches central's transfer key; record more afterwards, offline
    uploaded = subprocess.run(
        [sys.executable, "-m", "kiosk.client", "upload", "--data-dir", str(data_dir)],
        capture_output=True, text=True, env=env, check=False, timeout=WORKER_TIMEOUT_S,
    )  # fmt: skip
    assert uploaded.returncode == 0, uploaded.stderr
    assert "22 records uploaded" in uploaded.stdout
    with Store(data_dir / "passages.db", StoreKeys.load_or_create(data_dir / "store.key")) as store:
        ids |= _fill(store, 30, fever_every=15)
    usb = tmp_path / "usb"
    exported = subprocess.run(
        [sys.executable, "-m", "kiosk.client", "export-outbox", str(usb),
         "--data-dir", str(data_dir)],
        capture_output=True, text=True, env=env, check=False, timeout=WORKER_TIMEOUT_S,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    (path,) = usb.iterdir()
    first = server.cli("import-outbox", str(path))
    second = server.cli("import-outbox", str(path))
    assert '"stored": 32' in first and '"duplicate": 0' in first
    assert '"stored": 0' in second and '"duplicate": 32' in second
    count, stored = _stored(server)
    assert count == 50 and stored == ids
