"""Every kiosk request after enrollment is signed; forgeries, replays and revoked kiosks fail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver

from central.app import create_app
from kiosk.client.enrollment import Enrollment
from kiosk.client.identity import KioskIdentity
from sync.schemas import HEARTBEAT_PATH, KioskHealth
from sync.signing import (
    LEGACY_COMPONENTS,
    SIGNATURE_ALGORITHM,
    SIGNATURE_LABEL,
    SIGNATURE_TAG,
    KioskAuth,
)
from tests.central.conftest import SERVER, Central, FakeClock, TestClient
from tests.central.kiosks import enrolled_kiosk, signed_copy


@pytest.fixture
def kiosk(central: Central, tmp_path: Path) -> Enrollment:
    return enrolled_kiosk(central, tmp_path / "kiosk")


def _auth(identity: KioskIdentity, clock: FakeClock, **options: object) -> KioskAuth:
    return identity.auth(clock=clock, **options)


def _signed(auth: KioskAuth, body: bytes = b"{}") -> httpx.Request:
    request = httpx.Request("POST", SERVER + HEARTBEAT_PATH, content=body)
    auth.sign(request)
    return request


def _error(response: httpx.Response) -> str:
    return str(response.json()["error"])


def test_a_signed_heartbeat_is_accepted_and_answered_with_the_server_time(
    central: Central, kiosk: Enrollment
) -> None:
    auth = _auth(kiosk.identity, central.clock)
    response = central.client.post(HEARTBEAT_PATH, content=b"{}", auth=auth)
    assert response.status_code == 200, response.text
    assert response.json()["kiosk_id"] == kiosk.identity.kiosk_id
    assert datetime.fromisoformat(response.json()["server_time"]) == central.clock()


def test_an_unsigned_request_is_refused(central: Central, kiosk: Enrollment) -> None:
    response = central.client.post(HEARTBEAT_PATH, content=b"{}")
    assert response.status_code == 401
    assert _error(response) == "signature_missing"


def test_a_forged_signature_is_refused(central: Central, kiosk: Enrollment) -> None:
    forger = KioskAuth(kiosk.identity.kiosk_id, Ed25519PrivateKey.generate(), clock=central.clock)
    response = central.client.post(HEARTBEAT_PATH, content=b"{}", auth=forger)
    assert response.status_code == 401
    assert _error(response) == "signature_invalid"


def test_a_changed_body_is_refused(central: Central, kiosk: Enrollment) -> None:
    signed = _signed(_auth(kiosk.identity, central.clock), b'{"backlog": 1}')
    response = central.client.post(
        HEARTBEAT_PATH, content=b'{"backlog": 0}', headers=signed_copy(signed)
    )
    assert response.status_code == 401
    assert _error(response) == "signature_invalid"


def test_a_request_signed_for_another_path_is_refused(central: Central, kiosk: Enrollment) -> None:
    auth = _auth(kiosk.identity, central.clock)
    signed = httpx.Request("POST", SERVER + "/api/v1/kiosk/other", content=b"{}")
    auth.sign(signed)
    response = central.client.post(HEARTBEAT_PATH, content=b"{}", headers=signed_copy(signed))
    assert response.status_code == 401
    assert _error(response) == "signature_invalid"


def test_a_request_signed_for_another_query_or_host_is_refused(
    central: Central, kiosk: Enrollment
) -> None:
    auth = _auth(kiosk.identity, central.clock)
    signed = httpx.Request("POST", SERVER + HEARTBEAT_PATH + "?limit=1", content=b"{}")
    auth.sign(signed)
    other_query = central.client.post(
        HEARTBEAT_PATH + "?limit=5000", content=b"{}", headers=signed_copy(signed)
    )
    assert other_query.status_code == 401
    assert _error(other_query) == "signature_invalid"
    signed = _signed(auth)
    other_host = central.client.post(
        HEARTBEAT_PATH, content=b"{}", headers={**signed_copy(signed), "Host": "evil.example"}
    )
    assert other_host.status_code == 401
    assert _error(other_host) == "signature_invalid"
    same = central.client.post(HEARTBEAT_PATH, content=b"{}", headers=signed_copy(signed))
    assert same.status_code == 200, same.text


def test_a_health_report_changed_after_signing_is_refused(
    central: Central, kiosk: Enrollment
) -> None:
    health = KioskHealth(software_version="0.2.0", backlog_records=17)
    signed = _signed(_auth(kiosk.identity, central.clock, health=lambda: health))
    headers = {**signed_copy(signed), "kiosk-health": signed.headers["kiosk-health"]}
    changed = health.model_copy(update={"backlog_records": 0}).model_dump_json()
    response = central.client.post(
        HEARTBEAT_PATH, content=b"{}", headers={**headers, "kiosk-health": changed}
    )
    assert response.status_code == 401
    assert _error(response) == "signature_invalid"
    same = central.client.post(HEARTBEAT_PATH, content=b"{}", headers=headers)
    assert same.status_code == 200, same.text


def test_a_signature_sent_twice_or_with_another_digest_is_refused(
    central: Central, kiosk: Enrollment
) -> None:
    signed = _signed(_auth(kiosk.identity, central.clock))
    headers = signed_copy(signed)
    twice = central.client.post(
        HEARTBEAT_PATH,
        content=b"{}",
        headers=[*headers.items(), ("signature", headers["signature"])],
    )
    assert twice.status_code == 401
    assert _error(twice) == "signature_invalid"
    other_digest = central.client.post(
        HEARTBEAT_PATH,
        content=b"{}",
        headers={**headers, "content-digest": "sha-512=:" + "A" * 86 + "==:"},
    )
    assert other_digest.status_code == 401
    assert _error(other_digest) == "signature_invalid"
    same = central.client.post(HEARTBEAT_PATH, content=b"{}", headers=headers)
    assert same.status_code == 200, same.text


def _legacy_signed(identity: KioskIdentity, clock: FakeClock) -> httpx.Request:
    """Signed as kiosks signed before issue 27: neither host nor query covered."""
    request = httpx.Request("POST", SERVER + HEARTBEAT_PATH, content=b"{}")
    HTTPMessageSigner(
        signature_algorithm=SIGNATURE_ALGORITHM,
        key_resolver=MappingKeyResolver(
            public_keys={}, private_keys={identity.kiosk_id: identity.signing_key}
        ),
    ).sign(
        request,
        key_id=identity.kiosk_id,
        created=clock(),
        nonce="legacy-nonce",
        label=SIGNATURE_LABEL,
        tag=SIGNATURE_TAG,
        covered_component_ids=LEGACY_COMPONENTS,
        body=b"{}",
    )
    return request


def test_an_older_kiosks_narrower_signature_passes_only_while_the_setting_allows_it(
    central: Central, kiosk: Enrollment
) -> None:
    signed = _legacy_signed(kiosk.identity, central.clock)
    refused = central.client.post(HEARTBEAT_PATH, content=b"{}", headers=signed_copy(signed))
    assert refused.status_code == 401
    assert _error(refused) == "signature_invalid"
    central.app.state.settings.accept_legacy_kiosk_signatures = True
    accepted = central.client.post(HEARTBEAT_PATH, content=b"{}", headers=signed_copy(signed))
    assert accepted.status_code == 200, accepted.text


def test_a_replayed_request_is_refused(central: Central, kiosk: Enrollment) -> None:
    signed = _signed(_auth(kiosk.identity, central.clock))
    first = central.client.post(HEARTBEAT_PATH, content=b"{}", headers=signed_copy(signed))
    again = central.client.post(HEARTBEAT_PATH, content=b"{}", headers=signed_copy(signed))
    assert first.status_code == 200, first.text
    assert again.status_code == 401
    assert _error(again) == "replayed"


def test_a_replay_after_the_tolerance_is_refused_for_its_age(
    central: Central, kiosk: Enrollment
) -> None:
    signed = _signed(_auth(kiosk.identity, central.clock))
    assert central.client.post(HEARTBEAT_PATH, content=b"{}", headers=signed_copy(signed))
    central.clock.advance(seconds=central.settings.signature_tolerance_s + 1)
    late = central.client.post(HEARTBEAT_PATH, content=b"{}", headers=signed_copy(signed))
    assert late.status_code == 401
    assert _error(late) == "clock_skew"


def test_an_unknown_kiosk_is_refused(central: Central, kiosk: Enrollment) -> None:
    stranger = KioskAuth(
        "00000000-0000-4000-8000-000000000000",
        Ed25519PrivateKey.generate(),
        clock=central.clock,
    )
    response = central.client.post(HEARTBEAT_PATH, content=b"{}", auth=stranger)
    assert response.status_code == 401
    assert _error(response) == "unknown_kiosk"


def test_a_revoked_kiosk_is_refused_on_its_next_request(
    central: Central, kiosk: Enrollment
) -> None:
    auth = _auth(kiosk.identity, central.clock)
    assert central.client.post(HEARTBEAT_PATH, content=b"{}", auth=auth).status_code == 200
    revoked = central.post(f"/api/v1/kiosks/{kiosk.identity.kiosk_id}/revoke")
    assert revoked.json()["revoked_at"] is not None
    response = central.client.post(HEARTBEAT_PATH, content=b"{}", auth=auth)
    assert response.status_code == 403
    assert _error(response) == "kiosk_revoked"


def test_a_kiosk_clock_an_hour_behind_learns_the_server_time_and_recovers(
    central: Central, kiosk: Enrollment
) -> None:
    def kiosk_clock() -> datetime:
        return central.clock() - timedelta(hours=1)

    sent: list[httpx.Request] = []
    auth = kiosk.identity.auth(
        clock=kiosk_clock, health=lambda: KioskHealth(software_version="0.1.0")
    )
    response = central.client.post(HEARTBEAT_PATH, content=b"{}", auth=auth)
    assert response.status_code == 200, response.text
    assert auth.clock_offset_s == pytest.approx(3600)
    # Later requests go through at once with the learned offset.
    central.clock.advance(minutes=10)
    hooks = {"request": [sent.append]}
    with TestClient(central.app) as client:
        client.event_hooks = hooks
        assert client.post(HEARTBEAT_PATH, content=b"{}", auth=auth).status_code == 200
    assert len(sent) == 1
    health = central.get(f"/api/v1/kiosks/{kiosk.identity.kiosk_id}").json()
    assert health["clock_offset_s"] == 3600


def test_a_kiosk_clock_an_hour_ahead_recovers_too(central: Central, kiosk: Enrollment) -> None:
    auth = kiosk.identity.auth(clock=lambda: central.clock() + timedelta(hours=1))
    assert central.client.post(HEARTBEAT_PATH, content=b"{}", auth=auth).status_code == 200
    assert auth.clock_offset_s == pytest.approx(-3600)


def test_kiosk_health_is_recorded_from_each_signed_request(
    central: Central, kiosk: Enrollment
) -> None:
    health = KioskHealth(
        software_version="0.2.0",
        backlog_records=17,
        feed_age_s=420,
        free_disk_bytes=8_000_000_000,
        error_counts={"thermometer": 2, "camera": 0},
    )
    auth = _auth(kiosk.identity, central.clock, health=lambda: health)
    central.clock.advance(minutes=5)
    assert central.client.post(HEARTBEAT_PATH, content=b"{}", auth=auth).status_code == 200
    record = central.get(f"/api/v1/kiosks/{kiosk.identity.kiosk_id}").json()
    assert record["software_version"] == "0.2.0"
    assert record["backlog_records"] == 17
    assert record["feed_age_s"] == 420
    assert record["free_disk_bytes"] == 8_000_000_000
    assert record["error_counts"] == {"thermometer": 2, "camera": 0}
    assert record["clock_offset_s"] == 0
    assert datetime.fromisoformat(record["last_seen_at"]) == central.clock()


@pytest.fixture
def second_app(central: Central) -> Iterator[TestClient]:
    with TestClient(create_app(central.settings, clock=central.clock)) as client:
        yield client


def test_two_app_instances_on_one_database_share_kiosks_and_spent_nonces(
    central: Central, kiosk: Enrollment, second_app: TestClient
) -> None:
    auth = _auth(kiosk.identity, central.clock)
    assert second_app.post(HEARTBEAT_PATH, content=b"{}", auth=auth).status_code == 200
    signed = _signed(auth)
    first = central.client.post(HEARTBEAT_PATH, content=b"{}", headers=signed_copy(signed))
    replay = second_app.post(HEARTBEAT_PATH, content=b"{}", headers=signed_copy(signed))
    assert first.status_code == 200
    assert replay.status_code == 401
    assert _error(replay) == "replayed"


def test_a_code_used_through_one_instance_is_refused_by_the_other(
    central: Central, second_app: TestClient, tmp_path: Path
) -> None:
    from kiosk.client.enrollment import EnrollmentError, enroll

    code = central.enrollment_code(central.register_checkpoint())
    enroll(central.client, SERVER, code, tmp_path / "one")
    with pytest.raises(EnrollmentError) as refused:
        enroll(second_app, SERVER, code, tmp_path / "two")
    assert refused.value.reason == "enrollment_code_used"
