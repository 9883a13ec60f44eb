"""What a verified download does to a running kiosk: the feed copy (kept in the store) compacted
past the horizon and swapped in; the trust list kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from healthcode.claims import LONGEST_VALIDITY, Colour
from healthcode.feed import BatchKind, FeedBatch, FeedCopy, FeedEntry
from kiosk.app.download_sink import KioskDownloadSink
from kiosk.app.trust import TrustKeeper, TrustState
from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.store import Store, StoreKeys
from tests.kiosk.checkpoint_support import ISSUER, T0


def entry(sequence: int, at_days_ago: float) -> FeedEntry:
    return FeedEntry(
        sequence,
        ISSUER,
        bytes([sequence]) * 16,
        Colour.RED,
        2,
        "rule",
        T0 - timedelta(days=at_days_ago),
    )


def test_an_applied_feed_is_compacted_swapped_in_and_kept(tmp_path: Path) -> None:
    entries = (entry(1, 30), entry(2, 20), entry(3, 1))
    keeper = TrustKeeper(
        TrustState(None, FeedCopy()), default_policy(CheckpointType.ENTERPRISE_GATE)
    )
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as store:
        copy = store.feed
        copy.apply(FeedBatch(BatchKind.DELTA, ISSUER, 1, 3, T0, entries))
        sink = KioskDownloadSink(store, tmp_path, keeper=keeper, clock=lambda: T0)
        sink.feed_applied(copy)
        assert keeper.state.feed is copy
        # Only what could still change a valid code's colour is kept.
        assert copy.count() == 1
        kept = copy.latest(ISSUER, bytes([3]) * 16)
        assert kept is not None and T0 - kept.at_utc < LONGEST_VALIDITY
        assert copy.latest(ISSUER, bytes([1]) * 16) is None
        store.meta.set("flush", "1").result(timeout=10)  # the writer keeps the order
        assert store.copies.clock_floor() == T0
