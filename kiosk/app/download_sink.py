"""Where verified downloads go at the kiosk (issue 11): the store, the identity folder, and the
running kiosk's trust state (`kiosk.app.trust.TrustKeeper`, which swaps it whole). Qt-free;
called on the sync thread.

The identity folder's `trust-list.cose`, `root.pub`, `policy.json` and `staff-roster.json` are
rewritten (atomically) so the next start (`kiosk.app.enrolment.Enrolled`) picks up what was
verified; the store keeps the trust lists, the policy, the roster and the feed copy (the feed
copy lives in the store, `kiosk.store.feed`: each verified batch is committed there).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization

from healthcode.console import say
from healthcode.feed import UpdatableFeed
from healthcode.keydir import load_public
from healthcode.keys import PublicKey
from healthcode.trust import TrustAnchor, TrustList, TrustListError
from kiosk.checkpoint.policy import Policy as CheckpointPolicy
from kiosk.checkpoint.policy import policy_from_central
from kiosk.client.download import Item, KioskCopies, Outcome, Refused
from kiosk.client.identity import (
    POLICY_FILE,
    ROOT_PUBLIC_FILE,
    TRUST_LIST_FILE,
    KioskIdentity,
)
from kiosk.client.roster_file import load_roster, save_roster
from kiosk.store import Operator, Store
from sync.schemas import Policy, StaffRoster

log = logging.getLogger(__name__)
WRITE_TIMEOUT_S = 60.0


class TrustSwapper(Protocol):
    """The running kiosk's `TrustKeeper`: the one place its trust state is swapped."""

    def swap_trust_list(self, trust_list: TrustList | None) -> None: ...
    def swap_feed(self, feed: UpdatableFeed) -> None: ...
    def swap_policy(self, policy: CheckpointPolicy) -> None: ...
    def swap_roster(self, operators: list[Operator]) -> None: ...


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".new")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def _pem(key: PublicKey) -> bytes:
    return key.key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def kiosk_operators(roster: StaffRoster) -> list[Operator]:
    return [Operator(m.operator_id, m.name, m.pin_hash, "staff", True) for m in roster.operators]


