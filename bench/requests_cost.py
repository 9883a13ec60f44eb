"""Central's CPU per signed kiosk request, in process (issue 28): the sync round trip, a
no-change feed poll (304, and the signed empty delta an older kiosk gets), a heartbeat and a
50-record upload, each request signed beforehand by a real kiosk identity and handed straight
to the ASGI app, so the figure is the server's own work (CPU of this process, all threads;
the database server's CPU is not in it). On SQLite, or PostgreSQL with `--postgresql`.

    .venv/bin/python bench/requests_cost.py [--requests 400] [--profile out.txt] [--only sync]
    bash build/postgres.sh .venv/bin/python bench/requests_cost.py --postgresql

`--served` also starts one `central serve` process (uvicorn, as deployed) on the same database
and sends it pre-signed sync and no-change feed polls over one keep-alive connection, as nginx
forwards them (X-Forwarded-For from a trusted proxy): the figure is that process's CPU from
/proc per request, the HTTP server's parsing and the event loop's wake-ups included, and its
CPU while idle (the job thread's wake-ups) is printed beside it.

`--only KINDS` times some kinds alone (comma-separated; no goal lines then). `--profile FILE`
runs cProfile over the timed requests (the event loop's thread only: the lean path's work runs
in a worker thread, so for the whole picture use py-spy instead:
`.venv/bin/py-spy record -f raw -o out.raw -- .venv/bin/python bench/requests_cost.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import http.client
import io
import os
import pstats
import random
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from _server_time import goal  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from central.core.settings import Settings  # noqa: E402
from central.issuance.feed import Change, append_changes  # noqa: E402
from healthcode.claims import Colour  # noqa: E402
from healthcode.console import say, survives_closed_stdout  # noqa: E402
from healthcode.keydir import KeyDir  # noqa: E402
from kiosk.client.enrollment import enroll  # noqa: E402
from sync.distribution import FEED_PATH, SYNC_PATH, etag  # noqa: E402
from sync.schemas import HEARTBEAT_PATH, PASSAGES_PATH, UploadBatch  # noqa: E402
from sync.signing import system_clock  # noqa: E402
from tests.central.conftest import SERVER, FakeClock, start_central  # noqa: E402
from tests.deployment import central_environment, free_port, wait_until_ready  # noqa: E402
from tests.fleet import SimulatedKiosk, passage  # noqa: E402

UPLOAD_RECORDS = 50


def fresh_postgres_database(base: str) -> str:
    name = f"bench_requests_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


Signed = tuple[str, str, list[tuple[bytes, bytes]], bytes]


def signed(auth: httpx.Auth, request: httpx.Request) -> Signed:
    """The request as the kiosk sends it, signature included (signed now, sent later)."""
    flow = auth.auth_flow(request)
    ready = next(flow)
    headers = [(k.lower().encode(), v.encode()) for k, v in ready.headers.items()]
    return ready.method, ready.url.raw_path.decode(), headers, ready.content


async def send(app: FastAPI, request: Signed) -> int:
    method, target, headers, body = request
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    status = 0
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            await asyncio.sleep(3600)
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def respond(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, respond)
    return status


def cpu_per_request(
    app: FastAPI, requests: list[Signed], expect: int, profiler: cProfile.Profile | None
) -> float:
    """Milliseconds of this process's CPU per request, all sent one after another."""

    async def all_of() -> None:
        for request in requests:
            status = await send(app, request)
            if status != expect:
                raise SystemExit(f"{request[1]} answered {status}, not {expect}")

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(send(app, requests[0]))  # warm: the first of its kind
        started = time.process_time()
        if profiler is not None:
            profiler.enable()
        loop.run_until_complete(all_of_rest(all_of, requests))
        if profiler is not None:
            profiler.disable()
        return (time.process_time() - started) / max(len(requests) - 1, 1) * 1000
    finally:
        loop.close()


