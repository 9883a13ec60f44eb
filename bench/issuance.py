"""Issuance figures: declarations to signed codes per second through HTTP, against bare signing in
the same run; the time to recompute colours after an area turns high risk, for a million people,
on SQLite and on PostgreSQL.

    python bench/issuance.py [--people 1000000] [--http-seconds 8]
    python bench/issuance.py --only recompute --database postgresql [--profile] [--workers 2]
    python bench/issuance.py --only national [--quick] [--database sqlite]

`--only national` (issue 26): a signed national list of 5,000 risk areas applied to a million
Shaanxi residents who travelled from 10,200 counties elsewhere (half of them from a listed one);
goal <= 60 s on each database. `--quick` sizes it for development: 100,000 people.

`--workers 2` with the recompute (issue 28): after the 1-worker figure (the reference), the same
recompute on a fresh copy in 2 worker processes sharing the job's partitions through their
leases; goal `recompute_postgresql_2_workers` <= 30 s for 1,000,000 people (scaled to
`--people`).

The people fixture is built once and cached in bench/.cache (an SQLite file and a CSV that
PostgreSQL loads with COPY); each run recomputes a copy. PostgreSQL comes from
CENTRAL_TEST_POSTGRES_URL (build/postgres.sh); without it the goal is printed as missed.

This file is the runner (options, figures, goal lines); the load generators are in
`_issuance_load.py` and the fixture and the recompute in `_issuance_fixture.py`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _issuance_fixture import recompute_postgres, recompute_sqlite, sqlite_fixture  # noqa: E402
from _issuance_load import BATCH_PEOPLE, http_rate  # noqa: E402
from _national_fixture import LISTED, national_postgres, national_sqlite  # noqa: E402

from healthcode.console import say, survives_closed_stdout  # noqa: E402


def goal(name: str, value: float, unit: str, target: str, met: bool, why: str = "") -> None:
    suffix = f" ({why})" if why else ""
    say(f"goal {name}: {value:.0f}{unit} (target {target}) {'met' if met else 'missed'}{suffix}")


@survives_closed_stdout
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--http-seconds", type=float, default=8.0)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="central serve processes (SQLite has one writer: one process batches best); "
        "with the recompute on PostgreSQL, also a run in this many worker processes",
    )
    parser.add_argument("--skip-recompute", action="store_true")
    parser.add_argument(
        "--only",
        choices=["http", "recompute", "national"],
        help="measure only this part (default: http and recompute; national only when named)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="100,000 people (development), not --people"
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql", "both"],
        default="both",
        help="where to recompute (default: both)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where the recompute's time goes (cProfile)"
    )
    args = parser.parse_args()
    if args.only == "national":
        national_figures(100_000 if args.quick else args.people, args.database)
        return
    if args.only != "recompute":
        http_figures(args.http_seconds, args.workers)
    if args.skip_recompute or args.only == "http":
        return
    recompute_figures(args.people, args.database, args.profile, args.workers)


def http_figures(http_seconds: float, workers: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        http = http_rate(Path(work), http_seconds, workers=workers)
    bare = http.bare_rate
    say(f"bare signing: {bare:.0f} codes/s (this process, same run)")
    single, batch = http.single, http.batch
    say(
        f"through HTTP, {http.workers} server processes, load average {os.getloadavg()[0]:.1f}: "
        f"self-declarations one per request {single.rate:.0f} codes/s "
        f"({single.rate / bare:.3f} of bare signing; CPU per code: server "
        f"{single.server_ms_per_code:.2f} ms, load generator {single.client_ms_per_code:.2f} ms); "
        f"proxy declarations {BATCH_PEOPLE} per request {batch.rate:.0f} codes/s "
        f"({batch.rate / bare:.3f} of bare signing; CPU per code: server "
        f"{batch.server_ms_per_code:.2f} ms, load generator {batch.client_ms_per_code:.2f} ms)"
    )
    goal(
        "issuance_http_rate",
        batch.rate,
        " codes/s",
        ">= 1000",
        batch.rate >= 1000,
        f"proxy declarations, {BATCH_PEOPLE} per request",
    )
    goal(
        "issuance_http_single_rate",
        single.rate,
        " codes/s",
        ">= 1000",
        single.rate >= 1000,
        "self-declarations with an SMS code, one per request, 1 server process on SQLite",
    )


def recompute_figures(people: int, database: str, profile: bool, workers: int = 1) -> None:
    built = time.perf_counter()
    sqlite_fixture(people)
    say(f"fixture: {people} people ready in {time.perf_counter() - built:.1f} s")
    if database in ("sqlite", "both"):
        seconds, changed = recompute_sqlite(people, profile)
        say(
            f"recompute sqlite: {changed} colours changed in {seconds:.1f} s "
            f"(load average {os.getloadavg()[0]:.1f})"
        )
        say(
            f"goal recompute_sqlite: {seconds:.1f} s (target <= 60) "
            f"{'met' if seconds <= 60 else 'missed'}"
        )
    if database == "sqlite":
        return

    base = os.environ.get("CENTRAL_TEST_POSTGRES_URL")
    if not base:
        say(
            "goal recompute_postgres: 0 s (target <= 60) missed (no PostgreSQL: "
            "set CENTRAL_TEST_POSTGRES_URL, e.g. source build/postgres.sh)"
        )
        return
    try:
        seconds, changed = recompute_postgres(people, base, profile)
    except Exception as error:  # the server went away mid-run: say so on the goal line
        say(f"goal recompute_postgres: 0 s (target <= 60) missed ({type(error).__name__})")
        return
    say(
        f"recompute postgres, 1 worker: {changed} colours changed in {seconds:.1f} s "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    say(
        f"goal recompute_postgres: {seconds:.1f} s (target <= 60) "
        f"{'met' if seconds <= 60 else 'missed'}"
    )
    if workers > 1:
        parallel_figures(people, base, workers, seconds)


def parallel_figures(people: int, base: str, workers: int, alone: float) -> None:
    """The same recompute in `workers` processes sharing its partitions (issue 28); the goal is
    for 1,000,000 people in 2 processes."""
    name = f"recompute_postgresql_{workers}_workers"
    target = 30.0 * people / 1_000_000
    try:
        seconds, changed = recompute_postgres(people, base, workers=workers)
    except Exception as error:
        say(f"goal {name}: 0 s (target <= {target:g}) missed ({type(error).__name__})")
        return
    say(
        f"recompute postgres, {workers} worker processes: {changed} colours changed in "
        f"{seconds:.1f} s, x{alone / seconds:.2f} of 1 worker's {alone:.1f} s "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    say(
        f"goal {name}: {seconds:.1f} s (target <= {target:g}) "
        f"{'met' if seconds <= target else 'missed'}"
    )


def national_figures(people: int, database: str) -> None:
    runs = []
    if database in ("sqlite", "both"):
        runs.append(("sqlite", lambda: national_sqlite(people)))
    base = os.environ.get("CENTRAL_TEST_POSTGRES_URL")
    if database in ("postgresql", "both"):
        if base:
            runs.append(("postgres", lambda: national_postgres(people, base)))
        else:
            say(
                "goal national_list_postgres: 0 s (target <= 60) missed (no PostgreSQL: "
                "set CENTRAL_TEST_POSTGRES_URL, e.g. source build/postgres.sh)"
            )
    for name, run in runs:
        seconds, changed, cpu, build_s = run()
        say(
            f"national list on {name}: {LISTED} areas applied to {people} people "
            f"({changed} colours changed) in {seconds:.1f} s, {cpu:.1f} s CPU in this process "
            f"(fixture built in {build_s:.1f} s; load average {os.getloadavg()[0]:.1f}, "
            f"{os.cpu_count()} CPUs)"
        )
        target = "<= 60" if people >= 1_000_000 else f"<= 60 at 1,000,000; quick run of {people}"
        goal(f"national_list_{name}", seconds, " s", target, seconds <= 60)


if __name__ == "__main__":
    main()
