"""Verifying a kiosk's signed request (the profile of `sync.signing`), replay-proof in the DB.

Cheap by design (issue 28): the check runs on the request's own connection and transaction, in
Core statements built once at import, so a signed request costs one read of the kiosk, one nonce
insert (`ON CONFLICT DO NOTHING`: a replay inserts nothing, no savepoint) and, at most once a
minute per kiosk, one update of its last-seen time and health; the route's work and the commit
follow in the same transaction. Expired nonces are deleted by the periodic job
(`forget_spent_nonces`), not per request.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature as CryptographyInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    VerifyResult,
)

# The library's own parsing and identity of component ids (private, pinned in requirements.lock),
# so the required set is compared exactly as `verify(require_components=...)` compares it.
from http_message_signatures._components import _component_identity, _parse_component_ids
from pydantic import ValidationError
from sqlalchemy import Connection, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from central.core.errors import RefusedError
from central.core.models import Checkpoint, Kiosk, RequestNonce
from central.core.prepared import Prepared
from sync.schemas import KIOSK_HEALTH_HEADER, KioskHealth, RefusalReason
from sync.signing import (
    COVERED_COMPONENTS,
    LEGACY_COMPONENTS,
    SIGNATURE_ALGORITHM,
    SIGNATURE_TAG,
    derived_components,
    signature_base,
)

MAX_NONCE_LENGTH = 128
# A kiosk's last-seen time and health are written when the stored ones are older than this: a
# kiosk makes several requests a minute, the fleet page needs no finer grain.
LAST_SEEN_EVERY = timedelta(seconds=60)


class KioskAuthError(RefusedError, ValueError):
    """A kiosk request that is not signed as it must be: 401, or 403 for a revoked kiosk."""

    def __init__(self, reason: RefusalReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status_code = 403 if reason is RefusalReason.KIOSK_REVOKED else 401


@dataclass(frozen=True)
class RequestView:
    """What the verifier reads of a request: method, full URL, header fields in order."""

    method: str
    url: str
    headers: Fields


class Fields:
    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._pairs = list(pairs)
        self._names = {name.lower() for name, _ in self._pairs}  # asked per request, twice

    def items(self) -> list[tuple[str, str]]:
        return self._pairs

    def __iter__(self) -> Any:
        return iter(dict.fromkeys(name for name, _ in self._pairs))

    def __contains__(self, name: object) -> bool:
        return str(name).lower() in self._names


@dataclass(frozen=True)
class SignedKiosk:
    """The kiosk that signed a request, as its routes need it (read by one Core select)."""

    id: str
    checkpoint_id: str
    revoked_at: datetime | None
    last_seen_at: datetime | None
    signing_public_key: bytes
    region_code: str | None  # the checkpoint's


_KIOSKS: Table = Kiosk.__table__  # type: ignore[assignment]
_NONCES: Table = RequestNonce.__table__  # type: ignore[assignment]
# Built once (issue 28): a statement built per request cost its compilation-cache key each time.
_CHECKPOINTS: Table = Checkpoint.__table__  # type: ignore[assignment]
# With the checkpoint's region: an upload copies it into every row it stores.
_KIOSK_BY_ID = Prepared(
    select(
        _KIOSKS.c.id,
        _KIOSKS.c.checkpoint_id,
        _KIOSKS.c.revoked_at,
        _KIOSKS.c.last_seen_at,
        _KIOSKS.c.signing_public_key,
        _CHECKPOINTS.c.region_code,
    )
    .select_from(_KIOSKS.outerjoin(_CHECKPOINTS, _CHECKPOINTS.c.id == _KIOSKS.c.checkpoint_id))
    .where(_KIOSKS.c.id == bindparam("kiosk_id"))
)
_SPEND_NONCE = {
    name: Prepared(module.insert(_NONCES).on_conflict_do_nothing().returning(_NONCES.c.nonce))
    for name, module in (("postgresql", postgresql), ("sqlite", sqlite))
}
_RECORD_SEEN = update(_KIOSKS).where(_KIOSKS.c.id == bindparam("kiosk_id"))


@functools.lru_cache(maxsize=4096)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


class _KioskKeys(HTTPSignatureKeyResolver):
    """Looks the key id up as a kiosk, remembering what it found for the refusal's reason."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.kiosk: SignedKiosk | None = None
        self.looked_up = False

    def resolve_public_key(self, key_id: str) -> Ed25519PublicKey | None:
        self.looked_up = True
        row = _KIOSK_BY_ID.first(self.connection, {"kiosk_id": key_id})
        self.kiosk = None if row is None else SignedKiosk(*row)
        if self.kiosk is None or self.kiosk.revoked_at is not None:
            return None
        return _public_key(bytes(self.kiosk.signing_public_key))

    def resolve_private_key(self, key_id: str) -> Any:
        raise NotImplementedError("the server never signs as a kiosk")


def _identities(components: Sequence[str]) -> tuple[tuple[str, Hashable], ...]:
    """Each required component as the library names it in a refusal, and its identity."""
    return tuple(
        (str(node), _component_identity(node)) for node in _parse_component_ids(components)
    )


