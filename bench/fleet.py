"""A fleet of kiosks through the documented deployment: nginx (Debian's) in front of central
processes on PostgreSQL, all on loopback (tests/deployment.py), each kiosk enrolled with its own
keys and signing every request as a real kiosk does (tests/fleet.py).

Phases: enrolment; one sync round each (a new kiosk takes the feed snapshot); a no-change phase
of feed polls only (a kiosk at the head: `304`) and one of uploads only, each timed by the CPU
the central processes spent (/proc) over the requests they served; then the schedule for
`--duration` seconds: a sync round (one `GET /kiosk/sync`, then only the copies that changed;
heartbeat, trust list, feed, policy, roster from a central without it) every `--round` seconds
per kiosk and uploads of 50 passages, three times as often in the first third (a shift
change), with one central process killed at half time unless `--no-kill`. The schedule's
kiosks are dealt among `--simulators` processes (tests/fleet.py), so that the simulated fleet
does not queue its own requests; each request is timed from when it was due, and the lag of
the simulators behind the schedule and their CPU are printed. Prints per-route p50/p99, errors,
CPU per request, each process's RSS, the capacity those figures imply, and the issue's goals.

    bash build/postgres.sh .venv/bin/python bench/fleet.py [--kiosks 2000] [--duration 180]

Needs CENTRAL_TEST_POSTGRES_URL (build/postgres.sh sets it) and nginx (build/setup.sh).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _postgres import fresh_database  # noqa: E402
from _server_time import goal, percentile  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from healthcode.console import say, survives_closed_stdout  # noqa: E402
from tests.deployment import LoopbackDeployment, nginx_available  # noqa: E402
from tests.fleet import FEED_ENTRIES, Fleet, Schedule, enrol_fleet, provision  # noqa: E402

POLL_ROUTES = ("sync", "feed", "trust-list", "roster")


# The log format `central_timing` (deploy/nginx/central.conf.template): the request line in
# quotes, then status, bytes, nginx's time and central's, in seconds.
_TIMED = re.compile(r'"(?P<method>[A-Z]+) (?P<path>[^ ?"]+)[^"]*" \d+ \d+ (?P<seconds>[\d.]+) ')


def server_latencies(log: Path, offset: int) -> dict[str, list[float]]:
    """Milliseconds per request as nginx timed them, by the last part of the path, from the
    log's lines after `offset` bytes."""
    found: dict[str, list[float]] = {}
    if not log.exists():
        return found
    with log.open("rb") as lines:
        lines.seek(offset)
        for raw in lines:
            match = _TIMED.search(raw.decode("latin-1"))
            if match is not None:
                name = match["path"].rstrip("/").rsplit("/", 1)[-1]
                found.setdefault(name, []).append(float(match["seconds"]) * 1000)
    return found


def central_cpu(deployment: LoopbackDeployment) -> float:
    return sum(deployment.cpu_seconds().values())


