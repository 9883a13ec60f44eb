"""The feed snapshot as a file (issue 28): built once in bounded memory, served cheaply.

Fixture: a central data folder (`central.core.bootstrap.prepare`: migrated SQLite, keys) whose
status feed holds `--entries` entries (one per code, all within the compaction horizon),
cached in bench/.cache. Build: a child process runs `central.issuance.feed_files.
build_snapshot` (rows streamed from the database into the signed file) and reports its time
and its peak RSS (`ru_maxrss`, the whole process: Python, SQLAlchemy and all). Serve: a child
process runs central's app under uvicorn (the kiosk signature check replaced by a fixed kiosk,
the rest as deployed without nginx: the app streams the file itself); after one warm-up
download, `--kiosks` concurrent kiosks download the whole file while its RSS is sampled; the
growth over the warm RSS is the goal.

    python bench/feed_file.py    # 5,000,000 entries, 100 kiosks (the goals; a quiet machine)
    python bench/feed_file.py --entries 200000 --kiosks 20    # a quick check
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import socket
import sqlite3
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from healthcode.console import say, survives_closed_stdout

CACHE = Path(__file__).resolve().parent / ".cache"
ISSUER_CHANGES = "recompute"


def goal(name: str, measured: float, unit: str, op: str, target: float, fmt: str = ".1f") -> str:
    met = measured <= target if op == "<=" else measured >= target
    return (
        f"goal {name}: {measured:{fmt}} {unit} (target {op} {target:g}) "
        f"{'met' if met else 'missed'}"
    )


def _settings(data_dir: Path) -> Any:
    from central.core.settings import Settings

    return Settings(
        data_dir=data_dir,
        sms_provider="log",
        feed_snapshot_coalesce_s=3600,
        _env_file=None,  # type: ignore[call-arg]
    )


def prepare_fixture(entries: int) -> Path:
    """A prepared central data folder with `entries` feed entries (cached)."""
    data_dir = CACHE / f"feed-file-{entries}"
    if (data_dir / "ready").exists():
        return data_dir
    from central.core.bootstrap import prepare
    from central.core.settings import DATABASE_FILE

    now = datetime.now(UTC)
    settings = _settings(data_dir)
    prepare(settings, now)
    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    issuer = settings.issuer_region_code
    at = (now - timedelta(days=1)).replace(tzinfo=None).isoformat(sep=" ")
    connection.execute("DELETE FROM status_feed")
    rows = (
        (i + 1, issuer, i.to_bytes(16, "big"), "red" if i % 7 else "yellow", 2, ISSUER_CHANGES, at,
         "system")
        for i in range(entries)
    )  # fmt: skip
    connection.executemany(
        "INSERT INTO status_feed (sequence, issuer, code_id, colour, colour_seq, reason, at, "
        "actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.execute("UPDATE feed_head SET last_sequence = ? WHERE id = 1", (entries,))
    connection.commit()
    connection.close()
    (data_dir / "ready").write_text("ok", encoding="utf-8")
    return data_dir


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _build_child(data_dir: str, folder: str, answer: Any) -> None:
    from sqlalchemy.orm import Session

    from central.core.db import make_engine
    from central.issuance.feed_files import build_snapshot
    from central.kiosks.bundle import Publisher

    settings = _settings(Path(data_dir))
    publisher = Publisher.of(settings.resolved_keys_dir)
    engine = make_engine(settings.resolved_database_url)
    started = time.perf_counter()
    with Session(engine) as session:
        built = build_snapshot(
            session, Path(folder), datetime.now(UTC), key=publisher.key, publisher=publisher.issuer
        )
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    answer.send((elapsed, peak_mb, built.path.stat().st_size))


def _serve_child(data_dir: str, port: int) -> None:
    import uvicorn

    from central.app import create_app
    from central.core import deps

    settings = _settings(Path(data_dir))
    app = create_app(settings)

    class _Kiosk:
        checkpoint_id = "bench"

    app.dependency_overrides[deps._signed_kiosk] = lambda: _Kiosk()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _download(url: str, sizes: list[int], errors: list[str]) -> None:
    import httpx

    try:
        with httpx.stream("GET", url, timeout=600) as answer:
            size = 0
            for chunk in answer.iter_raw():
                size += len(chunk)
            sizes.append(size if answer.status_code == 200 else -answer.status_code)
    except httpx.HTTPError as error:
        errors.append(type(error).__name__)


def serve(data_dir: Path, kiosks: int, file_size: int) -> float:
    import httpx

    from sync.distribution import BLOCKS_PARAMETER, COLUMN_BLOCKS, FEED_SNAPSHOT_FILE_PATH

    context = multiprocessing.get_context("spawn")
    port = _free_port()
    server = context.Process(target=_serve_child, args=(str(data_dir), port), daemon=True)
    server.start()
    # as a kiosk asks it (column blocks: the file central builds)
    url = f"http://127.0.0.1:{port}{FEED_SNAPSHOT_FILE_PATH}?{BLOCKS_PARAMETER}={COLUMN_BLOCKS}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        sizes: list[int] = []
        errors: list[str] = []
        _download(url, sizes, errors)  # warm: imports, first query, the file found
        if errors or sizes != [file_size]:
            raise RuntimeError(f"warm-up download failed: {sizes} {errors}")
        assert server.pid is not None
        warm = _rss_mb(server.pid)
        sizes.clear()
        threads = [
            threading.Thread(target=_download, args=(url, sizes, errors)) for _ in range(kiosks)
        ]
        peak = warm
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            peak = max(peak, _rss_mb(server.pid))
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.join(10)
    complete = sum(1 for size in sizes if size == file_size)
    say(f"serve: {complete}/{kiosks} kiosks got the whole file ({file_size / 1e6:.1f} MB) in "
        f"{elapsed:.1f} s; errors {len(errors)}; central RSS {warm:.0f} MB warm, "
        f"{peak:.0f} MB peak")  # fmt: skip
    if complete != kiosks:
        raise RuntimeError(f"only {complete} of {kiosks} downloads were whole: {errors[:5]}")
    return peak - warm


@survives_closed_stdout
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5_000_000)
    parser.add_argument("--kiosks", type=int, default=100)
    args = parser.parse_args()
    started = time.perf_counter()
    data_dir = prepare_fixture(args.entries)
    say(f"fixture: {args.entries:,} entries ready in {time.perf_counter() - started:.1f} s")

    folder = _settings(data_dir).resolved_feed_files_dir
    for old in folder.glob("*"):
        if old.is_file():
            old.unlink()
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    builder = context.Process(target=_build_child, args=(str(data_dir), str(folder), send))
    builder.start()
    build_s, peak_mb, file_size = receive.recv()
    builder.join()
    say(f"build: {args.entries:,} entries into a {file_size / 1e6:.1f} MB signed file in "
        f"{build_s:.1f} s; the building process's peak RSS {peak_mb:.0f} MB")  # fmt: skip
    growth = serve(data_dir, args.kiosks, file_size)

    if args.entries != 5_000_000:
        say(f"note: {args.entries:,} entries measured; the goals are for the default 5,000,000")
    say(goal("feed_snapshot_build_5m", build_s, "s", "<=", 30))
    say(goal("feed_snapshot_build_peak_rss", peak_mb, "MB", "<=", 300, ".0f"))
    say(goal("feed_snapshot_serve_rss_growth", growth, "MB", "<=", 50, ".1f"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