COVERED_IDENTITIES = _identities(COVERED_COMPONENTS)
LEGACY_IDENTITIES = _identities(LEGACY_COMPONENTS)


@functools.lru_cache(maxsize=256)
def _identity(component: str) -> Hashable:
    """A covered component's identity (parameter order ignored, RFC 9421 section 2): a kiosk
    covers the same few components every time, so each text is parsed once."""
    (node,) = _parse_component_ids((component,))
    return _component_identity(node)


def _require_covered(
    results: Sequence[VerifyResult], required: tuple[tuple[str, Hashable], ...]
) -> None:
    """`verify(require_components=...)`, the required side parsed once at import."""
    for result in results:
        covered = {_identity(component) for component in result.covered_components}
        for name, identity in required:
            if identity not in covered:
                raise InvalidSignature(
                    f"Required component {name} was not covered by the signature"
                )


class _Verifier(HTTPMessageVerifier):
    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        """Time is checked after the signature, against the injected clock (see below)."""


Verified = tuple[SignedKiosk, dict[str, Any], dict[str, str]]  # kiosk, parameters, covered


def _verify_by_library(
    connection: Connection, request: RequestView, body: bytes, *, accept_legacy: bool
) -> Verified:
    """The library's own checks, in its order (signature, covered components, body digest);
    the covered components compared on identities parsed once per distinct text. Every
    refusal's reason and text comes from here."""
    keys = _KioskKeys(connection)
    verifier = _Verifier(signature_algorithm=SIGNATURE_ALGORITHM, key_resolver=keys)
    try:
        results = verifier.verify(request, max_age=None, expect_tag=SIGNATURE_TAG)
        _require_covered(results, LEGACY_IDENTITIES if accept_legacy else COVERED_IDENTITIES)
        (result,) = verifier.verify_body(request, results, body)
    except (InvalidSignature, HTTPMessageSignaturesException, ValueError) as error:
        if keys.looked_up and keys.kiosk is None:
            raise KioskAuthError(RefusalReason.UNKNOWN_KIOSK, "no such kiosk") from None
        if keys.kiosk is not None and keys.kiosk.revoked_at is not None:
            raise KioskAuthError(RefusalReason.KIOSK_REVOKED, "this kiosk is revoked") from None
        raise KioskAuthError(RefusalReason.SIGNATURE_INVALID, str(error)) from None
    if keys.kiosk is None:  # the verifier resolved a key, so it found the kiosk
        raise KioskAuthError(RefusalReason.UNKNOWN_KIOSK, "no such kiosk")
    return keys.kiosk, result.parameters, result.covered_components


# The exact Signature-Input and Signature a kiosk sends (`sync.signing.KioskAuth`), in the
# library's own serialisation: no other spelling matches (no leading zero, no escapes, nothing
# optional but the health header), so the member's text IS its `@signature-params` line.
_KIOSK_SIGNATURE_INPUT = re.compile(
    r'kiosk=(\("@method" "@authority" "@path" "@query" "content-digest"( "kiosk-health")?\)'
    r';created=([1-9][0-9]{0,14});keyid="([A-Za-z0-9._-]{1,128})";alg="ed25519"'
    r';nonce="([A-Za-z0-9_-]{1,128})";tag="healthcode-kiosk")'
)
_KIOSK_SIGNATURE = re.compile(r"kiosk=:([A-Za-z0-9+/]{85}[AQgw]==):")  # 64 bytes, canonical
_KIOSK_FIELDS = frozenset({"signature", "signature-input", "content-digest", KIOSK_HEALTH_HEADER})


def _verify_as_kiosks_sign(
    connection: Connection, request: RequestView, body: bytes
) -> Verified | None:
    """A request signed exactly as our kiosks sign, verified without the general parser (issue
    28: the library's structured-field parsing and signature base were ~0.35 ms of every
    request's ~1 ms); or None when it is anything else, or fails anywhere: the library then
    verifies it again from the start and gives the refusal. So this path accepts only what the
    library accepts (the same signature base, built per RFC 9421 from the same URL and field
    lines, and the same checks on its values) and never refuses."""
    lines: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        lowered = name.lower()
        if lowered in _KIOSK_FIELDS:
            lines.setdefault(lowered, []).append(value)
    signature_input = lines.get("signature-input", ())
    signature_field = lines.get("signature", ())
    digest = lines.get("content-digest", ())
    if len(signature_input) != 1 or len(signature_field) != 1 or len(digest) != 1:
        return None
    parsed = _KIOSK_SIGNATURE_INPUT.fullmatch(signature_input[0])
    signature_match = _KIOSK_SIGNATURE.fullmatch(signature_field[0])
    if parsed is None or signature_match is None or request.method != request.method.upper():
        return None
    params, with_health, created, key_id, nonce = parsed.groups()
    if digest[0] != "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":":
        return None
    derived = derived_components(request.method, request.url)
    if derived is None:
        return None
    values = [*derived, digest[0]]
    covered_names = list(COVERED_COMPONENTS)
    if with_health:
        health = lines.get(KIOSK_HEALTH_HEADER, ())
        if len(health) != 1:
            return None
        covered_names.append(KIOSK_HEALTH_HEADER)
        values.append(health[0])
    # The same base the kiosk signs (one home: sync.signing); a value the library would read
    # otherwise (padded, control characters, not ASCII) gives None, and the library decides.
    base = signature_base(covered_names, values, params)
    if base is None:
        return None
    covered = {f'"{name}"': value for name, value in zip(covered_names, values, strict=True)}
    row = _KIOSK_BY_ID.first(connection, {"kiosk_id": key_id})
    kiosk = None if row is None else SignedKiosk(*row)
    if kiosk is None or kiosk.revoked_at is not None:
        return None
    try:
        _public_key(bytes(kiosk.signing_public_key)).verify(
            base64.b64decode(signature_match[1], validate=True), base.encode()
        )
    except (CryptographyInvalidSignature, ValueError):
        return None
    parameters = {
        "created": int(created),
        "keyid": key_id,
        "alg": SIGNATURE_ALGORITHM.algorithm_id,
        "nonce": nonce,
        "tag": SIGNATURE_TAG,
    }
    return kiosk, parameters, covered


