"""The status feed: signed batches, sequencing, freshness, compaction and snapshots."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from healthcode.claims import LONGEST_VALIDITY, CodeKind, Colour
from healthcode.feed import (
    DEFAULT_CLOCK_TOLERANCE,
    BatchKind,
    FeedBatch,
    FeedCopy,
    FeedEntry,
    FeedError,
    FeedProblem,
    make_snapshot,
    open_signed_batch,
)
from healthcode.keys import SigningKey
from healthcode.trust import KeyRole, TrustList
from tests.unit.conftest import HAINAN, ISSUED_AT, SHAANXI, World, trusted

CODE_A = b"A" * 16
CODE_B = b"B" * 16


def entry(
    sequence: int,
    code: bytes = CODE_A,
    colour: Colour = Colour.YELLOW,
    colour_seq: int = 2,
    at: datetime = ISSUED_AT,
    issuer: str = "610000",
) -> FeedEntry:
    return FeedEntry(sequence, issuer, code, colour, colour_seq, "fever_reported", at)


def delta(first: int, last: int, *entries: FeedEntry, as_of: datetime = ISSUED_AT) -> FeedBatch:
    return FeedBatch(BatchKind.DELTA, "610000", first, last, as_of, tuple(entries))


def problem_of(action: object) -> FeedProblem:
    assert callable(action)
    with pytest.raises(FeedError) as caught:
        action()
    return caught.value.problem


def test_a_signed_batch_round_trips_through_the_trust_list(world: World) -> None:
    batch = delta(1, 2, entry(1), entry(2, CODE_B, Colour.RED, 5))
    assert open_signed_batch(batch.sign(world.feed_key), world.trust) == batch


def test_a_newer_colour_overrides_the_colour_printed_in_the_code(world: World) -> None:
    copy = FeedCopy()
    claims = world.claims(colour=Colour.GREEN, colour_seq=1)
    assert copy.effective_colour(claims) == (Colour.GREEN, None)
    copy.apply(delta(1, 1, entry(1, claims.code_id, Colour.RED, colour_seq=2)))
    colour, source = copy.effective_colour(claims)
    assert colour is Colour.RED
    assert source is not None and source.reason == "fever_reported"


def test_an_older_colour_in_the_feed_does_not_override_a_newer_code(world: World) -> None:
    copy = FeedCopy()
    claims = world.claims(colour=Colour.GREEN, colour_seq=5)
    copy.apply(delta(1, 1, entry(1, claims.code_id, Colour.RED, colour_seq=4)))
    assert copy.effective_colour(claims) == (Colour.GREEN, None)


def test_the_same_code_id_of_two_issuers_are_two_codes(world: World) -> None:
    copy = FeedCopy()
    copy.apply(delta(1, 1, entry(1, CODE_A, Colour.RED, issuer=HAINAN.region_code)))
    claims = world.claims(code_id=CODE_A)
    assert copy.effective_colour(claims) == (Colour.GREEN, None)
    assert copy.latest(HAINAN.region_code, CODE_A) is not None


def test_a_batch_after_a_gap_is_refused_and_the_copy_kept(world: World) -> None:
    copy = FeedCopy()
    copy.apply(delta(1, 1, entry(1)))
    assert problem_of(lambda: copy.apply(delta(3, 3, entry(3, CODE_B)))) is FeedProblem.GAP
    assert copy.last_sequence == 1 and copy.latest("610000", CODE_B) is None


def test_an_overlapping_batch_adds_only_what_is_new(world: World) -> None:
    copy = FeedCopy()
    copy.apply(delta(1, 2, entry(1), entry(2, CODE_B)))
    taken = copy.apply(delta(2, 3, entry(2, CODE_B), entry(3, CODE_A, Colour.RED, 3)))
    assert taken == 1
    assert copy.last_sequence == 3


def test_the_age_is_now_minus_the_newest_verified_as_of(world: World) -> None:
    copy = FeedCopy()
    assert copy.age(ISSUED_AT) is None
    copy.apply(delta(1, 1, entry(1), as_of=ISSUED_AT))
    assert copy.age(ISSUED_AT + timedelta(hours=2)) == timedelta(hours=2)


def test_an_empty_batch_still_proves_the_copy_is_fresh(world: World) -> None:
    copy = FeedCopy()
    copy.apply(delta(1, 1, entry(1), as_of=ISSUED_AT))
    copy.apply(delta(2, 1, as_of=ISSUED_AT + timedelta(hours=1)))
    assert copy.age(ISSUED_AT + timedelta(hours=1)) == timedelta(0)


def test_replaying_an_old_batch_cannot_make_the_copy_look_fresher(world: World) -> None:
    copy = FeedCopy()
    old = delta(1, 1, entry(1), as_of=ISSUED_AT)
    copy.apply(old)
    copy.apply(delta(2, 2, entry(2, CODE_B), as_of=ISSUED_AT + timedelta(hours=3)))
    copy.apply(old)
    assert copy.as_of_utc == ISSUED_AT + timedelta(hours=3)
    assert copy.last_sequence == 2


def test_a_batch_with_a_forged_signature_is_refused(world: World) -> None:
    signed = bytearray(delta(1, 1, entry(1)).sign(world.feed_key))
    signed[-1] ^= 0x01
    problem = problem_of(lambda: open_signed_batch(bytes(signed), world.trust))
    assert problem is FeedProblem.BAD_SIGNATURE


def test_a_batch_signed_by_an_unknown_or_wrong_key_is_refused(world: World) -> None:
    batch = delta(1, 1, entry(1))
    unknown = batch.sign(SigningKey.generate())
    assert problem_of(lambda: open_signed_batch(unknown, world.trust)) is FeedProblem.UNKNOWN_KEY
    by_issuer_key = batch.sign(world.issuer_key)
    assert problem_of(lambda: open_signed_batch(by_issuer_key, world.trust)) is (
        FeedProblem.NOT_A_FEED_KEY
    )


def test_a_batch_signed_by_a_revoked_feed_key_is_refused(world: World) -> None:
    revoked = trusted(world.feed_key, KeyRole.FEED).revoked(ISSUED_AT)
    trust = TrustList(2, ISSUED_AT, (SHAANXI,), (revoked,))
    signed = delta(1, 1, entry(1)).sign(world.feed_key)
    assert problem_of(lambda: open_signed_batch(signed, trust)) is FeedProblem.KEY_COMPROMISED


@pytest.mark.parametrize(
    "batch",
    [
        delta(1, 2, entry(2), entry(1)),  # out of order
        delta(1, 1, entry(1), entry(1)),  # repeated
        delta(2, 3, entry(1)),  # outside the batch's range
        delta(5, 2),  # ends before it starts
    ],
)
def test_a_batch_with_inconsistent_sequences_is_damaged(world: World, batch: FeedBatch) -> None:
    signed = batch.sign(world.feed_key)
    assert problem_of(lambda: open_signed_batch(signed, world.trust)) is FeedProblem.DAMAGED


def test_garbage_is_refused_as_damaged(world: World) -> None:
    assert problem_of(lambda: open_signed_batch(b"\x00\x01", world.trust)) is FeedProblem.DAMAGED


def _random_history(rng: random.Random, now: datetime, codes: list[bytes]) -> list[FeedEntry]:
    """Colour changes over the last 30 days, in time order, each with a rising colour seq."""
    times = sorted(now - timedelta(minutes=rng.randrange(0, 30 * 24 * 60)) for _ in range(400))
    colour_seq = dict.fromkeys(codes, 1)
    history = []
    for sequence, at in enumerate(times, start=1):
        code = rng.choice(codes)
        colour_seq[code] += 1
        history.append(
            FeedEntry(
                sequence, "610000", code, rng.choice(list(Colour)), colour_seq[code], "rule", at
            )
        )
    return history


def test_compaction_never_changes_the_colour_of_a_code_that_is_still_valid(world: World) -> None:
    rng = random.Random(20261123)
    now = ISSUED_AT
    codes = [i.to_bytes(16, "big") for i in range(300)]
    history = _random_history(rng, now, codes)
    full, compacted = FeedCopy(), FeedCopy()
    for copy in (full, compacted):
        copy.apply(delta(1, len(history), *history, as_of=now))
    dropped = compacted.compact(now)
    assert dropped > 0 and len(compacted) < len(full)
    # Any still-valid code was issued within the longest validity (plus tolerance); at issue it
    # carried the colour sequence then current for its code.
    for code in codes:
        for _ in range(5):
            issued = now - timedelta(minutes=rng.randrange(0, 14 * 24 * 60))
            known = [e for e in history if e.code_id == code and e.at_utc <= issued]
            seq = known[-1].colour_seq if known else 1
            claims = world.claims(
                code_id=code,
                colour=Colour.GREEN,
                colour_seq=seq,
                kind=CodeKind.PAPER,
                issued_at_utc=issued,
                not_before_utc=issued,
                expires_at_utc=issued + LONGEST_VALIDITY,
            )
            assert compacted.effective_colour(claims)[0] == full.effective_colour(claims)[0]


def test_a_snapshot_is_the_compacted_state_and_deltas_continue_from_it(world: World) -> None:
    rng = random.Random(7)
    codes = [bytes([i]) * 16 for i in range(20)]
    history = _random_history(rng, ISSUED_AT, codes)
    snapshot = make_snapshot(
        history, publisher="610000", last_sequence=len(history), as_of_utc=ISSUED_AT
    )
    signed = snapshot.sign(world.feed_key)
    assert open_signed_batch(signed, world.trust) == snapshot
    assert snapshot.horizon_utc == ISSUED_AT - LONGEST_VALIDITY - DEFAULT_CLOCK_TOLERANCE
    assert all(e.at_utc >= snapshot.horizon_utc for e in snapshot.entries)

    from_snapshot, from_deltas = FeedCopy(), FeedCopy()
    from_snapshot.apply(snapshot)
    from_deltas.apply(delta(1, len(history), *history, as_of=ISSUED_AT))
    from_deltas.compact(ISSUED_AT)
    assert sorted(from_snapshot.entries(), key=lambda e: e.sequence) == sorted(
        from_deltas.entries(), key=lambda e: e.sequence
    )
    next_entry = entry(len(history) + 1, CODE_A, Colour.RED, 99)
    from_snapshot.apply(delta(len(history) + 1, len(history) + 1, next_entry))
    assert from_snapshot.latest("610000", CODE_A) == next_entry


def test_a_snapshot_older_than_the_copy_is_refused(world: World) -> None:
    copy = FeedCopy()
    copy.apply(delta(1, 3, entry(1), entry(2, CODE_B), entry(3, CODE_A, colour_seq=3)))
    old = make_snapshot([entry(1)], publisher="610000", last_sequence=1, as_of_utc=ISSUED_AT)
    assert problem_of(lambda: copy.apply(old)) is FeedProblem.OLDER_SNAPSHOT


def test_a_streamed_snapshot_replaces_the_copy_all_or_nothing() -> None:
    copy = FeedCopy()
    copy.apply(delta(1, 2, entry(1), entry(2, CODE_B)))

    def broken() -> Iterator[FeedEntry]:
        yield entry(5, CODE_B, Colour.RED, 4)
        raise ConnectionError("the download broke off")

    later = ISSUED_AT + timedelta(hours=1)
    with pytest.raises(ConnectionError):
        copy.replace_from_snapshot(broken(), last_sequence=5, as_of_utc=later, horizon_utc=None)
    assert (copy.last_sequence, len(copy), copy.latest("610000", CODE_B)) == (
        2,
        2,
        entry(2, CODE_B),
    )
    taken = copy.replace_from_snapshot(
        iter([entry(5, CODE_B, Colour.RED, 4)]), last_sequence=5, as_of_utc=later, horizon_utc=None
    )
    assert (taken, copy.last_sequence, copy.as_of_utc) == (1, 5, later)
    assert copy.latest("610000", CODE_A) is None
    assert (
        problem_of(
            lambda: copy.replace_from_snapshot(
                iter(()), last_sequence=4, as_of_utc=later, horizon_utc=None
            )
        )
        is FeedProblem.OLDER_SNAPSHOT
    )


def test_a_restored_copy_answers_like_the_original(world: World) -> None:
    copy = FeedCopy()
    copy.apply(delta(1, 2, entry(1), entry(2, CODE_B, Colour.RED, 4)))
    restored = FeedCopy()
    restored.restore(list(copy.entries()), copy.last_sequence, copy.as_of_utc)
    assert restored.latest("610000", CODE_B) == copy.latest("610000", CODE_B)
    assert restored.age(ISSUED_AT) == copy.age(ISSUED_AT)


def test_every_problem_has_chinese_and_english_text() -> None:
    for problem in FeedProblem:
        assert problem.text.zh and problem.text.en


def test_entries_compare_by_value() -> None:
    assert dataclasses.replace(entry(1)) == entry(1)
