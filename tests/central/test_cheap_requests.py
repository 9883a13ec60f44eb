"""Issue 28, on SQLite and PostgreSQL: one signed request tells an idle kiosk every copy's
version; a kiosk at the feed's head is answered 304; a signed request writes its nonce and, at
most once a minute, the kiosk's last-seen time; expired nonces go with the periodic job."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from central.core.kiosk_auth import LAST_SEEN_EVERY, forget_spent_nonces
from central.core.models import Kiosk, RequestNonce
from central.issuance.feed import Change, append_changes
from healthcode.claims import Colour
from healthcode.keydir import KeyDir
from kiosk.client.enrollment import Enrollment
from sync.distribution import FEED_HEAD_HEADER, FEED_PATH, SYNC_PATH, etag
from sync.schemas import HEARTBEAT_PATH, SyncState
from tests.central.conftest import Central
from tests.central.kiosks import enrolled_kiosk


@pytest.fixture
def kiosk(central: Central, tmp_path: Path) -> Enrollment:
    return enrolled_kiosk(central, tmp_path / "kiosk")


def _add_changes(central: Central, count: int) -> None:
    issuer = KeyDir(central.settings.resolved_keys_dir).issuer.region_code
    with central.app.state.sessions() as session:
        changes = [
            Change(issuer, bytes([n]) * 16, Colour.RED, 2, "t", central.clock())
            for n in range(count)
        ]
        append_changes(session, changes)
        session.commit()


def test_one_signed_request_tells_the_kiosk_every_copys_version(
    central: Central, kiosk: Enrollment
) -> None:
    _add_changes(central, 3)
    auth = kiosk.identity.auth(clock=central.clock)
    answer = central.client.get(SYNC_PATH, auth=auth)
    assert answer.status_code == 200
    state = SyncState.model_validate_json(answer.content)
    assert state.kiosk_id == kiosk.identity.kiosk_id
    assert state.server_time == central.clock()
    assert state.trust_list_sequence == kiosk.trust_list.sequence
    assert state.feed_head == 3
    assert state.policy_version == kiosk.response.policy.policy_version
    assert state.roster_version == kiosk.response.staff_roster.roster_version
    assert central.client.get(SYNC_PATH).status_code == 401  # signed requests only


def test_a_kiosk_at_the_feeds_head_is_answered_not_modified(
    central: Central, kiosk: Enrollment
) -> None:
    _add_changes(central, 2)
    auth = kiosk.identity.auth(clock=central.clock)
    at_head = central.client.get(
        FEED_PATH, params={"after": 2}, headers={"if-none-match": etag("feed", 2)}, auth=auth
    )
    assert at_head.status_code == 304 and at_head.content == b""
    assert at_head.headers[FEED_HEAD_HEADER] == "2"
    behind = central.client.get(
        FEED_PATH, params={"after": 1}, headers={"if-none-match": etag("feed", 1)}, auth=auth
    )
    assert behind.status_code == 200 and behind.headers["etag"] == etag("feed", 2)


def _last_seen(central: Central, kiosk: Enrollment) -> object:
    with central.app.state.sessions() as session:
        return session.scalar(select(Kiosk.last_seen_at).where(Kiosk.id == kiosk.identity.kiosk_id))


def test_the_kiosks_last_seen_time_is_written_at_most_once_a_minute(
    central: Central, kiosk: Enrollment
) -> None:
    auth = kiosk.identity.auth(clock=central.clock)
    assert central.client.post(HEARTBEAT_PATH, content=b"{}", auth=auth).status_code == 200
    first = _last_seen(central, kiosk)
    assert first == central.clock()
    central.clock.advance(seconds=LAST_SEEN_EVERY.total_seconds() / 2)
    assert central.client.get(SYNC_PATH, auth=auth).status_code == 200
    assert _last_seen(central, kiosk) == first
    central.clock.advance(seconds=LAST_SEEN_EVERY.total_seconds())
    assert central.client.get(SYNC_PATH, auth=auth).status_code == 200
    assert _last_seen(central, kiosk) == central.clock()


def _nonces(central: Central) -> int:
    with central.app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(RequestNonce)) or 0)


def test_expired_nonces_are_forgotten_by_the_periodic_job_not_by_each_request(
    central: Central, kiosk: Enrollment
) -> None:
    auth = kiosk.identity.auth(clock=central.clock)
    before = _nonces(central)
    assert central.client.get(SYNC_PATH, auth=auth).status_code == 200
    central.clock.advance(hours=1)  # far past the signature tolerance
    assert central.client.get(SYNC_PATH, auth=auth).status_code == 200
    assert _nonces(central) == before + 2
    forget_spent_nonces(central.app.state.sessions, central.clock())
    assert _nonces(central) == 1  # the newest request's, still within its tolerance
