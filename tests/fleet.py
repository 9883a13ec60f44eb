"""A simulated fleet of kiosks against a real central: each kiosk enrols with its own keys and
signs every request as the real kiosk does (sync/signing.py), then follows the kiosk's schedule:
a sync round (heartbeat, trust list, feed, policy, roster, with the kiosk's entity tags) every
`round_s`, and uploads of its passages in batches, more of them during a shift change. A new
kiosk takes the feed snapshot as the real one does (`kiosk.client.snapshot_fetch`): the signed
snapshot file (`feed/snapshot-file`, served by nginx in the deployment) streamed, never the
one-batch route of a central before issue 28, which refuses a feed over 250,000 entries.

Used by tests/central/test_deployment.py (a small fleet, one central process killed mid-run) and
bench/fleet.py (thousands of kiosks). The signing is the kiosk's own httpx auth, so a simulated
request is byte for byte what a kiosk sends. So that the simulator is not its own bottleneck
(issue 28: 2,000 kiosks on one event loop queued their own requests for a minute), `run` deals
the kiosks among several simulator processes (each its own event loop and client, connections
enough for its kiosks), each kiosk's upload bodies are encoded before the schedule starts (a
kiosk too has its passages stored before it uploads them; only the signing is per request), and
answers are read with plain json. Every scheduled request is timed from when it was due, not
from when the simulator got round to sending it, and that lag is reported on its own.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import ssl
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.util import find_spec
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from central.administration.checkpoints import issue_enrollment_code, register_checkpoint
from central.core.clock import system_tokens
from central.issuance.feed import append_bulk
from healthcode.claims import Colour
from kiosk.checkpoint.policy import CheckpointType
from kiosk.client.enrollment import enroll
from kiosk.client.identity import KioskIdentity
from kiosk.client.snapshot_fetch import SignOnly
from sync.distribution import (
    BLOCKS_PARAMETER,
    COLUMN_BLOCKS,
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
    UploadBatch,
    UploadRecord,
)

try:  # uvicorn's event loop (a dependency off Windows): the simulator's loop costs less CPU
    import uvloop

    _loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
except ImportError:  # pragma: no cover - Windows
    _loop_factory = None

_T = TypeVar("_T")

REGION = "610102"
# The status feed a fleet's central starts with: every new kiosk takes it as a snapshot file.
FEED_ENTRIES = 10_000
ENROLMENT_THREADS = 8
# A request that fails (a process killed, a refused replay) is sent again, as the kiosk would
# in its next round; the simulation retries sooner so a short run settles.
RETRY_PAUSE_S = 0.5
MAX_TRIES = 20
# The simulator processes start the schedule together this long after all have prepared.
START_MARGIN_S = 0.2


@dataclass
class RouteFigures:
    """Latencies (ms) and failures of one route across the fleet."""

    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    retried: int = 0
    # How central answered (status code: count): a phase meant to time `304`s shows it did.
    statuses: Counter[int] = field(default_factory=Counter)

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
    # Of each scheduled action (a sync round, an upload): from when it was due to when the
    # simulator sent its first request, ms. Large values: the simulator fell behind.
    lag_ms: list[float] = field(default_factory=list)
    simulator_cpu_s: float = 0.0  # CPU the simulator processes spent on the run

    def merge(self, other: FleetReport) -> None:
        """Adds another simulator's figures to these."""
        for route, figures in other.routes.items():
            mine = self.routes[route]
            mine.latencies_ms.extend(figures.latencies_ms)
            mine.failures += figures.failures
            mine.retried += figures.retried
            mine.statuses.update(figures.statuses)
        self.records_sent |= other.records_sent
        self.records_acknowledged |= other.records_acknowledged
        self.requests += other.requests
        self.elapsed_s = max(self.elapsed_s, other.elapsed_s)
        self.lag_ms.extend(other.lag_ms)
        self.simulator_cpu_s += other.simulator_cpu_s

    def shipped(self) -> dict[str, Any]:
        """The report as plain data for the pipe from a simulator process (record ids as one
        bytes string each set: a few hundred thousand UUID objects pickle slowly)."""
        return {
            "routes": {
                route: (figures.latencies_ms, figures.failures, figures.retried, figures.statuses)
                for route, figures in self.routes.items()
            },
            "sent": b"".join(record.bytes for record in self.records_sent),
            "acknowledged": b"".join(record.bytes for record in self.records_acknowledged),
            "requests": self.requests,
            "elapsed_s": self.elapsed_s,
            "lag_ms": self.lag_ms,
            "simulator_cpu_s": self.simulator_cpu_s,
        }

    @classmethod
    def unshipped(cls, data: dict[str, Any]) -> FleetReport:
        report = cls(
            requests=data["requests"],
            elapsed_s=data["elapsed_s"],
            lag_ms=data["lag_ms"],
            simulator_cpu_s=data["simulator_cpu_s"],
        )
        for route, (latencies_ms, failures, retried, statuses) in data["routes"].items():
            report.routes[route] = RouteFigures(latencies_ms, failures, retried, statuses)
        report.records_sent = _uuids(data["sent"])
        report.records_acknowledged = _uuids(data["acknowledged"])
        return report


