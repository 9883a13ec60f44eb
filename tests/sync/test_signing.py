"""The kiosk's request signatures follow the profile the server checks (RFC 9421 + RFC 9530)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.schemas import KioskHealth, Refusal, RefusalReason
from sync.signing import KioskAuth

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
URL = "https://central.example/api/v1/kiosk/heartbeat"


def _auth(**options: object) -> KioskAuth:
    nonces = iter(["nonce-1", "nonce-2", "nonce-3"])
    return KioskAuth(
        "kiosk-1",
        Ed25519PrivateKey.generate(),
        clock=lambda: NOW,
        nonce_source=lambda: next(nonces),
        **options,  # type: ignore[arg-type]
    )


def test_a_signed_request_covers_method_host_path_query_digest_time_nonce_and_key_id() -> None:
    request = httpx.Request("POST", URL, content=b'{"a": 1}')
    _auth().sign(request)
    assert request.headers["signature-input"] == (
        'kiosk=("@method" "@authority" "@path" "@query" "content-digest");'
        f'created={int(NOW.timestamp())};keyid="kiosk-1";alg="ed25519";nonce="nonce-1";'
        'tag="healthcode-kiosk"'
    )
    digest = base64.b64encode(hashlib.sha256(b'{"a": 1}').digest()).decode()
    assert request.headers["content-digest"] == f"sha-256=:{digest}:"
    assert request.headers["signature"].startswith("kiosk=:")


def test_an_empty_body_is_covered_by_a_digest_too() -> None:
    request = httpx.Request("POST", URL)
    _auth().sign(request)
    empty = base64.b64encode(hashlib.sha256(b"").digest()).decode()
    assert request.headers["content-digest"] == f"sha-256=:{empty}:"


def test_the_health_report_travels_in_a_covered_header_with_the_learned_offset() -> None:
    auth = _auth(health=lambda: KioskHealth(software_version="0.1.0", backlog_records=3))
    auth.clock_offset_s = 12.4
    request = httpx.Request("POST", URL)
    auth.sign(request)
    assert '"kiosk-health")' in request.headers["signature-input"]
    health = KioskHealth.model_validate_json(request.headers["kiosk-health"])
    assert (health.backlog_records, health.clock_offset_s) == (3, 12)


def test_a_clock_skew_refusal_is_answered_by_one_retry_at_the_server_time() -> None:
    server_time = NOW + timedelta(hours=1)
    seen: list[str] = []  # the Signature-Input of each request as it arrived

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["signature-input"])
        if len(seen) == 1:
            refusal = Refusal(error=RefusalReason.CLOCK_SKEW, detail="x", server_time=server_time)
            return httpx.Response(401, content=refusal.model_dump_json())
        return httpx.Response(200, json={})

    auth = _auth()
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as client:
        assert client.post(URL).status_code == 200
    assert len(seen) == 2
    assert auth.clock_offset_s == 3600
    created = [int(header.split("created=")[1].split(";")[0]) for header in seen]
    assert created[1] - created[0] == 3600
    assert 'nonce="nonce-2"' in seen[1]


def test_other_refusals_are_not_retried() -> None:
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        refusal = Refusal(error=RefusalReason.KIOSK_REVOKED, detail="x", server_time=NOW)
        return httpx.Response(403, content=refusal.model_dump_json())

    with httpx.Client(transport=httpx.MockTransport(server), auth=_auth()) as client:
        assert client.post(URL).status_code == 403
    assert len(seen) == 1


def test_the_signature_covers_the_host_and_the_query_so_an_rfc_9421_verifier_rebuilds_it() -> None:
    """Interop: the signature base built by hand from RFC 9421 section 2.5 verifies, and any
    other host or query string does not."""
    key = Ed25519PrivateKey.generate()
    auth = KioskAuth("kiosk-1", key, clock=lambda: NOW, nonce_source=lambda: "n")
    request = httpx.Request("GET", "https://Central.Example:8443/api/v1/kiosk/feed?after=3&limit=1")
    auth.sign(request)
    signature_input = request.headers["signature-input"]
    assert signature_input.startswith(
        'kiosk=("@method" "@authority" "@path" "@query" "content-digest");'
    )
    params = signature_input.removeprefix("kiosk=")
    signature = base64.b64decode(request.headers["signature"].removeprefix("kiosk=:")[:-1])

    def base(authority: str, query: str) -> bytes:
        return (
            '"@method": GET\n'
            f'"@authority": {authority}\n'
            '"@path": /api/v1/kiosk/feed\n'
            f'"@query": {query}\n'
            f'"content-digest": {request.headers["content-digest"]}\n'
            f'"@signature-params": {params}'
        ).encode()

    public = key.public_key()
    public.verify(signature, base("central.example:8443", "?after=3&limit=1"))
    for other in (
        base("evil.example", "?after=3&limit=1"),
        base("central.example:8443", "?after=3&limit=5000"),
    ):
        try:
            public.verify(signature, other)
        except InvalidSignature:
            continue
        raise AssertionError("a changed host or query still verifies")


def _signed_by_the_library(request: httpx.Request, key: Ed25519PrivateKey, nonce: str) -> None:
    from http_message_signatures import HTTPMessageSigner, MappingKeyResolver

    from sync.signing import SIGNATURE_ALGORITHM, SIGNATURE_LABEL, SIGNATURE_TAG

    covered = ["@method", "@authority", "@path", "@query", "content-digest"]
    if "kiosk-health" in request.headers:
        covered.append("kiosk-health")
    HTTPMessageSigner(
        signature_algorithm=SIGNATURE_ALGORITHM,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={"kiosk-1": key}),
    ).sign(
        request,
        key_id="kiosk-1",
        created=NOW,
        nonce=nonce,
        label=SIGNATURE_LABEL,
        tag=SIGNATURE_TAG,
        covered_component_ids=covered,
        body=request.content,
    )


def test_a_kiosk_request_is_signed_byte_for_byte_as_the_signature_library_signs_it() -> None:
    """The kiosk signs its ordinary requests without the library's general machinery (issue
    28); what goes on the wire is the same, header for header, for every shape it sends."""
    key = Ed25519PrivateKey.generate()
    health = KioskHealth(software_version="0.1.0", backlog_records=3)
    for method, url, body, with_health in (
        ("POST", URL, b'{"a": 1}', False),
        ("POST", URL, b"", True),
        ("GET", "https://Central.Example:8443/api/v1/kiosk/feed?after=3&limit=1", b"", False),
        ("GET", "http://127.0.0.1:80/api/v1/kiosk/sync?platform=linux-x86_64", b"", True),
        ("GET", "https://central.example/api/v1/kiosk/policy%20x?", b"", False),
        ("PUT", "http://[::1]:8080/api/v1/kiosk/passages", "体温".encode(), False),
    ):
        direct = httpx.Request(method, url, content=body)
        auth = KioskAuth(
            "kiosk-1",
            key,
            clock=lambda: NOW,
            nonce_source=lambda: "AbC-12_x",
            health=(lambda: health) if with_health else None,
        )
        auth.sign(direct)
        reference = httpx.Request(method, url, content=body)
        if with_health:
            reference.headers["kiosk-health"] = direct.headers["kiosk-health"]
        _signed_by_the_library(reference, key, "AbC-12_x")
        assert direct.headers.raw == reference.headers.raw, url


def test_a_nonce_the_direct_signer_cannot_write_plainly_is_signed_by_the_library() -> None:
    key = Ed25519PrivateKey.generate()
    odd = 'n"1'  # a quote needs an escape in the structured field: the library writes it
    direct = httpx.Request("GET", URL)
    KioskAuth("kiosk-1", key, clock=lambda: NOW, nonce_source=lambda: odd).sign(direct)
    reference = httpx.Request("GET", URL)
    _signed_by_the_library(reference, key, odd)
    assert direct.headers.raw == reference.headers.raw
    assert 'nonce="n\\"1"' in direct.headers["signature-input"]
