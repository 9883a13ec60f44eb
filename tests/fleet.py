"""A simulated fleet of kiosks against a real central: each kiosk enrols with its own keys and
signs every request as the real kiosk does (sync/signing.py), then follows the kiosk's schedule:
a sync round (heartbeat, trust list, feed, policy, roster, with the kiosk's entity tags) every
`round_s`, and uploads of its passages in batches, more of them during a shift change. A new
kiosk takes the feed snapshot as the real one does (`kiosk.client.snapshot_fetch`): the signed
snapshot file (`feed/snapshot-file`, served by nginx in the deployment) streamed, never the
one-batch route of a central before issue 28, which refuses a feed over 250,000 entries.

Used by tests/central/test_deployment.py (a small fleet, one central process killed mid-run) and
bench/fleet.py (thousands of kiosks). Requests run on one asyncio loop; the signing is the
kiosk's own httpx auth, so a simulated request is byte for byte what a kiosk sends.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from central.administration.checkpoints import issue_enrollment_code, register_checkpoint
from central.core.clock import system_tokens
from kiosk.checkpoint.policy import CheckpointType
from kiosk.client.enrollment import enroll
from kiosk.client.identity import KioskIdentity
from kiosk.client.snapshot_fetch import SignOnly
from sync.distribution import (
    FEED_HEAD_HEADER,
    FEED_PATH,
    FEED_SNAPSHOT_FILE_PATH,
    FEED_SNAPSHOT_PATH,
    POLICY_PATH,
    ROSTER_PATH,
    SYNC_PATH,
    TRUST_LIST_PATH,
    etag,
)
from sync.schemas import (
    HEARTBEAT_PATH,
    PASSAGES_PATH,
    PassageData,
    RecordKind,
    SyncState,
    UploadAck,
    UploadBatch,
    UploadRecord,
)

REGION = "610102"
ENROLMENT_THREADS = 8
# A request that fails (a process killed, a refused replay) is sent again, as the kiosk would
# in its next round; the simulation retries sooner so a short run settles.
RETRY_PAUSE_S = 0.5
MAX_TRIES = 20


@dataclass
class RouteFigures:
    """Latencies (ms) and failures of one route across the fleet."""

    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    retried: int = 0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0


@dataclass
class FleetReport:
    routes: dict[str, RouteFigures] = field(default_factory=lambda: defaultdict(RouteFigures))
    records_sent: set[uuid.UUID] = field(default_factory=set)
    records_acknowledged: set[uuid.UUID] = field(default_factory=set)
    requests: int = 0
    elapsed_s: float = 0.0


@dataclass
class SimulatedKiosk:
    identity: KioskIdentity
    rng: random.Random
    feed_after: int = 0
    trust_sequence: int | None = None
    policy_version: int = 0
    roster_version: int = 0
    seq: int = 0


def provision(database_url: str, count: int, now: datetime) -> list[str]:
    """`count` checkpoints and one enrollment code each, written straight to the database."""
    engine = create_engine(database_url)
    sessions = sessionmaker(engine)
    codes: list[str] = []
    try:
        with sessions() as session, session.begin():
            for number in range(count):
                checkpoint = register_checkpoint(
                    session,
                    name=f"卡口{number + 1}",
                    checkpoint_type=CheckpointType.VILLAGE,
                    region_code=REGION,
                    address=f"碑林区{number + 1}号",
                    enterprise=None,
                    now=now,
                )
                issued = issue_enrollment_code(
                    session, checkpoint, now, timedelta(hours=2), system_tokens
                )
                codes.append(issued.code)
    finally:
        engine.dispose()
    return codes


def enrol_fleet(url: str, codes: Sequence[str], folder: Path) -> list[KioskIdentity]:
    """Each code enrolled as a kiosk with fresh keys, a few at a time (real enrolment)."""

    def one(item: tuple[int, str]) -> KioskIdentity:
        number, code = item
        with httpx.Client(timeout=60.0) as client:
            return enroll(client, url, code, folder / f"kiosk-{number}").identity

    with ThreadPoolExecutor(ENROLMENT_THREADS) as pool:
        return list(pool.map(one, enumerate(codes)))


def passage(kiosk: SimulatedKiosk, at: datetime) -> UploadRecord:
    kiosk.seq += 1
    rng = kiosk.rng
    fever = rng.random() < 0.01
    data = PassageData(
        seq=kiosk.seq,
        at=at,
        clock_trusted=True,
        operator_id="op-1",
        scheme="JKM1",
        issuer="610000",
        code_id=rng.randbytes(16),
        masked_name="张*丰",
        id_number_masked=None,
        colour_in_code="green",
        colour_applied="green",
        outcome="refer" if fever else "pass",
        reasons=["colour_green", "temperature_normal"],
        rejection=None,
        temperature_celsius=38.2 if fever else round(rng.uniform(36.0, 37.2), 1),
        fever=fever,
        id_match="not_read",
        direction="in",
        trip_reason="return_to_work",
        vehicle_plate=None,
        policy_version=1,
        repeat=False,
    )
    return UploadRecord(
        record_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        kind=RecordKind.PASSAGE,
        passage=data,
    )


@dataclass
class Schedule:
    """How the fleet behaves over `duration_s` of wall time."""

    duration_s: float
    round_s: float = 60.0  # a sync round: heartbeat and the four downloads
    upload_every_s: float = 60.0  # a kiosk uploads what it recorded since, in one batch
    batch_records: int = 50
    burst: bool = True  # the first third of the run is a shift change: uploads three times as often


class Fleet:
    """Runs the schedule for every kiosk on one event loop; `clock` gives the passages' times."""

    def __init__(
        self,
        url: str,
        identities: Sequence[KioskIdentity],
        schedule: Schedule,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        seed: int = 1,
        connections: int = 200,
    ) -> None:
        self.url = url.rstrip("/")
        self.kiosks = [
            SimulatedKiosk(identity, random.Random(f"{seed}-{n}"))
            for n, identity in enumerate(identities)
        ]
        self.schedule = schedule
        self.clock = clock
        self.report = FleetReport()
        self.connections = connections

    def each(self, action: str, times: int = 1, concurrency: int = 100) -> float:
        """Every kiosk does `action` ("round", "feed", "upload") `times` times, at most
        `concurrency` requests at once; the seconds it took."""
        return asyncio.run(self._each(action, times, concurrency))

    async def _each(self, action: str, times: int, concurrency: int) -> float:
        gate = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency)
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=60.0, limits=limits) as client:

            async def one(kiosk: SimulatedKiosk) -> None:
                auth = kiosk.identity.auth()
                for _ in range(times):
                    async with gate:
                        if action == "round":
                            await self._sync_round(client, auth, kiosk)
                        elif action == "feed":
                            await self._feed(client, auth, kiosk)
                        else:
                            await self._upload(client, auth, kiosk)

            await asyncio.gather(*(one(kiosk) for kiosk in self.kiosks))
        return time.monotonic() - started

    def run(self, during: Callable[[float], None] | None = None) -> FleetReport:
        """Run the schedule; `during(elapsed_s)` is called about once a second from a thread."""
        return asyncio.run(self._run(during))

    async def _run(self, during: Callable[[float], None] | None) -> FleetReport:
        limits = httpx.Limits(max_connections=self.connections)
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=60.0, limits=limits) as client:
            tasks = [asyncio.create_task(self._kiosk(client, k, started)) for k in self.kiosks]
            if during is not None:
                tasks.append(asyncio.create_task(self._watch(during, started)))
            await asyncio.gather(*tasks)
        self.report.elapsed_s = time.monotonic() - started
        return self.report

    async def _watch(self, during: Callable[[float], None], started: float) -> None:
        while (elapsed := time.monotonic() - started) < self.schedule.duration_s:
            await asyncio.to_thread(during, elapsed)
            await asyncio.sleep(1.0)

    async def _kiosk(
        self, client: httpx.AsyncClient, kiosk: SimulatedKiosk, started: float
    ) -> None:
        schedule = self.schedule
        rng = kiosk.rng
        # Kiosks started over the first round, as a fleet switched on through a morning.
        next_round = started + rng.uniform(0, schedule.round_s)
        next_upload = started + rng.uniform(0, schedule.upload_every_s)
        end = started + schedule.duration_s
        auth = kiosk.identity.auth()
        while True:
            now = time.monotonic()
            if now >= end:
                break
            wake = min(next_round, next_upload)
            if wake > now:
                await asyncio.sleep(min(wake, end) - now)
                continue
            if next_round <= now:
                await self._sync_round(client, auth, kiosk)
                next_round += schedule.round_s
            if next_upload <= now:
                await self._upload(client, auth, kiosk)
                in_burst = schedule.burst and now - started < schedule.duration_s / 3
                next_upload += schedule.upload_every_s / (3 if in_burst else 1)

    async def _request(
        self,
        client: httpx.AsyncClient,
        auth: httpx.Auth,
        route: str,
        method: str,
        path: str,
        **options: object,
    ) -> httpx.Response | None:
        figures = self.report.routes[route]
        for attempt in range(MAX_TRIES):
            t0 = time.perf_counter()
            try:
                response = await client.request(method, self.url + path, auth=auth, **options)  # type: ignore[arg-type]
            except httpx.HTTPError:
                response = None
            self.report.requests += 1
            if response is not None and response.status_code < 500 and response.status_code != 401:
                figures.latencies_ms.append((time.perf_counter() - t0) * 1000)
                if attempt:
                    figures.retried += 1
                return response
            await asyncio.sleep(RETRY_PAUSE_S)
        figures.failures += 1
        return None

    async def _sync_round(
        self, client: httpx.AsyncClient, auth: httpx.Auth, kiosk: SimulatedKiosk
    ) -> None:
        """As `kiosk.client.worker` does (issue 28): every copy's version in one request, then
        only what changed; the five requests of an older central's round when it lacks it."""
        answer = await self._request(client, auth, "sync", "GET", SYNC_PATH)
        if answer is not None and answer.status_code == 200:
            state = SyncState.model_validate_json(answer.content)
            if kiosk.feed_after == 0 or kiosk.feed_after < state.feed_head:
                await self._feed(client, auth, kiosk)
            if state.trust_list_sequence != kiosk.trust_sequence:
                kiosk.trust_sequence = state.trust_list_sequence
            kiosk.policy_version = state.policy_version
            kiosk.roster_version = state.roster_version
            return
        await self._request(client, auth, "heartbeat", "POST", HEARTBEAT_PATH)
        tag = etag("trust-list", kiosk.trust_sequence) if kiosk.trust_sequence else None
        answer = await self._request(
            client, auth, "trust-list", "GET", TRUST_LIST_PATH,
            headers={"if-none-match": tag} if tag else {},
        )  # fmt: skip
        if answer is not None and answer.status_code == 200:
            kiosk.trust_sequence = _version(answer, "trust-list")
        await self._feed(client, auth, kiosk)
        for route, path, kind, version in (
            ("policy", POLICY_PATH, "policy", kiosk.policy_version),
            ("roster", ROSTER_PATH, "roster", kiosk.roster_version),
        ):
            answer = await self._request(
                client, auth, route, "GET", path, headers={"if-none-match": etag(kind, version)}
            )
            if answer is not None and answer.status_code == 200:
                found = _version(answer, kind)
                if kind == "policy":
                    kiosk.policy_version = found or kiosk.policy_version
                else:
                    kiosk.roster_version = found or kiosk.roster_version

    async def _feed(
        self, client: httpx.AsyncClient, auth: httpx.Auth, kiosk: SimulatedKiosk
    ) -> None:
        """A new kiosk starts from a snapshot, then asks for what came after its head."""
        if kiosk.feed_after == 0:
            answer = await self._snapshot_file(client, auth)
            if answer is not None and answer.status_code == 404:  # a central before issue 28
                answer = await self._request(
                    client, auth, "feed-snapshot", "GET", FEED_SNAPSHOT_PATH
                )
        else:
            answer = await self._request(
                client, auth, "feed", "GET", FEED_PATH,
                params={"after": kiosk.feed_after, "limit": 1000},
                headers={"if-none-match": etag("feed", kiosk.feed_after)},
            )  # fmt: skip
        if answer is not None and FEED_HEAD_HEADER in answer.headers:
            kiosk.feed_after = max(kiosk.feed_after, int(answer.headers[FEED_HEAD_HEADER]), 1)

    async def _snapshot_file(
        self, client: httpx.AsyncClient, auth: httpx.Auth
    ) -> httpx.Response | None:
        """The streamed snapshot file, as `kiosk.client.snapshot_fetch` takes it: the body read
        in chunks and dropped (the kiosk writes them to disk), never held whole; timed to its
        last byte. A failed or cut transfer is asked for again."""
        figures = self.report.routes["feed-snapshot-file"]
        url = self.url + FEED_SNAPSHOT_FILE_PATH
        for attempt in range(MAX_TRIES):
            t0 = time.perf_counter()
            self.report.requests += 1
            try:
                async with client.stream("GET", url, auth=SignOnly(auth)) as response:
                    if response.status_code < 500 and response.status_code != 401:
                        async for _chunk in response.aiter_bytes():
                            pass
                        figures.latencies_ms.append((time.perf_counter() - t0) * 1000)
                        if attempt:
                            figures.retried += 1
                        return response
            except httpx.HTTPError:
                pass
            await asyncio.sleep(RETRY_PAUSE_S)
        figures.failures += 1
        return None

    async def _upload(
        self, client: httpx.AsyncClient, auth: httpx.Auth, kiosk: SimulatedKiosk
    ) -> None:
        at = self.clock()
        records = [passage(kiosk, at) for _ in range(self.schedule.batch_records)]
        batch = UploadBatch(
            batch_id=uuid.UUID(int=kiosk.rng.getrandbits(128), version=4), records=records
        )
        self.report.records_sent.update(r.record_id for r in records)
        await self._send(client, auth, batch)

    async def _send(self, client: httpx.AsyncClient, auth: httpx.Auth, batch: UploadBatch) -> None:
        answer = await self._request(
            client, auth, "upload", "POST", PASSAGES_PATH,
            content=batch.model_dump_json().encode(), headers={"content-type": "application/json"},
        )  # fmt: skip
        if answer is None or answer.status_code != 200:
            return
        ack = UploadAck.model_validate_json(answer.content)
        self.report.records_acknowledged.update(
            result.record_id
            for result in ack.results
            if result.record_id is not None and result.status.value in ("stored", "duplicate")
        )


def _version(answer: httpx.Response, kind: str) -> int | None:
    tag = answer.headers.get("etag", "").strip('"')
    prefix = kind + "-"
    if tag.startswith(prefix) and tag[len(prefix) :].isdigit():
        return int(tag[len(prefix) :])
    return None