def _uuids(packed: bytes) -> set[uuid.UUID]:
    return {uuid.UUID(bytes=packed[at : at + 16]) for at in range(0, len(packed), 16)}


@dataclass(frozen=True)
class PreparedUpload:
    """One upload of a kiosk's schedule, encoded before the run: due `due_s` after the start."""

    due_s: float
    body: bytes
    record_ids: tuple[uuid.UUID, ...]


@dataclass
class SimulatedKiosk:
    identity: KioskIdentity
    rng: random.Random
    feed_after: int = 0
    trust_sequence: int | None = None
    policy_version: int = 0
    roster_version: int = 0
    seq: int = 0
    first_round_s: float = 0.0  # when its first sync round is due, after the start
    uploads: deque[PreparedUpload] = field(default_factory=deque)

    def state(self) -> tuple[int, int | None, int, int, int]:
        return (
            self.feed_after,
            self.trust_sequence,
            self.policy_version,
            self.roster_version,
            self.seq,
        )

    def take_state(self, state: tuple[int, int | None, int, int, int]) -> None:
        (
            self.feed_after,
            self.trust_sequence,
            self.policy_version,
            self.roster_version,
            self.seq,
        ) = state


def provision(
    database_url: str, count: int, now: datetime, *, feed_entries: int = FEED_ENTRIES
) -> list[str]:
    """`count` checkpoints and one enrollment code each, and a status feed of `feed_entries`
    colour changes (a province's feed is never empty: a kiosk at its head polls for a `304`),
    written straight to the database."""
    engine = create_engine(database_url)
    sessions = sessionmaker(engine)
    codes: list[str] = []
    try:
        with sessions() as session, session.begin():
            rng = random.Random(feed_entries)
            changes = [
                (REGION, rng.randbytes(16), Colour.RED.value if n % 5 else Colour.YELLOW.value, 2)
                for n in range(feed_entries)
            ]
            append_bulk(session, changes, "area_risk", now - timedelta(hours=1), "fleet")
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
    """Runs the schedule for every kiosk; `clock` gives the passages' times."""

    def __init__(
        self,
        url: str,
        identities: Sequence[KioskIdentity],
        schedule: Schedule,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        seed: int = 1,
    ) -> None:
        self.url = url.rstrip("/")
        self.kiosks = [
            SimulatedKiosk(identity, random.Random(f"{seed}-{n}"))
            for n, identity in enumerate(identities)
        ]
        self.schedule = schedule
        self.clock = clock
        self.report = FleetReport()

    def each(self, action: str, times: int = 1, concurrency: int = 100) -> float:
        """Every kiosk does `action` ("round", "feed", "upload") `times` times, at most
        `concurrency` requests at once (one simulator process); the seconds it took."""
        return _run_loop(self._each(action, times, concurrency))

    async def _each(self, action: str, times: int, concurrency: int) -> float:
        gate = asyncio.Semaphore(concurrency)
        started = time.monotonic()
        async with _client(concurrency) as client:

            async def one(kiosk: SimulatedKiosk) -> None:
                auth = kiosk.identity.auth()
                for _ in range(times):
                    async with gate:
                        if action == "round":
                            await self._sync_round(client, auth, kiosk, time.monotonic())
                        elif action == "feed":
                            await self._feed(client, auth, kiosk)
                        else:
                            upload = self._prepare_upload(kiosk, 0.0, self.clock())
                            await self._upload(client, auth, upload, time.monotonic())

            await asyncio.gather(*(one(kiosk) for kiosk in self.kiosks))
        return time.monotonic() - started

    def run(
        self, during: Callable[[float], None] | None = None, *, simulators: int = 1
    ) -> FleetReport:
        """Run the schedule with the kiosks dealt among `simulators` processes (1: this one);
        `during(elapsed_s)` is called about once a second in this process."""
        before = self.report  # the figures of `each`, if any: the run's are added to them
        if simulators <= 1:
            self._prepare(self.kiosks)
            report = _run_loop(self._run_share(self.kiosks, time.monotonic(), during))
        else:
            report = self._run_processes(during, simulators)
        before.merge(report)
        self.report = before
        return before

    def _run_processes(
        self, during: Callable[[float], None] | None, simulators: int
    ) -> FleetReport:
        # Forked: the children inherit the kiosks' keys and state without pickling them.
        context = multiprocessing.get_context("fork")
        shares = [list(range(number, len(self.kiosks), simulators)) for number in range(simulators)]
        pipes: list[Connection] = []
        processes = []
        for share in shares:
            ours, theirs = context.Pipe()
            process = context.Process(target=self._simulator, args=(share, theirs), daemon=True)
            process.start()
            theirs.close()
            pipes.append(ours)
            processes.append(process)
        for number, pipe in enumerate(pipes):  # each has encoded its kiosks' uploads
            if _received(pipe, number) != "ready":
                raise RuntimeError(f"fleet simulator {number} did not start")
        started = time.monotonic() + START_MARGIN_S
        for pipe in pipes:
            pipe.send(started)
        answers: dict[int, dict[str, Any]] = {}
        next_call = started
        while len(answers) < len(pipes):
            now = time.monotonic()
            if during is not None and now >= next_call and now - started < self.schedule.duration_s:
                during(now - started)
                next_call += 1.0
            waiting = [pipe for number, pipe in enumerate(pipes) if number not in answers]
            for ready in wait(waiting, timeout=max(0.0, next_call - time.monotonic())):
                number = next(n for n, pipe in enumerate(pipes) if pipe is ready)
                answers[number] = _received(pipes[number], number)
        for process in processes:
            process.join()
        report = FleetReport()
        for number, share in enumerate(shares):
            for index, state in zip(share, answers[number]["states"], strict=True):
                self.kiosks[index].take_state(state)
            report.merge(FleetReport.unshipped(answers[number]["report"]))
        return report

    def _simulator(self, share: list[int], pipe: Connection) -> None:
        """One simulator process: prepares its kiosks' uploads, says so, waits for the common
        start, runs the schedule on its own event loop and sends back its figures."""
        kiosks = [self.kiosks[index] for index in share]
        self._prepare(kiosks)
        pipe.send("ready")
        started = pipe.recv()
        report = _run_loop(self._run_share(kiosks, started, None))
        pipe.send({"report": report.shipped(), "states": [kiosk.state() for kiosk in kiosks]})
        pipe.close()

    def _prepare(self, kiosks: Sequence[SimulatedKiosk]) -> None:
        """Draws each kiosk's schedule and encodes the uploads it will make in the run."""
        schedule = self.schedule
        at = self.clock()
        for kiosk in kiosks:
            # Kiosks started over the first round, as a fleet switched on through a morning.
            kiosk.first_round_s = kiosk.rng.uniform(0, schedule.round_s)
            due_s = kiosk.rng.uniform(0, schedule.upload_every_s)
            kiosk.uploads.clear()
            while due_s < schedule.duration_s:
                kiosk.uploads.append(self._prepare_upload(kiosk, due_s, at))
                in_burst = schedule.burst and due_s < schedule.duration_s / 3
                due_s += schedule.upload_every_s / (3 if in_burst else 1)

    def _prepare_upload(self, kiosk: SimulatedKiosk, due_s: float, at: datetime) -> PreparedUpload:
        records = [passage(kiosk, at) for _ in range(self.schedule.batch_records)]
        batch = UploadBatch(
            batch_id=uuid.UUID(int=kiosk.rng.getrandbits(128), version=4), records=records
        )
        return PreparedUpload(
            due_s, batch.model_dump_json().encode(), tuple(r.record_id for r in records)
        )

    async def _run_share(
        self,
        kiosks: Sequence[SimulatedKiosk],
        started: float,
        during: Callable[[float], None] | None,
    ) -> FleetReport:
        self.report = FleetReport()  # this process's figures only
        cpu_before_s = time.process_time()
        if (wait_s := started - time.monotonic()) > 0:
            await asyncio.sleep(wait_s)
        # A real kiosk has a client and connection of its own: no simulated kiosk waits for a
        # pooled connection, and no pool is scanned per request across a thousand connections
        # (httpcore's assignment is linear in the pool: it was most of the simulator's CPU).
        tls = ssl.create_default_context()  # one for all: a client's own costs ~20 ms to load
        async with AsyncExitStack() as clients:
            tasks = []
            for kiosk in kiosks:
                client = await clients.enter_async_context(_client(1, tls))
                tasks.append(asyncio.create_task(self._kiosk(client, kiosk, started)))
            if during is not None:
                tasks.append(asyncio.create_task(self._watch(during, started)))
            await asyncio.gather(*tasks)
        self.report.elapsed_s = time.monotonic() - started
        self.report.simulator_cpu_s = time.process_time() - cpu_before_s
        return self.report

    async def _watch(self, during: Callable[[float], None], started: float) -> None:
        while (elapsed := time.monotonic() - started) < self.schedule.duration_s:
            await asyncio.to_thread(during, elapsed)
            await asyncio.sleep(1.0)

    async def _kiosk(
        self, client: httpx.AsyncClient, kiosk: SimulatedKiosk, started: float
    ) -> None:
        """Every action due before the end is done, however late: a simulator that falls
        behind sends the same requests later (its lag and latencies show it), not fewer."""
        schedule = self.schedule
        next_round = started + kiosk.first_round_s
        end = started + schedule.duration_s
        auth = kiosk.identity.auth()
        while True:
            next_upload = started + kiosk.uploads[0].due_s if kiosk.uploads else end
            due = min(next_round, next_upload)
            if due >= end:
                break
            now = time.monotonic()
            if due > now:
                await asyncio.sleep(due - now)
                continue
            self.report.lag_ms.append((now - due) * 1000)
            if next_round <= next_upload:
                await self._sync_round(client, auth, kiosk, next_round)
                next_round += schedule.round_s
            else:
                await self._upload(client, auth, kiosk.uploads.popleft(), next_upload)

    async def _request(
        self,
        client: httpx.AsyncClient,
        auth: httpx.Auth,
        route: str,
        method: str,
        path: str,
        due: float | None = None,
        **options: object,
    ) -> httpx.Response | None:
        """Sent until answered; timed from `due` (when the kiosk would have sent it) or from
        now, a retry from its own sending."""
        figures = self.report.routes[route]
        for attempt in range(MAX_TRIES):
            t0 = due if due is not None and attempt == 0 else time.monotonic()
            try:
                response = await client.request(method, self.url + path, auth=auth, **options)  # type: ignore[arg-type]
            except httpx.HTTPError:
                response = None
            self.report.requests += 1
            if response is not None and response.status_code < 500 and response.status_code != 401:
                figures.latencies_ms.append((time.monotonic() - t0) * 1000)
                figures.statuses[response.status_code] += 1
                if attempt:
                    figures.retried += 1
                return response
            await asyncio.sleep(RETRY_PAUSE_S)
        figures.failures += 1
        return None

    async def _sync_round(
        self, client: httpx.AsyncClient, auth: httpx.Auth, kiosk: SimulatedKiosk, due: float
    ) -> None:
        """As `kiosk.client.worker` does (issue 28): every copy's version in one request, then
        only what changed; the five requests of an older central's round when it lacks it."""
        answer = await self._request(client, auth, "sync", "GET", SYNC_PATH, due)
        if answer is not None and answer.status_code == 200:
            state = json.loads(answer.content)  # SyncState, read without building the model
            if kiosk.feed_after == 0 or kiosk.feed_after < state["feed_head"]:
                await self._feed(client, auth, kiosk)
            if state["trust_list_sequence"] != kiosk.trust_sequence:
                kiosk.trust_sequence = state["trust_list_sequence"]
            kiosk.policy_version = state["policy_version"]
            kiosk.roster_version = state["roster_version"]
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
        url = self.url + FEED_SNAPSHOT_FILE_PATH + f"?{BLOCKS_PARAMETER}={COLUMN_BLOCKS}"
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
        self, client: httpx.AsyncClient, auth: httpx.Auth, upload: PreparedUpload, due: float
    ) -> None:
        self.report.records_sent.update(upload.record_ids)
        answer = await self._request(
            client, auth, "upload", "POST", PASSAGES_PATH, due,
            content=upload.body, headers={"content-type": "application/json"},
        )  # fmt: skip
        if answer is None or answer.status_code != 200:
            return
        # UploadAck, read without building the model: one result per record
        self.report.records_acknowledged.update(
            uuid.UUID(result["record_id"])
            for result in json.loads(answer.content)["results"]
            if result["record_id"] is not None and result["status"] in ("stored", "duplicate")
        )


def _client(connections: int, tls: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(timeout=60.0, limits=limits, verify=tls or True)


def _run_loop(work: Coroutine[Any, Any, _T]) -> _T:
    # httpcore asks `import sniffio` on every async request; without sniffio installed each ask
    # searches sys.path again (~14 failed imports a request, a quarter of the simulator's CPU).
    # Marking the absent module absent makes the same ImportError immediate.
    if "sniffio" not in sys.modules and find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]
    with asyncio.Runner(loop_factory=_loop_factory) as runner:
        return runner.run(work)


def _received(pipe: Connection, number: int) -> Any:
    try:
        return pipe.recv()
    except EOFError:  # its traceback is on stderr
        raise RuntimeError(f"fleet simulator {number} ended without its figures") from None


def _version(answer: httpx.Response, kind: str) -> int | None:
    tag = answer.headers.get("etag", "").strip('"')
    prefix = kind + "-"
    if tag.startswith(prefix) and tag[len(prefix) :].isdigit():
        return int(tag[len(prefix) :])
    return None