@survives_closed_stdout
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--duration", type=float, default=180.0)
    parser.add_argument("--round", type=float, default=60.0, help="seconds between sync rounds")
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument(
        "--feed", type=int, default=FEED_ENTRIES, help="status feed entries central starts with"
    )
    parser.add_argument(
        "--simulators",
        type=int,
        default=max(2, os.cpu_count() or 1),
        help="processes the schedule's kiosks are dealt among (each its own event loop)",
    )
    args = parser.parse_args(argv)
    base = os.environ.get("CENTRAL_TEST_POSTGRES_URL")
    if not base or not nginx_available():
        say("fleet: needs CENTRAL_TEST_POSTGRES_URL (bash build/postgres.sh ...) and nginx")
        return 2
    database = fresh_database(base, "fleet")
    folder = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    load_before = os.getloadavg()
    # A whole fleet enrols from one address here; in the field each kiosk is its own client.
    lifted = {"CENTRAL_ENROLLMENT_ATTEMPTS_PER_MINUTE": str(10 * args.kiosks)}
    with LoopbackDeployment(folder, database, args.processes, lifted) as deployment:
        started = time.perf_counter()
        codes = provision(database, args.kiosks, datetime.now(UTC), feed_entries=args.feed)
        identities = enrol_fleet(deployment.url, codes, folder / "kiosks")
        enrolled_s = time.perf_counter() - started
        say(
            f"{len(identities):,} kiosks enrolled through nginx in {enrolled_s:.0f} s"
            f" ({args.processes} central processes, PostgreSQL, {os.cpu_count()} cores)"
        )

        fleet = Fleet(
            deployment.url, identities, Schedule(duration_s=args.duration, round_s=args.round)
        )
        took = fleet.each("round")
        say(f"first sync round of every kiosk (feed snapshot included): {took:.1f} s")

        feed_figures = fleet.report.routes["feed"]
        cpu0, served0 = central_cpu(deployment), len(feed_figures.latencies_ms)
        answered0 = feed_figures.statuses.copy()
        took = fleet.each("feed", times=3)
        polls = len(feed_figures.latencies_ms) - served0
        cpu_per_poll_ms = (central_cpu(deployment) - cpu0) / max(polls, 1) * 1000
        answers = ", ".join(
            f"{count:,} x {status}"
            for status, count in sorted((feed_figures.statuses - answered0).items())
        )
        say(f"no-change feed polls: {polls:,} in {took:.1f} s = {polls / took:,.0f}/s ({answers});"
            f" central CPU {cpu_per_poll_ms:.2f} ms per poll")  # fmt: skip

        cpu0, uploads0 = central_cpu(deployment), len(fleet.report.routes["upload"].latencies_ms)
        took = fleet.each("upload", times=1)
        uploads = len(fleet.report.routes["upload"].latencies_ms) - uploads0
        cpu_per_upload_ms = (central_cpu(deployment) - cpu0) / max(uploads, 1) * 1000
        say(
            f"uploads of 50 records: {uploads:,} in {took:.1f} s"
            f" = {uploads * 50 / took:,.0f} records/s;"
            f" central CPU {cpu_per_upload_ms:.2f} ms per upload"
        )

        scheduled = Fleet(  # a seed of its own: new record ids, not the warm-up's again
            deployment.url,
            identities,
            Schedule(duration_s=args.duration, round_s=args.round),
            seed=2,
        )
        for kiosk, warmed in zip(scheduled.kiosks, fleet.kiosks, strict=True):
            kiosk.feed_after, kiosk.trust_sequence = warmed.feed_after, warmed.trust_sequence
            kiosk.policy_version, kiosk.roster_version = (
                warmed.policy_version,
                warmed.roster_version,
            )
            kiosk.seq = warmed.seq
        rss: dict[str, int] = {}

        def during(elapsed: float) -> None:
            for name, kib in deployment.rss_kib().items():
                rss[name] = max(rss.get(name, 0), kib)
            if (
                not args.no_kill
                and elapsed >= args.duration / 2
                and deployment.centrals[0].poll() is None
            ):
                deployment.kill_central(0)
                say(f"killed central process 0 at {elapsed:.0f} s")

        logged = deployment.access_log.stat().st_size if deployment.access_log.exists() else 0
        report = scheduled.run(during, simulators=args.simulators)
        at_server = server_latencies(deployment.access_log, logged)
        with create_engine(database).connect() as connection:
            stored = connection.execute(text("SELECT COUNT(*) FROM received_passages")).scalar_one()
    sent = len(fleet.report.records_sent | report.records_sent)
    acknowledged = len(fleet.report.records_acknowledged | report.records_acknowledged)

    say(
        f"\nschedule: {args.duration:.0f} s, {report.requests:,} requests"
        f" = {report.requests / report.elapsed_s:,.0f}/s, {args.simulators} simulator processes"
        f" ({report.simulator_cpu_s:.0f} s of their CPU;"
        f" {report.elapsed_s:.0f} s to the last answer)"
    )
    lag = report.lag_ms or [0.0]
    say(
        f"simulators behind the schedule (due to sent, per action): p50 {percentile(lag, 0.5):.1f}"
        f" ms, p99 {percentile(lag, 0.99):.1f} ms, max {max(lag):.1f} ms"
        " (latencies below are timed from when the request was due, this included)"
    )
    say(f"{'route':<14}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}{'retried':>9}{'failed':>8}")
    errors = 0
    for route, figures in sorted(report.routes.items()):
        errors += figures.failures
        say(
            f"{route:<14}{len(figures.latencies_ms):>10,}{figures.median:>10.1f}"
            f"{figures.percentile(0.99):>10.1f}{figures.retried:>9}{figures.failures:>8}"
        )
    say(f"records: {sent:,} sent, {acknowledged:,} acknowledged, {stored:,} stored at central")
    # The same requests as nginx timed them (its access log): the server's latency, apart from
    # the simulated fleet's own wait for the CPU it shares with central on this machine.
    say(f"{'at nginx':<14}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for path, times in sorted(at_server.items()):
        say(f"{path:<14}{len(times):>10,}{percentile(times, 0.5):>10.1f}"
            f"{percentile(times, 0.99):>10.1f}")  # fmt: skip
    say(
        "peak RSS: " + ", ".join(f"{name} {kib / 1024:.0f} MB" for name, kib in sorted(rss.items()))
    )
    # An idle round is one sync request (issue 28), plus a signed feed refresh every 10 min.
    per_core = 1000 / max(cpu_per_poll_ms * 1.1 / 60 + cpu_per_upload_ms / 60, 1e-9)
    say(
        f"implied: one core serves ~{per_core:,.0f} kiosks"
        " (1.1 signed requests and one 50-record upload a minute each)"
    )
    load = " ".join(f"{v:.2f}" for v in (*load_before, *os.getloadavg()))
    say(f"load average (1, 5, 15 min, before and after): {load}")

    lost = sent - stored
    upload_p99 = report.routes["upload"].percentile(0.99)
    poll_p99 = max(report.routes[route].percentile(0.99) for route in POLL_ROUTES)
    say(goal("fleet_errors", errors + max(lost, 0), "errors", "<=", 0, fmt=".0f"))
    say(goal("fleet_upload_p99", upload_p99, "ms", "<=", 1000, fmt=".1f"))
    say(goal("fleet_poll_p99", poll_p99, "ms", "<=", 500, fmt=".1f"))
    say(goal("fleet_cpu_per_feed_poll", cpu_per_poll_ms, "ms", "<=", 1))
    say(goal("fleet_cpu_per_upload", cpu_per_upload_ms, "ms", "<=", 5))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
