"""The one owner of the trust state: the trust list, the status-feed copy, the policy and the
binding keys codes are checked against, and the roster staff sign in with.

Start-up builds it once (`kiosk.app.startup`); afterwards only its `swap_*` methods change it,
from the sync thread (a verified download) or the app thread (enrolment). Each swap replaces
the state whole, so a reader on another thread always sees a consistent set, and tells the
listeners (on the swapping thread; the application posts what the screens need). The feed copy
is the exception to "whole": it is the store's (`kiosk.store.feed`), changed in place one
committed transaction at a time, so a reader sees the copy before or after a batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from healthcode.feed import UpdatableFeed
from healthcode.trust import TrustList
from kiosk.checkpoint.policy import Policy
from kiosk.store import Operator, Store

WRITE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class TrustState:
    """What codes are checked against; replaced whole, never changed in place."""

    trust_list: TrustList | None
    feed: UpdatableFeed  # the store's copy (`kiosk.store.feed`), changed in place
    recognised_issuers: frozenset[str] | None = None
    national_code_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrustChange:
    """What a swap changed (for listeners): the new values, None where unchanged."""

    state: TrustState | None = None
    policy: Policy | None = None
    binding_keys: dict[str, list[bytes]] | None = None
    roster: bool = False


TrustListener = Callable[[TrustChange], None]


class TrustKeeper:
    def __init__(
        self,
        state: TrustState,
        policy: Policy,
        binding_keys: dict[str, list[bytes]] | None = None,
        *,
        store: Store | None = None,
    ) -> None:
        self._lock = threading.Lock()
        if state.recognised_issuers is None and policy.accepted_issuers is not None:
            state = replace(state, recognised_issuers=policy.accepted_issuers)
        if not state.national_code_prefixes:
            state = replace(state, national_code_prefixes=policy.national_code_prefixes)
        self._state = state
        self._policy = policy
        self._binding_keys = dict(binding_keys or {})
        self._store = store
        self._listeners: list[TrustListener] = []

    @property
    def state(self) -> TrustState:
        return self._state

    @property
    def policy(self) -> Policy:
        return self._policy

    @property
    def binding_keys(self) -> dict[str, list[bytes]]:
        return dict(self._binding_keys)

    def subscribe(self, listener: TrustListener) -> None:
        self._listeners.append(listener)

    def _tell(self, change: TrustChange) -> None:
        for listener in list(self._listeners):
            listener(change)

    def swap_trust_list(self, trust_list: TrustList | None) -> None:
        with self._lock:
            self._state = state = replace(self._state, trust_list=trust_list)
        self._tell(TrustChange(state=state))

    def swap_feed(self, feed: UpdatableFeed) -> None:
        """The feed copy took verified data (or is another copy): listeners hear of it."""
        with self._lock:
            self._state = state = replace(self._state, feed=feed)
        self._tell(TrustChange(state=state))

    def swap_policy(self, policy: Policy) -> None:
        """A new policy; its accepted issuers and national-code prefixes go into the state codes
        are checked against."""
        with self._lock:
            self._policy = policy
            self._state = state = replace(
                self._state,
                recognised_issuers=policy.accepted_issuers,
                national_code_prefixes=policy.national_code_prefixes,
            )
        self._tell(TrustChange(state=state, policy=policy))

    def add_binding_keys(self, keys: dict[str, list[bytes]]) -> None:
        with self._lock:
            self._binding_keys = merged = {**self._binding_keys, **keys}
        self._tell(TrustChange(binding_keys=dict(merged)))

    def swap_roster(self, operators: Sequence[Operator]) -> None:
        """The staff roster central sent, kept in the store (blocking: not the GUI thread)."""
        if self._store is not None:
            self._store.copies.replace_roster(list(operators)).result(WRITE_TIMEOUT_S)
        self._tell(TrustChange(roster=True))