def verify_kiosk_request(
    connection: Connection,
    request: RequestView,
    body: bytes,
    *,
    now: datetime,
    tolerance: timedelta,
    accept_legacy: bool = False,
) -> SignedKiosk:
    """The kiosk that signed this request, its nonce spent and health recorded; or raise.

    Writes on `connection` without committing: the caller commits with the route's own work
    (one transaction per request), or rolls back with a refusal. The signature must cover the
    authority and the query too (a `limit=1` signed is not a `limit=5000` sent, nor a request
    to another host); `accept_legacy` lets kiosks that sign the older, narrower set through
    while a fleet updates."""
    if "signature" not in request.headers or "signature-input" not in request.headers:
        raise KioskAuthError(RefusalReason.SIGNATURE_MISSING, "the request is not signed")
    signed = _verify_as_kiosks_sign(connection, request, body)
    if signed is None:
        signed = _verify_by_library(connection, request, body, accept_legacy=accept_legacy)
    kiosk, parameters, covered = signed
    created = parameters.get("created")
    nonce = parameters.get("nonce")
    if not isinstance(created, int) or not isinstance(nonce, str):
        raise KioskAuthError(RefusalReason.SIGNATURE_INVALID, "created and nonce are required")
    if not 0 < len(nonce) <= MAX_NONCE_LENGTH:
        raise KioskAuthError(RefusalReason.SIGNATURE_INVALID, "bad nonce length")
    signed_at = datetime.fromtimestamp(created, now.tzinfo)
    if abs(signed_at - now) > tolerance:
        raise KioskAuthError(
            RefusalReason.CLOCK_SKEW,
            f"signed at {signed_at.isoformat()}, more than {tolerance} from the server's time",
        )
    _spend_nonce(connection, kiosk.id, nonce, expires_at=signed_at + tolerance)
    _record_health(connection, kiosk, covered, now)
    return kiosk


def _spend_nonce(
    connection: Connection, kiosk_id: str, nonce: str, *, expires_at: datetime
) -> None:
    """One statement: a nonce seen before (committed, or being committed by another process,
    which PostgreSQL waits for) inserts nothing, and the request is a replay."""
    statement = _SPEND_NONCE[connection.dialect.name]
    values = {"kiosk_id": kiosk_id, "nonce": nonce, "expires_at": expires_at}
    if statement.first(connection, values) is None:
        raise KioskAuthError(RefusalReason.REPLAYED, "this request was seen before")


def forget_spent_nonces(sessions: sessionmaker[Session], now: datetime) -> int:
    """Delete the nonces past their expiry (the periodic job): a request carrying one can no
    longer come with an acceptable signature time, so forgetting it lets no replay through."""
    with sessions() as session:
        deleted = session.execute(delete(_NONCES).where(_NONCES.c.expires_at < now))
        session.commit()
    return int(getattr(deleted, "rowcount", 0) or 0)


def _record_health(
    connection: Connection, kiosk: SignedKiosk, covered: dict[str, str], now: datetime
) -> None:
    """Last seen and health, written at most once a `LAST_SEEN_EVERY` per kiosk."""
    if kiosk.last_seen_at is not None and now - kiosk.last_seen_at < LAST_SEEN_EVERY:
        return
    values: dict[str, Any] = {"last_seen_at": now}
    raw = covered.get(f'"{KIOSK_HEALTH_HEADER}"')
    health = _health_of(raw) if raw is not None else None
    if health is not None:
        values.update(
            software_version=health.software_version,
            backlog_records=health.backlog_records,
            feed_age_s=health.feed_age_s,
            clock_offset_s=health.clock_offset_s,
            free_disk_bytes=health.free_disk_bytes,
            error_counts=dict(health.error_counts),
        )
    # The SET clause is the parameters' columns (two shapes: with health or without).
    connection.execute(_RECORD_SEEN, {"kiosk_id": kiosk.id, **values})


def _health_of(raw: str) -> KioskHealth | None:
    try:
        return KioskHealth.model_validate_json(raw)
    except ValidationError:
        return None  # a malformed report must not cost the kiosk its request