class KioskDownloadSink:
    def __init__(
        self,
        store: Store,
        identity_dir: Path,
        *,
        keeper: TrustSwapper | None = None,
        on_refused: Callable[[Refused], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.identity_dir = identity_dir
        self.keeper = keeper
        self.on_refused = on_refused
        self.clock = clock

    def trust_list_accepted(self, signed: bytes, trust_list: TrustList, root: PublicKey) -> None:
        self.store.copies.save_trust_list(trust_list.sequence, signed, self.clock()).result(
            WRITE_TIMEOUT_S
        )
        root_file = self.identity_dir / ROOT_PUBLIC_FILE
        if load_public(root_file).kid != root.kid:  # the pin moved to the next root
            _replace(root_file, _pem(root))
        _replace(self.identity_dir / TRUST_LIST_FILE, signed)
        self.store.copies.raise_clock_floor(trust_list.issued_at_utc)
        if self.keeper is not None:
            self.keeper.swap_trust_list(trust_list)

    def feed_applied(self, feed: UpdatableFeed) -> None:
        # The copy (the store's, `kiosk.store.feed`) is already committed. Bounded as healthcode
        # defines it: entries older than the longest validity (plus the clock tolerance) can no
        # longer change any valid code's colour.
        dropped = feed.compact(self.clock())
        if dropped:
            log.info("status feed: %d entries past the horizon compacted away", dropped)
        if feed.as_of_utc is not None:
            self.store.copies.raise_clock_floor(feed.as_of_utc)
        if self.keeper is not None:
            self.keeper.swap_feed(feed)

    def policy_accepted(self, policy: Policy, signed: bytes) -> None:
        document = {"version": policy.policy_version, **policy.model_dump(mode="json")}
        self.store.copies.save_policy(document, self.clock()).result(WRITE_TIMEOUT_S)
        _replace(self.identity_dir / POLICY_FILE, policy.model_dump_json(indent=2).encode())
        if self.keeper is not None:
            self.keeper.swap_policy(
                policy_from_central(
                    policy.policy_version, policy.checkpoint_type.value, policy.rules
                )
            )

    def roster_accepted(self, roster: StaffRoster, signed: bytes) -> None:
        operators = kiosk_operators(roster)
        if self.keeper is not None:
            self.keeper.swap_roster(operators)  # kept in the store, and the sign-in reloads
        else:
            self.store.copies.replace_roster(operators).result(WRITE_TIMEOUT_S)
        save_roster(KioskIdentity.load(self.identity_dir), self.identity_dir, roster)

    def refused(self, refusal: Refused) -> None:
        if self.on_refused is not None:
            self.on_refused(refusal)


@dataclass(frozen=True)
class CurrentCopies:
    """What an enrolled kiosk decides with now, read from its identity folder and store: the
    arguments `kiosk.client.worker.start_sync` and `KioskCopies` want."""

    root: PublicKey
    checkpoint_id: str
    trust_list: TrustList | None
    trust_list_signed: bytes | None
    feed: UpdatableFeed
    policy_version: int
    roster_version: int

    def copies(self, sink: KioskDownloadSink) -> KioskCopies:
        return KioskCopies(
            sink,
            root=self.root,
            checkpoint_id=self.checkpoint_id,
            trust_list=self.trust_list,
            trust_list_signed=self.trust_list_signed,
            feed=self.feed,
            policy_version=self.policy_version,
            roster_version=self.roster_version,
        )


def current_copies(identity_dir: Path, store: Store) -> CurrentCopies:
    identity = KioskIdentity.load(identity_dir)
    root = load_public(identity_dir / ROOT_PUBLIC_FILE)
    signed: bytes | None = None
    trust_list: TrustList | None = None
    try:
        signed = (identity_dir / TRUST_LIST_FILE).read_bytes()
        trust_list = TrustAnchor(root).accept(signed)
    except (OSError, TrustListError) as error:
        log.error("the kept trust list cannot be used: %s", error)
        signed = None
    policy = Policy.model_validate_json((identity_dir / POLICY_FILE).read_text("utf-8"))
    roster = load_roster(identity, identity_dir)
    return CurrentCopies(
        root=root,
        checkpoint_id=identity.checkpoint.checkpoint_id,
        trust_list=trust_list,
        trust_list_signed=signed,
        feed=store.feed,
        policy_version=policy.policy_version,
        roster_version=roster.roster_version,
    )


def main_import_bundle(data_dir: Path, bundle_file: Path) -> int:
    """`kiosk import-bundle FILE`: 0 when everything in it was taken or already held."""
    from kiosk.client.bundle_import import import_bundle

    identity_dir = data_dir / "identity"
    try:
        data = bundle_file.read_bytes()
        store = Store.open(data_dir / "kiosk.db", data_dir / "keys" / "store.key")
    except OSError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 2
    refusals: list[Refused] = []
    try:
        current = current_copies(identity_dir, store)
        sink = KioskDownloadSink(store, identity_dir, on_refused=refusals.append)
        outcomes = import_bundle(data, current.copies(sink))
    except (OSError, ValueError) as error:
        print(
            f"kiosk: not enrolled or unreadable state in {identity_dir}: {error}", file=sys.stderr
        )
        return 2
    finally:
        store.close()
    for item, outcome in outcomes.items():
        say(f"{item.value}: {outcome.value}")
    for refusal in refusals:
        words = f"{refusal.text.zh} / {refusal.text.en}"
        print(f"refused {refusal.item.value}: {refusal.reason} ({words})", file=sys.stderr)
    return 1 if Outcome.REFUSED in outcomes.values() or Item.BUNDLE in outcomes else 0
