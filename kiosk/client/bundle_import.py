"""Offline bundles at the kiosk: `kiosk import-bundle FILE` (made by `central export-bundle`).

The bundle's outer signature is checked with a feed key of the newest trust list the kiosk can
verify (the bundle's own, when the pinned root accepts it), then each item goes through exactly
the checks of a download (`kiosk.client.download.KioskCopies`): a refused item keeps the old copy.
"""

from __future__ import annotations

from healthcode.trust import TrustAnchor, TrustList, TrustListError
from kiosk.client.download import Item, KioskCopies, Outcome
from sync.distribution import DocumentError, DocumentProblem, read_bundle, verify_bundle


def import_bundle(data: bytes, copies: KioskCopies) -> dict[Item, Outcome]:
    """Verify and take a bundle's items; the outcome of each (BUNDLE alone when the bundle as a
    whole is refused)."""
    try:
        bundle = read_bundle(data)
    except DocumentError as error:
        copies.refuse(Item.BUNDLE, error.problem.value, error.problem.text, error.detail)
        return {Item.BUNDLE: Outcome.REFUSED}
    if bundle.checkpoint_id != copies.checkpoint_id:
        problem = DocumentProblem.WRONG_CHECKPOINT
        copies.refuse(Item.BUNDLE, problem.value, problem.text, f"for {bundle.checkpoint_id}")
        return {Item.BUNDLE: Outcome.REFUSED}
    candidate = TrustAnchor(copies.anchor.root, copies.anchor.current)
    trust: TrustList | None
    try:
        trust = candidate.accept(bundle.trust_list)
    except TrustListError:
        trust = copies.anchor.current  # older or equal (or bad): judged below like a download
    if trust is None:
        copies.take_trust_list(bundle.trust_list)  # refused: says why
        return {Item.BUNDLE: Outcome.REFUSED}
    try:
        verify_bundle(data, trust)
    except DocumentError as error:
        copies.refuse(Item.BUNDLE, error.problem.value, error.problem.text, error.detail)
        return {Item.BUNDLE: Outcome.REFUSED}
    outcomes = {Item.TRUST_LIST: copies.take_trust_list(bundle.trust_list)}
    outcomes[Item.FEED] = copies.take_batch(bundle.feed)
    outcomes[Item.POLICY] = copies.take_policy(bundle.policy)
    outcomes[Item.ROSTER] = copies.take_roster(bundle.roster)
    return outcomes
