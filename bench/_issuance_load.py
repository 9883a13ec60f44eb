"""The issuance bench's load: bare signing in this process, and declarations through HTTP against
`central serve` in a process of its own (self-declarations over raw keep-alive connections,
proxy batches over httpx), with each side's CPU per code. Used by bench/issuance.py (a module
whose name starts with `_` is not a benchmark of its own for bench/run.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from _issuance_fixture import NOW
from sqlalchemy import insert, select

from central.core.admins import open_session
from central.core.bootstrap import prepare
from central.core.db import make_engine, make_sessions, session_scope
from central.core.models import Administrator, SmsChallenge, new_id
from central.core.settings import Settings
from central.issuance.people import issuer_keys
from healthcode import jkm
from healthcode.claims import CodeKind, Colour
from healthcode.console import say
from healthcode.identity import check_character


def bare_signing_rate(keys_dir: Path, seconds: float = 2.0) -> float:
    keys = issuer_keys(keys_dir)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        claims = jkm.claims_for_person(
            issuer=keys.issuer,
            code_id=secrets.token_bytes(16),
            colour=Colour.GREEN,
            colour_seq=1,
            kind=CodeKind.PROXY,
            full_name="张三丰",
            id_number=_id_number(count),
            binding_key=keys.binding_key,
            now=NOW,
        )
        jkm.issue(claims, keys.signing_key)
        count += 1
    return count / (time.perf_counter() - started)


def _id_number(serial: int) -> str:
    """A distinct valid resident ID number per serial (one person each): a birth date from
    1950 on, one day per thousand serials, and the serial's last three digits as sequence."""
    born = date(1950, 1, 1) + timedelta(days=serial // 1000)
    first = f"610102{born:%Y%m%d}{serial % 1000:03d}"
    return first + check_character(first)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _phone(serial: int) -> str:
    return f"139{serial:08d}"


SMS_CODE = "246810"


def _seed_sms_codes(settings: Settings, serials: list[int]) -> None:
    """The setup phase: one unused SMS code per phone the clients will declare with (as if each
    person had asked for one; the SMS round trip and its rate limits are not what is measured)."""
    keys = issuer_keys(settings.resolved_keys_dir)
    engine = make_engine(settings.resolved_database_url)
    rows = [
        {
            "id": new_id(),
            "phone_ix": keys.cipher.phone_index(_phone(serial)),
            "code_hash": hashlib.sha256(SMS_CODE.encode()).digest(),
            "created_at": datetime.now(UTC),
            "expires_at": datetime.now(UTC) + timedelta(hours=1),
            "attempts": 0,
        }
        for serial in serials
    ]
    with engine.begin() as connection:
        connection.execute(insert(SmsChallenge), rows)
    engine.dispose()


def _admin_token(settings: Settings) -> str:
    """A session for the first administrator (the province's region administrator), opened
    directly: its password setup and login are not what is measured."""
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_sessions(engine)) as session:
            admin = session.scalars(select(Administrator)).one()
            token, _ = open_session(session, admin.id, datetime.now(UTC), timedelta(hours=1))
        return token
    finally:
        engine.dispose()


@dataclass(frozen=True)
class HttpFigures:
    single: Drive  # self-declarations (phone + SMS code), one per request
    batch: Drive  # codes issued through proxy batches, BATCH_PEOPLE per request
    bare_rate: float  # bare signing, in this process
    workers: int


BATCH_PEOPLE = 100


def _person(serial: int) -> dict[str, object]:
    return {
        "full_name": "张三丰",
        "id_number": _id_number(serial),
        "residence": "610102001001",
        "temperature_celsius": 36.5,
    }


def _process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        own, parent = int(stat.parent.name), int(fields[1])
        if own == pid or parent == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


@dataclass(frozen=True)
class Drive:
    rate: float  # codes per second
    server_ms_per_code: float  # server CPU per code
    client_ms_per_code: float  # load generator CPU per code (this process)


def _measured(
    run: Callable[[float], float], done: list[int], seconds: float, server_pid: int
) -> Drive:
    """`run(duration)` once for a second to warm up (connections, imports, the first batches),
    then for `seconds`: codes per second from the `done` counts, and each side's CPU per code."""
    run(1.0)
    before = sum(done)
    server_before, client_before = _process_cpu_seconds(server_pid), time.process_time()
    elapsed = run(seconds)
    codes = max(sum(done) - before, 1)
    server_cpu = _process_cpu_seconds(server_pid) - server_before
    client_cpu = time.process_time() - client_before
    return Drive(codes / elapsed, 1000 * server_cpu / codes, 1000 * client_cpu / codes)


