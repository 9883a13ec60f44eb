"""The documented deployment on loopback: nginx in front of two `central serve` processes on
one PostgreSQL database, a fleet of enrolled kiosks syncing and uploading through it, and one
central process killed mid-run (SIGKILL, as a crash): the other carries the fleet on and no
record is lost or stored twice."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from central.deployment import nginx_site
from healthcode.feed_file import BlockEncoding, open_snapshot_file
from healthcode.keydir import load_public
from healthcode.trust import open_signed_trust_list
from kiosk.client.identity import ROOT_PUBLIC_FILE, TRUST_LIST_FILE, KioskIdentity
from sync.distribution import BLOCKS_PARAMETER, COLUMN_BLOCKS, FEED_SNAPSHOT_FILE_PATH
from tests.central.conftest import _postgres_database
from tests.deployment import LoopbackDeployment, nginx_available
from tests.fleet import Fleet, Schedule, enrol_fleet, provision

KIOSKS = 12
SCHEDULE = Schedule(duration_s=12.0, round_s=3.0, upload_every_s=2.0, batch_records=20)
KILL_AT_S = 4.0


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from _postgres_database(secrets.token_hex(6))


@pytest.fixture
def deployment(tmp_path: Path, postgres_url: str) -> Iterator[LoopbackDeployment]:
    if not nginx_available():
        pytest.skip("nginx is not installed (build/setup.sh installs Debian's)")
    lifted = {"CENTRAL_ENROLLMENT_ATTEMPTS_PER_MINUTE": "1000"}
    with LoopbackDeployment(tmp_path, postgres_url, 2, lifted) as running:
        yield running


def test_the_site_file_names_every_central_process_and_passes_the_host_kiosks_sign() -> None:
    site = nginx_site(listen="443 ssl", upstreams=["127.0.0.1:8101", "127.0.0.1:8102"])
    assert "server 127.0.0.1:8101 max_fails=1" in site
    assert "server 127.0.0.1:8102 max_fails=1" in site
    assert "listen 443 ssl;" in site
    assert "proxy_set_header Host $http_host;" in site
    nginx_variables = re.compile(
        r"\$(http_host|proxy_add_x_forwarded_for|scheme|upstream_http_feed_head|remote_addr"
        r"|time_local|request|status|body_bytes_sent|request_time|upstream_response_time)\b"
    )
    assert "$" not in nginx_variables.sub("", site)  # every placeholder filled
    assert "access_log off;" in site
    logged = nginx_site(listen="80", upstreams=["127.0.0.1:8101"], access_log="/var/log/c.log")
    assert "access_log /var/log/c.log central_timing;" in logged
    assert "location /internal/feed-files/ {" in site and "internal;" in site
    with pytest.raises(ValueError, match="at least one"):
        nginx_site(listen="80", upstreams=[])


def test_a_fleet_through_nginx_loses_nothing_when_one_central_process_is_killed(
    deployment: LoopbackDeployment, postgres_url: str, tmp_path: Path
) -> None:
    codes = provision(postgres_url, KIOSKS, datetime.now(UTC))
    identities = enrol_fleet(deployment.url, codes, tmp_path / "kiosks")
    assert len({identity.kiosk_id for identity in identities}) == KIOSKS

    fleet = Fleet(deployment.url, identities, SCHEDULE)
    killed: list[float] = []

    def kill_one_process_mid_run(elapsed_s: float) -> None:
        if elapsed_s >= KILL_AT_S and not killed:
            deployment.kill_central(0)
            killed.append(elapsed_s)

    report = fleet.run(kill_one_process_mid_run, simulators=2)
    assert killed, "the run ended before a process was killed"
    assert deployment.centrals[0].poll() is not None and deployment.centrals[1].poll() is None

    routes = report.routes
    print(f"{report.requests} requests, {len(report.records_sent)} records")  # the run's size
    # issue 28: a round is one sync request, then only what changed (a new kiosk's snapshot,
    # taken as the real kiosk takes it: the streamed file, not the one-batch route)
    assert {"sync", "feed-snapshot-file", "upload"} <= set(routes)
    assert "feed-snapshot" not in routes
    assert all(figures.failures == 0 for figures in routes.values()), {
        route: figures.failures for route, figures in routes.items()
    }
    assert report.records_sent and report.records_acknowledged == report.records_sent
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT COUNT(*), COUNT(DISTINCT id) FROM received_passages")
            ).one()
            kiosks_seen = connection.execute(
                text("SELECT COUNT(*) FROM kiosks WHERE last_seen_at IS NOT NULL")
            ).scalar_one()
    finally:
        engine.dispose()
    assert tuple(stored) == (len(report.records_sent), len(report.records_sent))
    assert kiosks_seen == KIOSKS
    # every kiosk now holds the feed (a snapshot file of FEED_ENTRIES, then its head): a poll
    # is answered "nothing new" without a body, by the surviving process
    before = fleet.report.routes["feed"].statuses.copy()
    fleet.each("feed")
    assert fleet.report.routes["feed"].statuses - before == {304: KIOSKS}
    _the_snapshot_file_comes_from_nginx_with_ranges(
        deployment, identities[0], tmp_path / "kiosks" / "kiosk-0"
    )


def _the_snapshot_file_comes_from_nginx_with_ranges(
    deployment: LoopbackDeployment, identity: KioskIdentity, kiosk_dir: Path
) -> None:
    """Issue 28: the app checks the signed request and hands the file to nginx, which sends it
    whole, in a range (206), and not at all to a kiosk holding it (central's 304)."""
    path, columns = FEED_SNAPSHOT_FILE_PATH, {BLOCKS_PARAMETER: COLUMN_BLOCKS}
    with httpx.Client(base_url=deployment.url, auth=identity.auth(), timeout=60) as client:
        whole = client.get(path, params=columns)
        assert whole.status_code == 200 and "x-accel-redirect" not in whole.headers
        tag = whole.headers["etag"]
        tail = client.get(path, params=columns, headers={"range": "bytes=10-", "if-range": tag})
        held = client.get(path, params=columns, headers={"if-none-match": tag})
        older = client.get(path)  # a kiosk from before column blocks: their copy in rows
    assert tail.status_code == 206 and tail.content == whole.content[10:]
    assert held.status_code == 304
    assert older.status_code == 200 and older.headers["etag"] != tag
    trust, _root = open_signed_trust_list(
        (kiosk_dir / TRUST_LIST_FILE).read_bytes(), [load_public(kiosk_dir / ROOT_PUBLIC_FILE)]
    )
    read = {}
    for blocks, answer in ((BlockEncoding.COLUMNS, whole), (BlockEncoding.ROWS, older)):
        saved = kiosk_dir / f"through-nginx-{blocks}.snap"
        saved.write_bytes(answer.content)
        with open_snapshot_file(saved, trust) as reader:
            assert reader.header.blocks is blocks
            read[blocks] = list(reader.entries())
            assert len(read[blocks]) == reader.header.entry_count
    assert read[BlockEncoding.COLUMNS] == read[BlockEncoding.ROWS]


def test_the_command_prints_the_site_file_for_a_real_host(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from central.cli import main

    assert main(["deployment", "nginx-config", "--listen", "443 ssl",
                 "--upstream", "10.0.0.5:8101", "--upstream", "10.0.0.6:8101"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "server 10.0.0.5:8101" in printed and "server 10.0.0.6:8101" in printed
    assert "listen 443 ssl;" in printed
