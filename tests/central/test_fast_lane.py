"""Issue 28: the hot kiosk routes (sync, feed poll, heartbeat, upload) are answered by a lean
path in front of FastAPI's routing; a kiosk sees the same answers and the same refusals as on
every other signed kiosk route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.client.enrollment import Enrollment
from sync.distribution import FEED_PATH, SYNC_PATH, TRUST_LIST_PATH
from sync.schemas import HEARTBEAT_PATH, PASSAGES_PATH
from tests.central.conftest import SERVER, Central
from tests.central.kiosks import enrolled_kiosk, signed_copy

LEAN = (("GET", SYNC_PATH), ("GET", FEED_PATH), ("POST", HEARTBEAT_PATH), ("POST", PASSAGES_PATH))


@pytest.fixture
def kiosk(central: Central, tmp_path: Path) -> Enrollment:
    return enrolled_kiosk(central, tmp_path / "kiosk")


def _without_time(answer: httpx.Response) -> dict[str, Any]:
    body = dict(answer.json())
    assert body.pop("server_time")
    return body


def test_an_unsigned_request_to_a_lean_route_gets_the_same_refusal_as_any_kiosk_route(
    central: Central,
) -> None:
    routed = central.client.get(TRUST_LIST_PATH)
    assert routed.status_code == 401
    for method, path in LEAN:
        lean = central.client.request(method, path, content=b"{}" if method == "POST" else None)
        assert lean.status_code == 401, path
        assert lean.headers["content-type"] == routed.headers["content-type"]
        assert _without_time(lean) == _without_time(routed), path


def test_a_revoked_kiosk_is_refused_alike_on_lean_and_routed_paths(
    central: Central, kiosk: Enrollment
) -> None:
    auth = kiosk.identity.auth(clock=central.clock)
    assert central.client.get(SYNC_PATH, auth=auth).status_code == 200
    central.post(f"/api/v1/kiosks/{kiosk.identity.kiosk_id}/revoke")
    routed = central.client.get(TRUST_LIST_PATH, auth=auth)
    assert routed.status_code == 403
    for method, path in LEAN:
        lean = central.client.request(method, path, content=b"{}", auth=auth)
        assert lean.status_code == 403, path
        assert _without_time(lean) == _without_time(routed), path


def test_a_feed_query_out_of_bounds_is_answered_422_naming_the_field_and_spends_no_nonce(
    central: Central, kiosk: Enrollment
) -> None:
    request = httpx.Request("GET", SERVER + FEED_PATH, params={"after": -1, "limit": 0})
    kiosk.identity.auth(clock=central.clock).sign(request)
    for _attempt in range(2):  # refused, so the same signed request is not a replay
        answer = central.client.get(
            FEED_PATH, params={"after": -1, "limit": 0}, headers=signed_copy(request)
        )
        assert answer.status_code == 422
        assert answer.json()["error"] == "bad_request"
        assert answer.json()["detail"] == (
            "query.after: Input should be greater than or equal to 0; "
            "query.limit: Input should be greater than or equal to 1"
        )


def test_a_lean_route_asked_with_another_method_is_answered_405(central: Central) -> None:
    answer = central.client.get(HEARTBEAT_PATH)
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.json() == {"detail": "Method Not Allowed"}


def test_an_upload_that_is_no_batch_is_refused_400_and_its_nonce_stays_unspent(
    central: Central, kiosk: Enrollment
) -> None:
    request = httpx.Request("POST", SERVER + PASSAGES_PATH, content=b'{"records": 3}')
    kiosk.identity.auth(clock=central.clock).sign(request)
    for _attempt in range(2):
        answer = central.client.post(
            PASSAGES_PATH, content=b'{"records": 3}', headers=signed_copy(request)
        )
        assert answer.status_code == 400
        assert answer.json()["error"] == "bad_request"


def test_the_lean_routes_are_not_in_the_openapi_document_and_the_others_stay(
    central: Central,
) -> None:
    paths = central.client.get("/openapi.json").json()["paths"]
    assert TRUST_LIST_PATH in paths
    assert not {path for _method, path in LEAN} & set(paths)


def test_a_sync_naming_a_platform_that_cannot_be_one_is_answered_422(
    central: Central, kiosk: Enrollment
) -> None:
    auth = kiosk.identity.auth(clock=central.clock)
    answer = central.client.get(SYNC_PATH, params={"platform": "Linux x86"}, auth=auth)
    assert answer.status_code == 422
    assert answer.json()["detail"] == "query.platform: String should match pattern '^[a-z0-9_.-]+$'"
    fine = central.client.get(SYNC_PATH, params={"platform": "linux-x86_64"}, auth=auth)
    assert fine.status_code == 200 and fine.json()["release_version"] is None


def test_a_feed_delta_spends_its_nonce_so_the_same_request_again_is_a_replay(
    central: Central, kiosk: Enrollment
) -> None:
    request = httpx.Request("GET", SERVER + FEED_PATH, params={"after": 0})
    kiosk.identity.auth(clock=central.clock).sign(request)
    first = central.client.get(FEED_PATH, params={"after": 0}, headers=signed_copy(request))
    again = central.client.get(FEED_PATH, params={"after": 0}, headers=signed_copy(request))
    assert first.status_code == 200
    assert again.status_code == 401 and again.json()["error"] == "replayed"