def _drive(
    clients: int,
    seconds: float,
    one: Callable[[httpx.Client, int], int],
    port: int,
    server_pid: int,
) -> Drive:
    """Run `one(http, client_index)` in a loop on each client thread for `seconds` (after a
    one-second warm-up); the codes issued per second and the CPU each side spent per code."""
    done = [0] * clients

    def client(index: int, until: float) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            while time.perf_counter() < until:
                done[index] += one(http, index)

    def run(duration: float) -> float:
        until = time.perf_counter() + duration
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i, until)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    return _measured(run, done, seconds, server_pid)


def _raw_drive(
    clients: int,
    seconds: float,
    request: Callable[[int], bytes],
    answered: Callable[[int, bytes], int],
    port: int,
    server_pid: int,
) -> Drive:
    """Like `_drive`, but each client is a keep-alive HTTP/1.1 connection on one asyncio loop
    writing prepared request bytes: a load generator light enough (a tenth of httpx's CPU per
    request) that on a small machine the server, not the generator, is what is measured.
    `request(client)` gives the next request's bytes; `answered(status, body)` the codes issued."""
    done = [0] * clients

    async def client(index: int, until: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < until:
                writer.write(request(index))
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                done[index] += answered(status, await reader.readexactly(length))
        finally:
            writer.close()

    async def all_clients(until: float) -> None:
        await asyncio.gather(*(client(i, until) for i in range(clients)))

    def run(duration: float) -> float:
        started = time.perf_counter()
        asyncio.run(all_clients(started + duration))
        return time.perf_counter() - started

    return _measured(run, done, seconds, server_pid)


def _post(port: int, path: str, body: object) -> bytes:
    """One HTTP/1.1 POST with a JSON body, as bytes."""
    payload = json.dumps(body, ensure_ascii=False).encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload


def http_rate(
    work: Path, seconds: float, clients: int = 64, batch_clients: int = 4, workers: int = 1
) -> HttpFigures:
    """Declarations through `central serve --workers N`, a separate process as in production:
    self-declarations one per request (`?svg=false`: the answer carries the QR text), then
    proxy declarations in batches of BATCH_PEOPLE, by the province's region administrator."""
    settings = Settings(data_dir=work, _env_file=None)  # type: ignore[call-arg]
    prepare(settings, datetime.now(UTC), first_admin="admin")
    bare = bare_signing_rate(settings.resolved_keys_dir)
    per_client = 40_000
    # Enough SMS codes for 2,500 declarations per connection (a run of ten seconds uses ~200).
    serials = [i * per_client + n for i in range(clients) for n in range(2_500)]
    _seed_sms_codes(settings, serials)
    admin = {"Authorization": f"Bearer {_admin_token(settings)}"}
    port = _free_port()
    env = {
        **os.environ,
        "CENTRAL_DATA_DIR": str(work),
        "CENTRAL_JOBS_INTERVAL_S": "0",
        "CENTRAL_SMS_PROVIDER": "log",  # the codes are seeded; none is sent
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers)],
        env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/issuance/rulesets").is_success:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("central serve did not start")
            time.sleep(0.2)
        next_serial = [i * per_client for i in range(clients)]  # each SMS code is used once
        refused: list[str] = []

        def self_declaration(index: int) -> bytes:
            serial = next_serial[index]
            next_serial[index] += 1
            return _post(
                port,
                "/api/v1/issuance/declarations?svg=false",
                {**_person(serial), "phone": _phone(serial), "sms_code": SMS_CODE},
            )

        def declared(status: int, body: bytes) -> int:
            if status == 201 and json.loads(body)["code"]["qr_text"]:
                return 1
            refused.append(f"{status} {body[:200]!r}")
            return 0

        batch_serial = [10_000_000 + i * 1_000_000 for i in range(batch_clients)]

        def proxy_batch(http: httpx.Client, index: int) -> int:
            first = batch_serial[index]
            batch_serial[index] += BATCH_PEOPLE
            people = [_person(first + n) for n in range(BATCH_PEOPLE)]
            answer = http.post(
                "/api/v1/issuance/proxy-declarations/batch", json={"people": people}, headers=admin
            )
            if answer.status_code != 200:
                refused.append(f"{answer.status_code} {answer.text[:200]}")
                return 0
            result = answer.json()
            if result["refused"]:
                refused.append(str(result["refused"][:2]))
            return len(result["issued"])

        single = _raw_drive(clients, seconds, self_declaration, declared, port, server.pid)
        batch = _drive(batch_clients, seconds, proxy_batch, port, server.pid)
        if refused:
            say(f"http: {len(refused)} refusals, e.g. {refused[0]}")
        return HttpFigures(single, batch, bare, workers)
    finally:
        server.terminate()
        server.wait(timeout=30)
