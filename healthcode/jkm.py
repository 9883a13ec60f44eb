"""Our own health code, scheme `JKM1`: `JKM1:` + Base45(COSE_Sign1(CWT claims)).

No zlib (unlike the EU DCC): our claims are short binary and compression lengthens them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from healthcode import base45, cose
from healthcode.claims import ClaimsError, CodeKind, Colour, HealthCodeClaims
from healthcode.federation import recognised
from healthcode.identity import id_binding, mask_name
from healthcode.keys import SigningKey
from healthcode.results import Rejection, RejectReason, VerificationResult, VerifiedCode
from healthcode.schemes import SchemeRegistry, VerifyContext
from healthcode.trust import KeyRole

if TYPE_CHECKING:
    from healthcode.dcc import DccTrustList

FAMILY = "JKM"
VERSION = 1
PREFIX = f"{FAMILY}{VERSION}:"
SCHEME_NAME = f"{FAMILY}{VERSION}"


def issue(claims: HealthCodeClaims, key: SigningKey) -> str:
    """The QR text of a code: only the issuer's signing service calls this."""
    return PREFIX + base45.encode(cose.sign(claims.encode(), key))


def claims_for_person(
    *,
    issuer: str,
    code_id: bytes,
    colour: Colour,
    colour_seq: int,
    kind: CodeKind,
    full_name: str,
    id_number: str | None,
    binding_key: bytes | None,
    now: datetime,
) -> HealthCodeClaims:
    """Claims for one person at `now`: the name is masked and the ID number becomes a binding;
    neither leaves this function in clear."""
    if (id_number is None) != (binding_key is None):
        raise ClaimsError("an ID binding needs both the ID number and the binding key")
    binding = id_binding(binding_key, id_number) if id_number and binding_key else None
    issued_at = now.replace(microsecond=0)
    return HealthCodeClaims(
        issuer=issuer,
        code_id=code_id,
        colour=colour,
        colour_seq=colour_seq,
        kind=kind,
        masked_name=mask_name(full_name),
        id_binding=binding,
        issued_at_utc=issued_at,
        not_before_utc=issued_at,
        expires_at_utc=issued_at + kind.validity,
    )


@dataclass(frozen=True)
class JkmScheme:
    family: str = FAMILY
    version: int = VERSION

    def verify(self, body: str, context: VerifyContext) -> VerificationResult:
        try:
            raw = base45.decode(body)
        except base45.Base45Error as error:
            return _reject(RejectReason.DAMAGED_ENCODING, str(error))
        try:
            message = cose.decode(raw)
        except cose.CoseError as error:
            return _reject(RejectReason.DAMAGED_STRUCTURE, str(error))
        algorithm, kid = message.algorithm, message.kid
        if algorithm is None or kid is None:
            return _reject(RejectReason.DAMAGED_STRUCTURE, "algorithm or key id missing")
        if algorithm not in context.allowed_algorithms:
            return _reject(RejectReason.ALGORITHM_NOT_ALLOWED, f"COSE algorithm {algorithm}")
        key = context.trust.key(kid)
        if key is None or key.role is not KeyRole.ISSUER:
            claimed = _claimed_issuer(message.payload)
            if claimed is not None and context.trust.issuer(claimed) is None:
                # Unverified, so only to say which kind of refusal it is, never to trust it.
                return _reject(
                    RejectReason.ISSUER_NOT_IMPORTED, f"says issuer {claimed}, not in the list"
                )
            return _reject(RejectReason.UNKNOWN_KEY, "no issuer key in the trust list has this id")
        if key.compromised:
            return _reject(RejectReason.KEY_COMPROMISED, "the signing key was revoked")
        if algorithm != key.public.algorithm or not message.verify(key.public):
            return _reject(RejectReason.BAD_SIGNATURE, "signature does not verify")
        try:
            claims = HealthCodeClaims.decode(message.payload)
        except ClaimsError as error:
            return _reject(RejectReason.DAMAGED_STRUCTURE, str(error))
        if claims.issuer != key.issuer:
            return _reject(RejectReason.UNTRUSTED_ISSUER, "the key belongs to another issuer")
        if context.trust.issuer(claims.issuer) is None or not recognised(
            claims.issuer, context.recognised_issuers
        ):
            return _reject(RejectReason.UNTRUSTED_ISSUER, f"issuer {claims.issuer}")
        if key.signed_too_late(claims.issued_at_utc):
            return _reject(RejectReason.KEY_RETIRED, "issued after the key stopped signing")
        if context.now > claims.expires_at_utc + context.clock_tolerance:
            expired = f"expired at {claims.expires_at_utc.isoformat()}"
            return Rejection(RejectReason.EXPIRED, expired, scheme=SCHEME_NAME, kind=claims.kind)
        if context.now < claims.not_before_utc - context.clock_tolerance:
            return _reject(
                RejectReason.NOT_YET_VALID, f"valid from {claims.not_before_utc.isoformat()}"
            )
        return VerifiedCode(scheme=SCHEME_NAME, kid=kid, claims=claims)


def _claimed_issuer(payload: bytes) -> str | None:
    """The issuer an unverified payload names (None when it cannot be read)."""
    try:
        return HealthCodeClaims.decode(payload).issuer
    except ClaimsError:
        return None


def _reject(reason: RejectReason, detail: str) -> Rejection:
    return Rejection(reason, detail, scheme=SCHEME_NAME)


def default_registry(dcc_trust: DccTrustList | None = None) -> SchemeRegistry:
    """Our own scheme, and with a DCC trust list also the EU DCC (`HC1:`, mutual recognition).

    A DCC verifies to a `VerifiedCode` with `foreign` set and no `claims`: a caller that passes
    `dcc_trust` must check `foreign` first (the kiosk's checkpoint decides on it in
    `kiosk/checkpoint/foreign.py`)."""
    if dcc_trust is None:
        return SchemeRegistry([JkmScheme()])
    from healthcode.dcc import DccScheme  # here: jsonschema loads only when needed

    return SchemeRegistry([JkmScheme(), DccScheme(dcc_trust)])