def process_cpu_s(pid: int) -> float:
    """User + system CPU of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def send_over(connection: http.client.HTTPConnection, request: Signed) -> int:
    """One pre-signed request on a keep-alive connection, as nginx forwards it."""
    method, target, headers, body = request
    connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
    for name, value in headers:
        if name != b"connection":
            connection.putheader(name, value)
    connection.putheader(b"x-forwarded-for", b"192.0.2.7")
    if method == "POST" and not any(name == b"content-length" for name, _ in headers):
        connection.putheader(b"content-length", str(len(body)).encode())
    connection.endheaders(body or None)
    response = connection.getresponse()
    response.read()
    return response.status


def served_cpu_per_request(
    port: int, pid: int, requests: list[Signed], expect: int
) -> tuple[float, float]:
    """Milliseconds of the serving process's CPU per request, and the wall seconds taken."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        if send_over(connection, requests[0]) != expect:  # warm: the first of its kind
            raise SystemExit(f"{requests[0][1]} answered otherwise than {expect} when served")
        cpu_before, wall_before = process_cpu_s(pid), time.monotonic()
        for request in requests[1:]:
            status = send_over(connection, request)
            if status != expect:
                raise SystemExit(f"{request[1]} answered {status}, not {expect}, when served")
        cpu = process_cpu_s(pid) - cpu_before
        return cpu / max(len(requests) - 1, 1) * 1000, time.monotonic() - wall_before
    finally:
        connection.close()


def idle_cpu_per_s(pid: int, seconds: float) -> float:
    """Milliseconds of CPU per second the serving process spends with no request."""
    before = process_cpu_s(pid)
    time.sleep(seconds)  # a measurement window, not a wait for an event
    return (process_cpu_s(pid) - before) / seconds * 1000


async def all_of_rest(run: Callable[[], Any], requests: list[Signed]) -> None:
    first = requests.pop(0)
    try:
        await run()
    finally:
        requests.insert(0, first)


def serve_and_measure(
    settings: Settings, identity: Any, client: httpx.Client, n: int
) -> dict[str, tuple[float, float]]:
    """Start `central serve` on the bench's folder and database; time sync and 304 polls."""
    auth = identity.auth(clock=system_clock)  # the served process keeps the real time
    feed_poll = {"params": {"after": 100, "limit": 5000}}
    port = free_port()
    env = central_environment(settings.resolved_database_url, settings.data_dir)
    env["CENTRAL_TRUSTED_PROXIES"] = '["127.0.0.1"]'
    # This checkout's code, not the one the virtualenv's editable install names (a worktree).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    log = (settings.data_dir.parent / "served.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=settings.data_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    log.close()
    try:
        wait_until_ready(process, f"http://127.0.0.1:{port}/openapi.json")
        out: dict[str, tuple[float, float]] = {}
        for name, build, expect in (
            ("sync", lambda: client.build_request("GET", SYNC_PATH), 200),
            (
                "feed_304",
                lambda: client.build_request(
                    "GET", FEED_PATH, headers={"if-none-match": etag("feed", 100)}, **feed_poll
                ),
                304,
            ),
        ):
            requests = [signed(auth, build()) for _ in range(n)]
            out[name] = served_cpu_per_request(port, process.pid, requests, expect)
        out["idle"] = (idle_cpu_per_s(process.pid, 5.0), 0.0)
        return out
    finally:
        process.terminate()
        process.wait(30)


