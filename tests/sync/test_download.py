"""The kiosk's downloader against the real app in process: everything arrives verified, and a
download that fails verification is refused while the old copy stays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from central.administration.checkpoints import add_operator, get_checkpoint
from central.core.keystore import publish_trust_list
from central.core.settings import Settings
from healthcode.claims import Colour
from healthcode.keys import SigningKey
from healthcode.trust import KeyRole
from kiosk.client.download import FEED_REFRESH, DownloadError, Item, Outcome
from sync.distribution import (
    FEED_PATH,
    FEED_SNAPSHOT_FILE_PATH,
    FEED_SNAPSHOT_PATH,
    POLICY_PATH,
    ROSTER_PATH,
    TRUST_LIST_PATH,
    DocumentType,
    sign_document,
)
from tests.central.conftest import Central, FakeClock, start_central
from tests.sync.download_world import KioskWorld, kiosk_world, replaced


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    settings = Settings(
        data_dir=tmp_path / "central",
        database_url=f"sqlite:///{tmp_path / 'central.db'}",
        feed_snapshot_coalesce_s=0,  # a snapshot file whenever the head moved (issue 28)
        _env_file=None,  # type: ignore[call-arg]
    )
    yield from start_central(settings, FakeClock())


@pytest.fixture
def world(central: Central, tmp_path: Path) -> KioskWorld:
    return kiosk_world(central, tmp_path / "kiosk", page=4)


def test_a_new_kiosk_starts_from_a_snapshot_and_then_takes_deltas(world: KioskWorld) -> None:
    first = world.add_changes(3)
    report = world.downloader.download()
    assert report.snapshots == 1
    assert report.outcomes[Item.FEED] is Outcome.ACCEPTED
    assert world.copies.feed.last_sequence == 3
    assert world.copies.feed.latest(world.keydir.issuer.region_code, first[0]) is not None
    later = world.add_changes(2, Colour.YELLOW)
    report = world.downloader.download()
    assert report.snapshots == 0 and report.feed_pages == 1
    assert world.copies.feed.last_sequence == 5
    entry = world.copies.feed.latest(world.keydir.issuer.region_code, later[1])
    assert entry is not None and entry.colour is Colour.YELLOW
    assert world.sink.feeds[-1] is world.copies.feed
    assert world.sink.refusals == []


def test_deltas_are_paged_until_the_kiosk_is_caught_up(world: KioskWorld) -> None:
    world.downloader.download()
    world.add_changes(10)
    report = world.downloader.download()
    assert report.feed_pages == 3  # 4 + 4 + 2 entries
    assert world.copies.feed.last_sequence == 10
    assert len(world.sink.feeds) == 2  # one new copy per round, not per page


def test_a_kiosk_far_behind_gets_a_snapshot_then_deltas(world: KioskWorld) -> None:
    world.downloader.download()
    world.central.app.state.snapshot_when_behind = 5
    world.add_changes(8)
    assert world.downloader.download().snapshots == 1
    assert world.copies.feed.last_sequence == 8
    world.add_changes(3)
    report = world.downloader.download()
    assert (report.snapshots, report.feed_pages) == (0, 1)
    assert world.copies.feed.last_sequence == 11


def test_the_feed_copy_in_use_takes_each_round_in_place(world: KioskWorld) -> None:
    world.add_changes(2)
    world.downloader.download()
    in_use = world.copies.feed
    world.add_changes(2)
    world.downloader.download()
    assert world.copies.feed is in_use  # no copy of the whole feed per update
    assert in_use.last_sequence == 4


def test_a_replayed_feed_batch_does_not_make_the_copy_look_fresh(world: KioskWorld) -> None:
    world.add_changes(2)
    world.downloader.download()
    recorded: dict[str, bytes] = {}

    def record(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path == FEED_PATH and response.status_code == 200:
            recorded["delta"] = response.content
        return response

    world.wiretap.rewrite = record
    world.central.clock.advance(seconds=FEED_REFRESH.total_seconds())  # a fresh copy gets 304s
    world.downloader.download()
    fresh_as_of = world.copies.feed.as_of_utc
    world.central.clock.advance(hours=30)

    def replay(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path == FEED_PATH:
            return replaced(response, recorded["delta"])
        return response

    world.wiretap.rewrite = replay
    world.downloader.download()
    assert world.copies.feed.as_of_utc == fresh_as_of
    age = world.copies.feed.age(world.central.clock())
    assert age is not None and age >= timedelta(hours=30)


def test_a_tampered_snapshot_is_refused_and_the_old_copy_kept(world: KioskWorld) -> None:
    world.add_changes(2)
    world.downloader.download()
    kept = world.copies.feed.last_sequence
    world.central.app.state.snapshot_when_behind = 1
    world.add_changes(5)

    def tamper(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path in (FEED_SNAPSHOT_PATH, FEED_SNAPSHOT_FILE_PATH):
            body = bytearray(response.content)
            body[-80] ^= 0x01  # inside the payload, before the signature
            return replaced(response, bytes(body))
        return response

    world.wiretap.rewrite = tamper
    report = world.downloader.download()
    assert report.outcomes[Item.FEED] is Outcome.REFUSED
    assert world.copies.feed.last_sequence == kept
    refusal = world.sink.refusals[-1]
    assert refusal.item is Item.FEED
    assert refusal.reason in {"bad_signature", "damaged"}
    assert refusal.text.zh and refusal.text.en


def test_a_feed_signed_by_a_key_outside_the_trust_list_is_refused(world: KioskWorld) -> None:
    world.downloader.download()
    world.add_changes(1)
    stranger = SigningKey.generate()

    def forge(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path == FEED_PATH:
            from healthcode.feed import FeedBatch

            batch = FeedBatch.decode(_payload(response.content))
            return replaced(response, batch.sign(stranger))
        return response

    world.wiretap.rewrite = forge
    world.downloader.download()
    assert world.sink.reasons == ["unknown_key"]
    assert world.copies.feed.last_sequence == 0


def _payload(signed: bytes) -> bytes:
    from healthcode import cose

    return cose.decode(signed).payload


def test_unchanged_items_are_not_sent_again_but_the_feed_is_freshened(
    world: KioskWorld,
) -> None:
    world.downloader.download()
    world.wiretap.paths.clear()
    world.wiretap.statuses.clear()
    report = world.downloader.download()
    answers = dict(zip(world.wiretap.paths, world.wiretap.statuses, strict=True))
    assert answers[TRUST_LIST_PATH] == 304
    assert answers[POLICY_PATH] == 304
    assert answers[ROSTER_PATH] == 304
    assert {report.outcomes[item] for item in (Item.TRUST_LIST, Item.POLICY, Item.ROSTER)} == {
        Outcome.UNCHANGED
    }
    world.central.clock.advance(minutes=10)
    world.downloader.download()  # nothing new in the feed, but central vouches for it later
    assert world.copies.feed.age(world.central.clock()) == timedelta(0)


def test_a_newer_trust_list_is_taken_and_an_older_one_refused(world: KioskWorld) -> None:
    old = world.enrollment.response.trust_list
    with world.central.app.state.sessions() as session:
        publish_trust_list(world.keydir, session, world.central.clock())
        session.commit()
    report = world.downloader.download()
    assert report.outcomes[Item.TRUST_LIST] is Outcome.ACCEPTED
    assert world.sink.trust_lists[-1].sequence > world.enrollment.trust_list.sequence

    def roll_back(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path == TRUST_LIST_PATH:
            return httpx.Response(200, content=old)
        return response

    world.wiretap.rewrite = roll_back
    assert world.downloader.download().outcomes[Item.TRUST_LIST] is Outcome.REFUSED
    assert world.sink.reasons == ["rollback"]
    assert world.copies.trust_list is world.sink.trust_lists[-1]


def test_a_new_roster_and_policy_reach_the_kiosk(world: KioskWorld) -> None:
    checkpoint_id = world.enrollment.response.checkpoint.checkpoint_id
    with world.central.app.state.sessions() as session:
        checkpoint = get_checkpoint(session, checkpoint_id)
        add_operator(session, checkpoint, "李四", "246800", world.central.clock())
        checkpoint.policy_version += 1
        session.commit()
    report = world.downloader.download()
    assert report.outcomes[Item.ROSTER] is Outcome.ACCEPTED
    assert report.outcomes[Item.POLICY] is Outcome.ACCEPTED
    assert [o.name for o in world.sink.rosters[-1].operators] == ["李四"]
    assert world.sink.policies[-1].policy_version == 2


def test_a_roster_for_another_checkpoint_or_as_a_policy_is_refused(world: KioskWorld) -> None:
    feed_key = world.keydir.signing_key(KeyRole.FEED)
    roster = world.enrollment.response.staff_roster.model_copy(update={"roster_version": 5})
    now = world.central.clock()

    def document(kind: DocumentType, checkpoint_id: str) -> bytes:
        return sign_document(
            kind,
            checkpoint_id=checkpoint_id,
            version=5,
            body=roster.model_dump(mode="json"),
            issued_at_utc=now,
            key=feed_key,
        )

    mine = world.copies.checkpoint_id
    assert world.copies.take_roster(document(DocumentType.STAFF_ROSTER, "elsewhere")) is (
        Outcome.REFUSED
    )
    assert world.copies.take_policy(document(DocumentType.STAFF_ROSTER, mine)) is Outcome.REFUSED
    assert world.sink.reasons == ["wrong_checkpoint", "wrong_type"]
    assert world.copies.take_roster(document(DocumentType.STAFF_ROSTER, mine)) is Outcome.ACCEPTED


def test_a_policy_signed_by_an_issuer_key_is_refused(world: KioskWorld) -> None:
    policy = world.enrollment.response.policy.model_copy(update={"policy_version": 9})
    signed = sign_document(
        DocumentType.POLICY,
        checkpoint_id=world.copies.checkpoint_id,
        version=9,
        body=policy.model_dump(mode="json"),
        issued_at_utc=world.central.clock(),
        key=world.keydir.signing_key(KeyRole.ISSUER),
    )
    assert world.copies.take_policy(signed) is Outcome.REFUSED
    assert world.sink.reasons == ["not_a_feed_key"]
    assert world.copies.policy_version == 1


def test_an_unreachable_central_raises_and_keeps_every_copy(world: KioskWorld) -> None:
    world.add_changes(1)
    world.downloader.download()
    kept = world.copies.feed.last_sequence
    world.wiretap.down = True
    with pytest.raises(DownloadError) as raised:
        world.downloader.download()
    assert raised.value.reason == "network"
    assert world.copies.feed.last_sequence == kept and world.sink.refusals == []
