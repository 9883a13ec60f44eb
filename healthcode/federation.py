"""Other issuers' codes (全国互信互认): another region's published trust list, imported into ours.

Every issuer publishes its trust list signed by its own root. To recognise its codes, an
administrator pins that issuer's root public key (obtained out of band, e.g. from the provincial
platform) and imports the list: it is verified against the pinned root, and only its issuer keys
are taken (never its feed keys: another issuer must not sign our status feed or our kiosks'
configuration). The next trust list we sign carries our own issuer and keys plus each imported
issuer and its issuer keys, so the kiosks, which pin only our root, accept those codes; which
of the listed issuers a checkpoint accepts is its policy's say (`accepted_issuers`).

An imported list may not speak for our own region nor for a region containing it (a list naming
a city inside our province is allowed: another platform of the province, 003), nor for a region
another imported list already speaks for, and an import of the same publisher only moves forward
(a lower or equal sequence is refused, as for our own lists).

Region codes nest (GB/T 2260): `510000` (a province) covers every `51xxxx`, `510400` (a city)
covers every `5104xx`; `region_covers` is that rule, used for the policy's accepted issuers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from healthcode.keys import PublicKey
from healthcode.trust import (
    Issuer,
    KeyRole,
    TrustList,
    TrustListError,
    TrustListProblem,
    open_signed_trust_list,
)


class TrustImportError(ValueError):
    """A published trust list that cannot be imported (besides a bad signature or damage, which
    raise TrustListError)."""


def region_covers(area: str, code: str) -> bool:
    """Whether region `code` lies in `area` (or is it): a code ending in 0000 is a province, in
    00 a city, otherwise a county."""
    if area.endswith("0000"):
        return code[:2] == area[:2]
    if area.endswith("00"):
        return code[:4] == area[:4]
    return code == area


def recognised(issuer: str, accepted: Iterable[str] | None) -> bool:
    """Whether a policy's accepted regions (None: all) take codes of `issuer`."""
    return accepted is None or any(region_covers(area, issuer) for area in accepted)


@dataclass(frozen=True)
class ImportedList:
    """Another issuer's verified trust list and the root it was checked against."""

    root: PublicKey
    trust_list: TrustList

    @property
    def issuers(self) -> tuple[Issuer, ...]:
        return self.trust_list.issuers

    @property
    def issuer_key_count(self) -> int:
        return sum(1 for key in self.trust_list.keys if key.role is KeyRole.ISSUER)


def open_published_list(data: bytes, pinned_root: PublicKey) -> ImportedList:
    """Verify another issuer's published list against its pinned root. Raises TrustListError
    (damaged, unknown root, bad signature) or TrustImportError (no issuer)."""
    trust_list, root = open_signed_trust_list(data, [pinned_root])
    if not trust_list.issuers:
        raise TrustImportError("the list names no issuer")
    named = {issuer.region_code for issuer in trust_list.issuers}
    strays = sorted({k.issuer for k in trust_list.keys if k.role is KeyRole.ISSUER} - named)
    if strays:
        raise TrustImportError(
            f"issuer keys of regions the list does not name: {', '.join(strays)}"
        )
    return ImportedList(root=root, trust_list=trust_list)


def check_import(
    candidate: ImportedList, own: Issuer, others: Sequence[ImportedList]
) -> ImportedList | None:
    """Refuse what an import may not do; the earlier import of the same publisher (same pinned
    root) it replaces, if any."""
    for issuer in candidate.issuers:
        code = issuer.region_code
        if region_covers(code, own.region_code):
            raise TrustImportError(f"region {code} is or contains our own region {own.region_code}")
    previous = None
    for other in others:
        if other.root.kid == candidate.root.kid:
            previous = other
            continue
        taken = {i.region_code for i in other.issuers}
        clash = sorted(taken & {i.region_code for i in candidate.issuers})
        if clash:
            raise TrustImportError(
                f"region {', '.join(clash)} is already imported from another list"
            )
    if previous is not None and candidate.trust_list.sequence <= previous.trust_list.sequence:
        raise TrustListError(
            TrustListProblem.ROLLBACK,
            f"sequence {candidate.trust_list.sequence} is not after {previous.trust_list.sequence}",
        )
    return previous


def merged(own: TrustList, imports: Sequence[ImportedList]) -> TrustList:
    """Our list with every imported issuer and its issuer keys added (feed keys never)."""
    issuers = list(own.issuers)
    keys = list(own.keys)
    seen = {key.kid for key in keys}
    for imported in imports:
        issuers.extend(imported.issuers)
        for key in imported.trust_list.keys:
            if key.role is KeyRole.ISSUER and key.kid not in seen:
                keys.append(key)
                seen.add(key.kid)
    return TrustList(
        sequence=own.sequence,
        issued_at_utc=own.issued_at_utc,
        issuers=tuple(issuers),
        keys=tuple(keys),
        next_root=own.next_root,
    )
