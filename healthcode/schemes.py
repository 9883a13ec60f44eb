"""The scheme registry: routes a code text to the scheme that handles its prefix.

A prefix is a scheme family (letters) and a version (digits) before a colon, as in `JKM1:` (our
own) or `HC1:` (EU DCC). Every scheme returns the same result types, and no input makes
`SchemeRegistry.verify` raise.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from healthcode.keys import Algorithm
from healthcode.national import national_code
from healthcode.results import Rejection, RejectReason, VerificationResult
from healthcode.trust import TrustList

log = logging.getLogger(__name__)

DEFAULT_CLOCK_TOLERANCE = timedelta(minutes=5)
_PREFIX = re.compile(r"([A-Z]{2,5})(\d{1,2}):")
_MAX_TEXT_LENGTH = 8192  # far above any QR's capacity; anything longer is not a code


@dataclass(frozen=True)
class VerifyContext:
    """What a verification is checked against. `now` is passed in, never read from a clock."""

    trust: TrustList
    now: datetime
    clock_tolerance: timedelta = DEFAULT_CLOCK_TOLERANCE
    allowed_algorithms: frozenset[Algorithm] = field(
        default=frozenset({Algorithm.EDDSA, Algorithm.ES256})
    )
    recognised_issuers: frozenset[str] | None = None  # None: every issuer of the trust list
    # Texts that are the national code (GB/T 38962), as the deployment knows them
    # (`healthcode.national`); empty: none recognised as such.
    national_code_prefixes: tuple[str, ...] = ()


class Scheme(Protocol):
    @property
    def family(self) -> str:
        """The letters of the prefix, e.g. JKM."""
        ...

    @property
    def version(self) -> int:
        """The digits of the prefix, e.g. 1."""
        ...

    def verify(self, body: str, context: VerifyContext) -> VerificationResult:
        """Verify the text after the prefix."""
        ...


class SchemeRegistry:
    def __init__(self, schemes: Iterable[Scheme]) -> None:
        self._schemes = {(scheme.family, scheme.version): scheme for scheme in schemes}
        self._families = {family for family, _ in self._schemes}

    def verify(self, text: str, context: VerifyContext) -> VerificationResult:
        if not isinstance(text, str):
            return Rejection(RejectReason.NOT_A_HEALTH_CODE, "input is not text")
        text = text.strip()
        if len(text) > _MAX_TEXT_LENGTH:
            return Rejection(RejectReason.NOT_A_HEALTH_CODE, f"text of {len(text)} characters")
        national = national_code(text, context.national_code_prefixes)
        if national is not None:
            return national
        match = _PREFIX.match(text)
        if match is None:
            return Rejection(RejectReason.NOT_A_HEALTH_CODE, "no scheme prefix")
        family, version = match.group(1), int(match.group(2))
        scheme = self._schemes.get((family, version))
        if scheme is None:
            if family in self._families:
                return Rejection(
                    RejectReason.UNKNOWN_VERSION, f"{family} version {version}", scheme=family
                )
            return Rejection(RejectReason.UNKNOWN_SCHEME, f"prefix {family}{version}")
        try:
            return scheme.verify(text[match.end() :], context)
        except Exception as error:  # a last net: a scheme's bug must not take the kiosk down
            log.warning("scheme %s%d raised %s", family, version, type(error).__name__)
            return Rejection(
                RejectReason.DAMAGED_STRUCTURE,
                f"unexpected {type(error).__name__}",
                scheme=f"{family}{version}",
            )
