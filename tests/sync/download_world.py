"""A kiosk downloading from an in-process central service: sinks, transports and helpers."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from central.issuance.feed import Change, append_changes
from healthcode.claims import Colour
from healthcode.feed import FeedCopy
from healthcode.keydir import KeyDir
from healthcode.keys import PublicKey
from healthcode.trust import TrustList
from kiosk.client.download import Downloader, KioskCopies, Refused
from kiosk.client.enrollment import Enrollment
from sync.schemas import Policy, StaffRoster
from tests.central.conftest import SERVER, Central
from tests.central.kiosks import enrolled_kiosk


@dataclass
class RecordingSink:
    """Keeps what the kiosk would persist, in order."""

    trust_lists: list[TrustList] = field(default_factory=list)
    roots: list[PublicKey] = field(default_factory=list)
    feeds: list[FeedCopy] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    rosters: list[StaffRoster] = field(default_factory=list)
    refusals: list[Refused] = field(default_factory=list)

    def trust_list_accepted(self, signed: bytes, trust_list: TrustList, root: PublicKey) -> None:
        self.trust_lists.append(trust_list)
        self.roots.append(root)

    def feed_applied(self, feed: FeedCopy) -> None:
        self.feeds.append(feed)

    def policy_accepted(self, policy: Policy, signed: bytes) -> None:
        self.policies.append(policy)

    def roster_accepted(self, roster: StaffRoster, signed: bytes) -> None:
        self.rosters.append(roster)

    def refused(self, refusal: Refused) -> None:
        self.refusals.append(refusal)

    @property
    def reasons(self) -> list[str]:
        return [r.reason for r in self.refusals]


Rewrite = Callable[[httpx.Request, httpx.Response], httpx.Response]


class Wiretap(httpx.BaseTransport):
    """Forwards to the app, counting requests by path; `rewrite` plays the man in the middle."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.paths: list[str] = []
        self.statuses: list[int] = []
        self.rewrite: Rewrite | None = None
        self.down = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("central is unreachable", request=request)
        response = self.inner.handle_request(request)
        response.read()
        if self.rewrite is not None:
            response = self.rewrite(request, response)
        self.paths.append(request.url.path)
        self.statuses.append(response.status_code)
        return response


def replaced(response: httpx.Response, content: bytes) -> httpx.Response:
    return httpx.Response(
        response.status_code,
        headers={k: v for k, v in response.headers.items() if k != "content-length"},
        content=content,
    )


@dataclass
class KioskWorld:
    central: Central
    enrollment: Enrollment
    sink: RecordingSink
    copies: KioskCopies
    wiretap: Wiretap
    downloader: Downloader

    @property
    def keydir(self) -> KeyDir:
        return KeyDir(self.central.settings.resolved_keys_dir)

    def add_changes(self, count: int, colour: Colour = Colour.RED) -> list[bytes]:
        codes = [secrets.token_bytes(16) for _ in range(count)]
        issuer = self.keydir.issuer.region_code
        now = self.central.clock()
        with self.central.app.state.sessions() as session:
            append_changes(session, [Change(issuer, c, colour, 2, "test", now) for c in codes])
            session.commit()
        return codes


def kiosk_world(central: Central, data_dir: Path, *, page: int = 5000) -> KioskWorld:
    return kiosk_world_at(central, data_dir, page=page)


def kiosk_world_at(
    central: Central, data_dir: Path, *, page: int = 5000, **checkpoint: str
) -> KioskWorld:
    """A kiosk enrolled at a checkpoint registered with these fields (type, region...)."""
    enrollment = enrolled_kiosk(central, data_dir, **checkpoint)
    sink = RecordingSink()
    copies = KioskCopies(
        sink,
        root=PublicKey.from_spki(enrollment.response.root_public_key),
        checkpoint_id=enrollment.response.checkpoint.checkpoint_id,
        trust_list=enrollment.trust_list,
        trust_list_signed=enrollment.response.trust_list,
        policy_version=enrollment.response.policy.policy_version,
        roster_version=enrollment.response.staff_roster.roster_version,
    )
    wiretap = Wiretap(central.client._transport)
    client = httpx.Client(transport=wiretap, auth=enrollment.identity.auth(clock=central.clock))
    downloader = Downloader(copies, client, SERVER, page=page, clock=central.clock)
    return KioskWorld(central, enrollment, sink, copies, wiretap, downloader)
