"""Central under hostile input (issue 27): over-size bodies, and the fuzzing count.

    python bench/hardening.py [--examples N]

1. A `central serve` process on loopback (SQLite in a temporary folder, `central init` first).
   One unsigned POST to /api/v1/kiosk/passages declaring a 200 MB body (Content-Length) is sent
   as a client would: the headers, then the body as fast as the socket takes it, until the
   answer comes. Measured: the time from the first byte sent to the answer's status line, and
   the server's resident memory (VmRSS of the process) before and after.
2. Eight clients sending that request at once, again and again (one thread each, the next
   upload 0.1 s after the answer; one of them without a Content-Length, chunked) while the
   login page (GET /admin/login) is asked for 200 times: its 95th percentile, and that every
   over-size upload was answered 413.
3. The fuzzing of every route of the OpenAPI document (tests/central/fuzzing.py) in process
   on SQLite: the requests sent and the server errors answered.

Goal lines: `goal <name>: <measured> <unit> (target <op> <value>) met|missed`.
"""

from __future__ import annotations

import argparse
import os
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from healthcode.console import say, survives_closed_stdout

BODY_BYTES = 200 * 1000 * 1000
CHUNK = 256 * 1024
PASSAGES = "/api/v1/kiosk/passages"
ATTACK_PAUSE_S = 0.1  # each of the eight sends its next over-size upload after this


def goal(name: str, measured: float, unit: str, op: str, target: float) -> str:
    met = measured <= target if op == "<=" else measured >= target
    return f"goal {name}: {measured:g} {unit} (target {op} {target:g}) {'met' if met else 'missed'}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@contextmanager
def served(folder: Path) -> Iterator[tuple[int, int]]:
    """A `central serve` process; (its pid, its port)."""
    env = dict(os.environ)
    env.update(
        CENTRAL_DATA_DIR=str(folder),
        CENTRAL_SMS_PROVIDER="log",
        CENTRAL_JOBS_INTERVAL_S="0",
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    env.pop("CENTRAL_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "central", "init"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("central serve did not start") from None
                time.sleep(0.1)
        yield process.pid, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def oversize_post(port: int, *, chunked: bool = False) -> tuple[float, int]:
    """Send a 200 MB unsigned upload until the server answers; (seconds to the answer, status).
    The body goes out as fast as the socket takes it, and the answer is read as soon as it
    comes (select: no busy waiting)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {BODY_BYTES}"
        head = (
            f"POST {PASSAGES} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\n{length}\r\n\r\n"
        ).encode()
        chunk = b"x" * CHUNK
        if chunked:
            chunk = f"{CHUNK:x}\r\n".encode() + chunk + b"\r\n"
        started = time.perf_counter()
        connection.sendall(head)
        sent, answer, pending = 0, b"", memoryview(chunk)
        while b"\r\n" not in answer and time.perf_counter() - started < 30:
            writers = [connection] if sent < BODY_BYTES else []
            readable, writable, _ = select.select([connection], writers, [], 1.0)
            if readable:
                try:
                    received = connection.recv(4096)
                except ConnectionResetError:
                    break
                if not received:
                    break
                answer += received
            elif writable:
                try:
                    written = connection.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    writers = []
                    sent = BODY_BYTES  # the server closed its side: read what it answered
                    continue
                sent += written
                pending = pending[written:] or memoryview(chunk)  # whole chunks, in order
        elapsed = time.perf_counter() - started
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return elapsed, status


def login_page_ms(port: int) -> float:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        started = time.perf_counter()
        connection.sendall(
            b"GET /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        while connection.recv(65536):
            pass
        return (time.perf_counter() - started) * 1000


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bodies(folder: Path) -> list[str]:
    lines: list[str] = []
    with served(folder) as (pid, port):
        login_page_ms(port)  # warm
        before = _rss_kib(pid)
        seconds, status = oversize_post(port)
        grown_mib = max(0, _rss_kib(pid) - before) / 1024
        say(
            f"one 200 MB unsigned upload: {status} in {seconds * 1000:.1f} ms, "
            f"RSS +{grown_mib:.1f} MiB"
        )
        lines.append(goal("oversize_refused_ms", round(seconds * 1000, 1), "ms", "<=", 100))
        lines.append(goal("oversize_rss_growth_mib", round(grown_mib, 1), "MiB", "<=", 20))
        statuses: list[int] = []
        done = threading.Event()

        def attack(chunked: bool) -> None:
            while not done.is_set():  # again and again, for as long as the page is asked
                statuses.append(oversize_post(port, chunked=chunked)[1])
                done.wait(ATTACK_PAUSE_S)

        attackers = [threading.Thread(target=attack, args=(n == 7,)) for n in range(8)]
        for attacker in attackers:
            attacker.start()
        samples = []
        for _ in range(200):
            samples.append(login_page_ms(port))
            time.sleep(0.01)
        done.set()
        for attacker in attackers:
            attacker.join()
        p95 = percentile(samples, 0.95)
        refused = statuses.count(413)
        say(
            f"8 at once: {len(statuses)} over-size uploads, {refused} answered 413; "
            f"login page p50 {statistics.median(samples):.1f} ms"
        )
        lines.append(goal("login_page_p95_under_8_oversize_ms", round(p95, 1), "ms", "<=", 200))
        lines.append(goal("oversize_not_413", len(statuses) - refused, "answers", "<=", 0))
    return lines


def fuzzing(folder: Path, examples: int) -> list[str]:
    from datetime import timedelta

    from sqlalchemy import select

    from central.app import create_app
    from central.core.admins import open_session
    from central.core.bootstrap import prepare
    from central.core.clock import system_clock
    from central.core.db import session_scope
    from central.core.models import Administrator
    from central.core.settings import Settings
    from tests.central.conftest import TestClient
    from tests.central.fuzzing import fuzz_every_route

    settings = Settings(data_dir=folder, sms_provider="log", _env_file=None)  # type: ignore[call-arg]
    prepare(settings, system_clock(), first_admin="admin")
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        with session_scope(app.state.sessions) as session:
            admin = session.scalars(select(Administrator)).one()
            token, _ = open_session(session, admin.id, system_clock(), timedelta(days=1))
        started = time.perf_counter()
        tally = fuzz_every_route(
            app, client, {"Authorization": f"Bearer {token}"}, examples=examples
        )
    say(
        f"fuzzing: {tally.requests} requests to {tally.operations} operations in "
        f"{time.perf_counter() - started:.0f} s, {len(tally.server_errors)} server errors"
    )
    for error in tally.server_errors[:10]:
        say(f"  {error}")
    return [
        goal("fuzz_requests", tally.requests, "requests", ">=", 2000),
        goal("fuzz_server_errors", len(tally.server_errors), "errors", "<=", 0),
    ]


@survives_closed_stdout
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--examples", type=int, default=16, help="fuzzing examples per operation")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as served_folder, tempfile.TemporaryDirectory() as fuzzed:
        lines = bodies(Path(served_folder)) + fuzzing(Path(fuzzed), options.examples)
    for line in lines:
        say(line)
    return 0 if all(line.endswith(" met") for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
