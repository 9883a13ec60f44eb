"""The `HC1:` scheme: every step of `healthcode.dcc.steps` in order, against a DCC trust list."""

from __future__ import annotations

from dataclasses import dataclass

from healthcode.dcc.signers import DccTrustList
from healthcode.dcc.steps import (
    FAMILY,
    SCHEME_NAME,
    VERSION,
    DccError,
    certificate_type,
    check_key_usage,
    check_times,
    decode_base45,
    decode_claims,
    decode_cose,
    decompress,
    validate_schema,
    verify_signature,
)
from healthcode.dcc.summary import summarise
from healthcode.results import Rejection, RejectReason, VerificationResult, VerifiedCode
from healthcode.schemes import VerifyContext


@dataclass(frozen=True)
class DccScheme:
    """`HC1:` codes against a DCC trust list. `recognised_countries` limits which issuing
    countries are recognised (None: every country of the trust list). The context's clock and
    tolerance apply; its `allowed_algorithms` and `trust` are for our own codes and are not
    used: a DCC is ES256 or PS256 by its specification, against this scheme's trust list."""

    trust: DccTrustList
    recognised_countries: frozenset[str] | None = None
    family: str = FAMILY
    version: int = VERSION

    def verify(self, body: str, context: VerifyContext) -> VerificationResult:
        try:
            return self._verify(body, context)
        except DccError as error:
            return Rejection(error.reason, error.detail, scheme=SCHEME_NAME)

    def _verify(self, body: str, context: VerifyContext) -> VerifiedCode:
        message = decode_cose(decompress(decode_base45(body)))
        signer = verify_signature(message, self.trust.signers_for(message.kid or b""))
        claims = decode_claims(message.payload)
        country = (claims.issuer or "").upper()
        if signer.country is not None and country and country != signer.country:
            raise DccError(RejectReason.UNTRUSTED_ISSUER, "issuer is not the signer's country")
        recognised = self.recognised_countries
        if recognised is not None and (signer.country or country) not in recognised:
            raise DccError(RejectReason.UNTRUSTED_ISSUER, f"country {country or '?'}")
        check_times(claims, signer, context.now, context.clock_tolerance)
        validate_schema(claims.payload)
        kind = certificate_type(claims.payload)
        check_key_usage(signer, kind)
        return VerifiedCode(scheme=SCHEME_NAME, kid=signer.kid, foreign=summarise(claims, kind))
