"""The sync thread of an enrolled kiosk, started from what the kiosk decides with now.

Its starting copies come from the running trust state (`TrustKeeper`) and the enrolment read
at start-up, not from the files again: one source of truth. Verified downloads go through
`KioskDownloadSink` back into the keeper.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from healthcode.text import LocalText
from kiosk.app.download_sink import KioskDownloadSink
from kiosk.app.enrolment import Enrolled
from kiosk.app.trust import TrustKeeper
from kiosk.store import Store


def start_kiosk_sync(
    store: Store,
    keeper: TrustKeeper,
    enrolled: Enrolled,
    *,
    swap_in: bool = True,
    on_refused: Callable[[LocalText], None] | None = None,
    health: Callable[[], Any] | None = None,
    on_server_time: Callable[[datetime, float], None] | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> Any:
    """Uploads the outbox, then downloads and verifies the trust list, the status feed, the
    policy and the roster, swapping in what verifies (`swap_in`; demo mode keeps its own)."""
    from kiosk.client.worker import start_sync

    sink = KioskDownloadSink(
        store,
        enrolled.folder,
        keeper=keeper if swap_in else None,
        on_refused=(lambda refusal: on_refused(refusal.text)) if on_refused else None,
    )
    return start_sync(
        enrolled.folder,
        sink,
        # The demo decides with its own world's feed; its downloads go to the store's copy
        # (central's lineage), or central's first snapshot would be "older" than the demo's.
        feed=keeper.state.feed if swap_in else store.feed,
        trust_list=enrolled.trust_list,
        trust_list_signed=enrolled.trust_list_signed,
        policy_version=enrolled.policy_version,
        roster_version=enrolled.roster_version,
        outbox=store.outbox,
        health=health,
        on_server_time=on_server_time,
        monotonic=monotonic,
    )