@survives_closed_stdout
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests of each kind")
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument(
        "--served", action="store_true", help="also through one `central serve` process"
    )
    parser.add_argument(
        "--only", default=None, help="comma-separated kinds to time (for profiling one route)"
    )
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-requests-"))
    database = f"sqlite:///{folder / 'central.db'}"
    if args.postgresql:
        base = os.environ.get("CENTRAL_TEST_POSTGRES_URL")
        if not base:
            say("requests_cost: --postgresql needs CENTRAL_TEST_POSTGRES_URL (build/postgres.sh)")
            return 2
        database = fresh_postgres_database(base)
    settings = Settings(
        data_dir=folder / "central",
        database_url=database,
        _env_file=None,  # type: ignore[call-arg]
    )
    clock = FakeClock()
    profiler = cProfile.Profile() if args.profile else None
    running = start_central(settings, clock)
    central = next(running)
    try:
        code = central.enrollment_code(central.register_checkpoint())
        identity = enroll(central.client, SERVER, code, folder / "kiosk").identity
        issuer = KeyDir(settings.resolved_keys_dir).issuer.region_code
        with central.app.state.sessions() as session:
            changes = [
                Change(issuer, secrets.token_bytes(16), Colour.RED, 2, "bench", clock())
                for _ in range(100)
            ]
            append_changes(session, changes)
            session.commit()
        auth = identity.auth(clock=clock)
        client = httpx.Client(base_url=SERVER)
        n = args.requests

        def many(build: Callable[[], httpx.Request], count: int = n) -> list[Signed]:
            return [signed(auth, build()) for _ in range(count)]

        kinds: list[tuple[str, list[Signed], int]] = [
            ("sync", many(lambda: client.build_request("GET", SYNC_PATH)), 200),
            (
                "feed_304",
                many(
                    lambda: client.build_request(
                        "GET",
                        FEED_PATH,
                        params={"after": 100, "limit": 5000},
                        headers={"if-none-match": etag("feed", 100)},
                    )
                ),
                304,
            ),
            (
                "feed_empty_delta",
                many(
                    lambda: client.build_request(
                        "GET", FEED_PATH, params={"after": 100, "limit": 5000}
                    )
                ),
                200,
            ),
            (
                "heartbeat",
                many(lambda: client.build_request("POST", HEARTBEAT_PATH, content=b"{}")),
                200,
            ),
        ]
        kiosk = SimulatedKiosk(identity, random.Random(7))

        def upload() -> httpx.Request:
            records = [passage(kiosk, clock()) for _ in range(UPLOAD_RECORDS)]
            batch = UploadBatch(batch_id=uuid.uuid4(), records=records)
            return client.build_request(
                "POST",
                PASSAGES_PATH,
                content=batch.model_dump_json().encode(),
                headers={"content-type": "application/json"},
            )

        kinds.append(("upload_50", many(upload, max(n // 4, 20)), 200))
        figures: dict[str, float] = {}
        served: dict[str, tuple[float, float]] = {}
        if args.only:
            kinds = [kind for kind in kinds if kind[0] in args.only.split(",")]
        for name, requests, expect in kinds:
            figures[name] = cpu_per_request(central.app, requests, expect, profiler)
            clock.advance(seconds=1)

        if args.served:
            served = serve_and_measure(settings, identity, client, n)
        backend = "PostgreSQL" if args.postgresql else "SQLite"
        load = os.getloadavg()[0]
        say(f"central CPU per signed request ({backend}, in process, {n} of each, uploads"
            f" {max(n // 4, 20)}; load average {load:.2f} on {os.cpu_count()} cores):")  # fmt: skip
        for name, ms in figures.items():
            say(f"  {name:<18}{ms:8.2f} ms")
        if args.served:
            say("served by one `central serve` process (uvicorn, keep-alive, its CPU from /proc):")
            for name, (ms, wall_s) in served.items():
                if name == "idle":
                    say(f"  {'idle':<18}{ms:8.2f} ms of CPU per second")
                else:
                    say(f"  {name:<18}{ms:8.2f} ms ({wall_s * 1000 / n:.2f} ms wall each)")
    finally:
        running.close()
    if profiler is not None and args.profile is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        args.profile.write_text(out.getvalue())
        say(f"profile written to {args.profile}")
    suffix = "_postgresql" if args.postgresql else "_sqlite"
    if set(figures) != {"sync", "feed_304", "feed_empty_delta", "heartbeat", "upload_50"}:
        return 0  # a partial run (--only) states no goal
    say(goal(f"cpu_per_sync_poll{suffix}", figures["sync"], "ms", "<=", 1))
    say(goal(f"cpu_per_feed_poll{suffix}", figures["feed_304"], "ms", "<=", 1))
    say(goal(f"cpu_per_upload_50{suffix}", figures["upload_50"], "ms", "<=", 5))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
