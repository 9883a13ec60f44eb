"""What kiosks download, on SQLite and PostgreSQL: signed answers, conditional requests, the
feed's snapshot rule, and offline bundles checked like downloads."""

from __future__ import annotations

from pathlib import Path

import httpx

from central.administration.checkpoints import add_operator, get_checkpoint
from central.core.regions import RegionRow, load_regions
from central.kiosks.bundle import export_bundle
from healthcode import cose
from healthcode.feed import BatchKind, open_signed_batch
from kiosk.checkpoint.policy import policy_from_central
from kiosk.client.bundle_import import import_bundle
from kiosk.client.download import Item, Outcome
from sync.distribution import (
    COSE_MEDIA_TYPE,
    FEED_HEAD_HEADER,
    FEED_PATH,
    FEED_SNAPSHOT_FILE_PATH,
    FEED_SNAPSHOT_PATH,
    POLICY_PATH,
    ROSTER_PATH,
    SNAPSHOT_REQUIRED,
    TRUST_LIST_PATH,
    Bundle,
    read_bundle,
)
from tests.central.areas import load_sample_regions
from tests.central.conftest import SERVER, Central
from tests.central.kiosks import enrolled_kiosk
from tests.sync.download_world import KioskWorld, RecordingSink, kiosk_world, kiosk_world_at

PATHS = [
    TRUST_LIST_PATH,
    FEED_PATH,
    FEED_SNAPSHOT_PATH,
    FEED_SNAPSHOT_FILE_PATH,
    POLICY_PATH,
    ROSTER_PATH,
]


def _signed_client(world: KioskWorld) -> httpx.Client:
    return httpx.Client(
        transport=world.central.client._transport,
        auth=world.enrollment.identity.auth(clock=world.central.clock),
        base_url=SERVER,
    )


def test_every_download_refuses_an_unsigned_request(central: Central) -> None:
    for path in PATHS:
        response = central.client.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"] == "signature_missing"


def test_a_kiosk_takes_a_snapshot_then_deltas_policy_and_roster(
    central: Central, tmp_path: Path
) -> None:
    world = kiosk_world(central, tmp_path / "kiosk", page=2)
    world.add_changes(3)
    report = world.downloader.download()
    assert (report.snapshots, world.copies.feed.last_sequence) == (1, 3)
    world.add_changes(5)
    with central.app.state.sessions() as session:
        checkpoint = get_checkpoint(session, world.copies.checkpoint_id)
        add_operator(session, checkpoint, "王五", "135790", central.clock())
        session.commit()
    report = world.downloader.download()
    assert report.feed_pages == 3
    assert world.copies.feed.last_sequence == 8
    assert report.outcomes[Item.ROSTER] is Outcome.ACCEPTED
    assert world.sink.refusals == []


def test_answers_are_signed_and_unchanged_ones_are_not_modified(
    central: Central, tmp_path: Path
) -> None:
    world = kiosk_world(central, tmp_path / "kiosk")
    world.add_changes(2)
    with _signed_client(world) as client:
        for path in (TRUST_LIST_PATH, POLICY_PATH, ROSTER_PATH):
            first = client.get(path)
            assert first.headers["content-type"] == COSE_MEDIA_TYPE
            cose.decode(first.content)
            again = client.get(path, headers={"if-none-match": first.headers["etag"]})
            assert again.status_code == 304, path
        delta = client.get(FEED_PATH, params={"after": 1, "limit": 10})
        batch = open_signed_batch(delta.content, world.enrollment.trust_list)
        assert [e.sequence for e in batch.entries] == [2]
        assert delta.headers[FEED_HEAD_HEADER] == "2"
        snapshot = client.get(FEED_SNAPSHOT_PATH)
        whole = open_signed_batch(snapshot.content, world.enrollment.trust_list)
        assert whole.kind is BatchKind.SNAPSHOT and whole.last_sequence == 2


