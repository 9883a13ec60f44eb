"""Signed kiosk requests: RFC 9421 HTTP Message Signatures over an RFC 9530 Content-Digest.

Profile (the server checks exactly this): one signature labelled `kiosk`, tag
`healthcode-kiosk`, algorithm `ed25519`, `keyid` = the kiosk id, `created` = the kiosk's
corrected time in whole seconds, a fresh random `nonce`, covering `@method`, `@authority`
(the host the request is sent to), `@path`, `@query` (`?` and the query string, `?` alone
without one, as RFC 9421 section 2.2.7 has it), `content-digest` (sha-256 of the body, present
also for an empty body) and, when sent, the `kiosk-health` header. A refusal with reason
`clock_skew` carries the server's time: the kiosk learns its clock offset from it and signs the
request once more.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Generator
from datetime import UTC, datetime, timedelta

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms
from pydantic import ValidationError

from sync.schemas import KIOSK_HEALTH_HEADER, KioskHealth, Refusal, RefusalReason

SIGNATURE_LABEL = "kiosk"
SIGNATURE_TAG = "healthcode-kiosk"
SIGNATURE_ALGORITHM = algorithms.ED25519
COVERED_COMPONENTS = ("@method", "@authority", "@path", "@query", "content-digest")
# What kiosks signed before issue 27; central accepts it only when told to, while a fleet updates.
LEGACY_COMPONENTS = ("@method", "@path", "content-digest")
SIGNATURE_HEADERS = ("signature", "signature-input", "content-digest")
NONCE_BYTES = 16

Clock = Callable[[], datetime]
HealthSource = Callable[[], KioskHealth | None]


def system_clock() -> datetime:
    return datetime.now(UTC)


def random_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


class KioskAuth(httpx.Auth):
    """Signs every request of an httpx client as one kiosk, learning the clock offset."""

    requires_request_body = True
    requires_response_body = True

    def __init__(
        self,
        kiosk_id: str,
        signing_key: Ed25519PrivateKey,
        *,
        clock: Clock = system_clock,
        nonce_source: Callable[[], str] = random_nonce,
        health: HealthSource | None = None,
        clock_offset_s: float = 0.0,
    ) -> None:
        self.kiosk_id = kiosk_id
        self.clock = clock
        self.nonce_source = nonce_source
        self.health = health
        self.clock_offset_s = clock_offset_s
        self._signer = HTTPMessageSigner(
            signature_algorithm=SIGNATURE_ALGORITHM,
            key_resolver=MappingKeyResolver(public_keys={}, private_keys={kiosk_id: signing_key}),
        )

    def corrected_now(self) -> datetime:
        return self.clock() + timedelta(seconds=self.clock_offset_s)

    def sign(self, request: httpx.Request) -> None:
        for name in (*SIGNATURE_HEADERS, KIOSK_HEALTH_HEADER):
            if name in request.headers:
                del request.headers[name]
        covered = list(COVERED_COMPONENTS)
        health = self.health() if self.health is not None else None
        if health is not None:
            health = health.model_copy(update={"clock_offset_s": round(self.clock_offset_s)})
            request.headers[KIOSK_HEALTH_HEADER] = health.model_dump_json()
            covered.append(KIOSK_HEALTH_HEADER)
        self._signer.sign(
            request,
            key_id=self.kiosk_id,
            created=self.corrected_now(),
            nonce=self.nonce_source(),
            label=SIGNATURE_LABEL,
            tag=SIGNATURE_TAG,
            covered_component_ids=covered,
            body=request.content,
        )

    def learn_clock(self, server_time: datetime) -> None:
        self.clock_offset_s = (server_time - self.clock()).total_seconds()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        response = yield request
        refusal = refusal_of(response)
        if refusal is not None and refusal.error is RefusalReason.CLOCK_SKEW:
            self.learn_clock(refusal.server_time)
            self.sign(request)
            yield request


def refusal_of(response: httpx.Response) -> Refusal | None:
    """The server's refusal in an error answer, if it is one of ours."""
    if response.is_success:
        return None
    try:
        return Refusal.model_validate_json(response.content)
    except ValidationError:
        return None
