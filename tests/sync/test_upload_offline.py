"""Offline transfer: the outbox in a signed, encrypted file that central imports like an upload."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from central.core.db import session_scope
from central.core.models import FeverCase, Kiosk, ReceivedPassage
from central.core.settings import Settings
from central.kiosks.ingest import ImportSummary, import_outbox_file
from kiosk.checkpoint.outcome import Outcome
from kiosk.client.enrollment import Enrollment
from kiosk.client.transfer import (
    TRANSFER_KEY_FILE,
    export_outbox,
    fetch_transfer_key,
    kept_transfer_key,
)
from kiosk.client.upload import Uploader
from kiosk.store import Store, StoreKeys
from sync.outbox_file import OutboxFileError, make_outbox_file, read_outbox_file
from sync.schemas import TransferKey
from tests.central.conftest import SERVER, START, Central, FakeClock, start_central
from tests.central.kiosks import enrolled_kiosk
from tests.kiosk.checkpoint_support import passage


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    settings = Settings(
        data_dir=tmp_path / "central",
        database_url=f"sqlite:///{tmp_path / 'central.db'}",
        _env_file=None,  # type: ignore[call-arg]
    )
    yield from start_central(settings, FakeClock())


@pytest.fixture
def kiosk(central: Central, tmp_path: Path) -> Enrollment:
    return enrolled_kiosk(central, tmp_path / "kiosk")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "passages.db", StoreKeys.generate()) as opened:
        yield opened


def _client(central: Central, kiosk: Enrollment) -> httpx.Client:
    auth = kiosk.identity.auth(clock=central.clock)
    return httpx.Client(transport=central.client._transport, auth=auth)


def _import(central: Central, data: bytes) -> ImportSummary:
    with session_scope(central.app.state.sessions) as session:
        return import_outbox_file(
            session, data, keys_dir=central.settings.resolved_keys_dir, now=central.clock()
        )


def _count(central: Central, model: type) -> int:
    with central.app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _export(central: Central, kiosk: Enrollment, store: Store, tmp_path: Path) -> bytes:
    data_dir = tmp_path / "kiosk"
    fetch_transfer_key(_client(central, kiosk), SERVER, data_dir)
    written = export_outbox(
        store.outbox, kiosk.identity, kept_transfer_key(data_dir), tmp_path / "usb", now=START
    )
    assert written is not None
    path, count = written
    assert path.parent == tmp_path / "usb" and count == store.outbox.outbox_backlog()
    return path.read_bytes()


def _fill(store: Store, count: int) -> None:
    for i in range(count):
        fever = i == 0
        record = passage(fever=fever, outcome=Outcome.REFER if fever else Outcome.PASS)
        store.passages.record(record).result(timeout=10)


def test_an_exported_outbox_imported_twice_stores_each_record_once(
    central: Central, kiosk: Enrollment, store: Store, tmp_path: Path
) -> None:
    _fill(store, 12)
    data = _export(central, kiosk, store, tmp_path)
    assert _import(central, data) == ImportSummary(kiosk.identity.kiosk_id, 13, 0, 0)
    assert _import(central, data) == ImportSummary(kiosk.identity.kiosk_id, 0, 13, 0)
    assert (_count(central, ReceivedPassage), _count(central, FeverCase)) == (12, 1)
    # Back online, the kiosk's upload is answered `duplicate` and settles its outbox.
    uploader = Uploader(store.outbox, _client(central, kiosk), SERVER)
    assert uploader.drain() == 13
    assert uploader.tally.by_status["duplicate"] == 13
    assert store.outbox.outbox_backlog() == 0
    assert _count(central, ReceivedPassage) == 12


def test_the_file_holds_no_readable_record_and_no_more_than_the_upload(
    central: Central, kiosk: Enrollment, store: Store, tmp_path: Path
) -> None:
    _fill(store, 3)
    pending = len(store.outbox.outbox_batch(100))
    data = _export(central, kiosk, store, tmp_path)
    for secret in ("张*丰", "陕A12345", "op-1", "JKM1"):
        assert secret.encode() not in data and json.dumps(secret)[1:-1].encode() not in data
    header = read_outbox_file(data)
    assert header.kiosk_id == kiosk.identity.kiosk_id and header.record_count == pending


def test_nothing_to_export_writes_no_file(
    central: Central, kiosk: Enrollment, store: Store, tmp_path: Path
) -> None:
    fetch_transfer_key(_client(central, kiosk), SERVER, tmp_path / "kiosk")
    key = kept_transfer_key(tmp_path / "kiosk")
    assert export_outbox(store.outbox, kiosk.identity, key, tmp_path / "usb", now=START) is None


def test_a_changed_file_is_refused(
    central: Central, kiosk: Enrollment, store: Store, tmp_path: Path
) -> None:
    _fill(store, 2)
    document = json.loads(_export(central, kiosk, store, tmp_path))
    changed = dict(document, record_count=document["record_count"] + 1)
    with pytest.raises(OutboxFileError, match="not signed"):
        _import(central, json.dumps(changed).encode())
    assert _count(central, ReceivedPassage) == 0


def test_a_file_signed_by_another_key_or_for_another_kiosk_is_refused(
    central: Central, kiosk: Enrollment, store: Store, tmp_path: Path
) -> None:
    _fill(store, 1)
    _export(central, kiosk, store, tmp_path)
    transfer = kept_transfer_key(tmp_path / "kiosk")
    records = [item.record for item in store.outbox.outbox_batch(10)]
    forged = make_outbox_file(
        records,
        kiosk_id=kiosk.identity.kiosk_id,
        signing_key=Ed25519PrivateKey.generate(),
        transfer_public_key=transfer,
        created_at=START,
    )
    with pytest.raises(OutboxFileError, match="not signed by this kiosk"):
        _import(central, forged)
    other = enrolled_kiosk(central, tmp_path / "other")
    # another enrolled kiosk re-labels a box made for the first kiosk: it does not open
    document = json.loads(
        make_outbox_file(
            records,
            kiosk_id=kiosk.identity.kiosk_id,
            signing_key=kiosk.identity.signing_key,
            transfer_public_key=transfer,
            created_at=START,
        )
    )
    relabelled = make_outbox_file(
        records,
        kiosk_id=other.identity.kiosk_id,
        signing_key=other.identity.signing_key,
        transfer_public_key=transfer,
        created_at=START,
    )
    stolen_box = json.loads(relabelled) | {"box": document["box"]}
    with pytest.raises(OutboxFileError):
        _import(central, json.dumps(stolen_box).encode())
    assert _count(central, ReceivedPassage) == 0


def test_a_revoked_kiosks_file_is_refused(
    central: Central, kiosk: Enrollment, store: Store, tmp_path: Path
) -> None:
    _fill(store, 1)
    data = _export(central, kiosk, store, tmp_path)
    with session_scope(central.app.state.sessions) as session:
        found = session.get(Kiosk, kiosk.identity.kiosk_id)
        assert found is not None
        found.revoked_at = central.clock()
    with pytest.raises(OutboxFileError, match="revoked"):
        _import(central, data)


def test_a_transfer_key_not_signed_by_a_trusted_feed_key_is_refused(
    central: Central, kiosk: Enrollment, tmp_path: Path
) -> None:
    data_dir = tmp_path / "kiosk"
    fetch_transfer_key(_client(central, kiosk), SERVER, data_dir)
    kept = TransferKey.model_validate_json((data_dir / TRANSFER_KEY_FILE).read_bytes())
    swapped = kept.model_copy(update={"public_key": bytes(32)})
    (data_dir / TRANSFER_KEY_FILE).write_text(swapped.model_dump_json(), "utf-8")
    with pytest.raises(OutboxFileError, match="does not verify"):
        kept_transfer_key(data_dir)