def test_a_kiosk_far_behind_is_told_to_fetch_a_snapshot(central: Central, tmp_path: Path) -> None:
    world = kiosk_world(central, tmp_path / "kiosk")
    central.app.state.snapshot_when_behind = 3
    world.add_changes(5)
    with _signed_client(world) as client:
        behind = client.get(FEED_PATH, params={"after": 1})
        near = client.get(FEED_PATH, params={"after": 3})
        ahead = client.get(FEED_PATH, params={"after": 9})
    assert behind.status_code == 409 and behind.json()["error"] == SNAPSHOT_REQUIRED
    assert near.status_code == 200
    assert ahead.status_code == 409  # central's feed is behind the kiosk: start again


def test_an_exported_bundle_is_taken_with_the_download_checks(
    central: Central, tmp_path: Path
) -> None:
    world = kiosk_world(central, tmp_path / "kiosk")
    codes = world.add_changes(4)
    with central.app.state.sessions() as session:
        checkpoint = get_checkpoint(session, world.copies.checkpoint_id)
        add_operator(session, checkpoint, "赵六", "864200", central.clock())
        session.commit()
        data = export_bundle(
            session, world.copies.checkpoint_id, central.settings.resolved_keys_dir, central.clock()
        )
    outcomes = import_bundle(data, world.copies)
    assert outcomes == {
        Item.TRUST_LIST: Outcome.UNCHANGED,
        Item.FEED: Outcome.ACCEPTED,
        Item.POLICY: Outcome.UNCHANGED,
        Item.ROSTER: Outcome.ACCEPTED,
    }
    assert world.copies.feed.latest(world.keydir.issuer.region_code, codes[3]) is not None
    assert import_bundle(data, world.copies)[Item.ROSTER] is Outcome.UNCHANGED


def test_a_tampered_or_foreign_bundle_is_refused_whole(central: Central, tmp_path: Path) -> None:
    world = kiosk_world(central, tmp_path / "kiosk")
    world.add_changes(2)
    with central.app.state.sessions() as session:
        data = export_bundle(
            session, world.copies.checkpoint_id, central.settings.resolved_keys_dir, central.clock()
        )
    bundle = read_bundle(data)
    stranger = world.keydir.signing_key(world.keydir.trust_list(central.clock()).keys[0].role)
    swapped = Bundle(**{**bundle.__dict__, "checkpoint_id": "another"}).sign(stranger)
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0x01
    sink = RecordingSink()
    world.copies.sink = sink
    assert import_bundle(bytes(damaged), world.copies) == {Item.BUNDLE: Outcome.REFUSED}
    assert import_bundle(swapped, world.copies) == {Item.BUNDLE: Outcome.REFUSED}
    assert sink.reasons[1] == "wrong_checkpoint"
    assert sink.feeds == [] and world.copies.feed.last_sequence == 0


def test_a_clinics_kiosk_gets_its_countys_towns_and_villages_and_new_ones_when_loaded(
    central: Central, tmp_path: Path
) -> None:
    load_sample_regions(central)
    world = kiosk_world_at(central, tmp_path / "kiosk", checkpoint_type="clinic")
    places = world.enrollment.response.policy.rules["residence_places"]
    codes = [place["code"] for place in places]
    assert codes[0] == "610102" and "610102001" in codes and "610102001001" in codes
    assert all(code.startswith("610102") for code in codes)  # its county only
    assert {"code": "610102004", "name_zh": "韩森寨街道", "name_en": "Hansenzhai Street"} in places
    kiosk_policy = policy_from_central(1, "clinic", world.enrollment.response.policy.rules)
    assert len(kiosk_policy.residence_places) == len(places)
    with central.app.state.sessions() as session:
        load_regions(session, [RegionRow("610102004002", "韩森寨西社区", "")])
        session.commit()
    world.downloader.download()
    (policy,) = world.sink.policies  # a new version: the kiosk takes it
    assert "610102004002" in [place["code"] for place in policy.rules["residence_places"]]
    gate = enrolled_kiosk(central, tmp_path / "gate")  # a gate asks nobody's residence
    assert "residence_places" not in gate.response.policy.rules
