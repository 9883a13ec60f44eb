"""Kiosk releases at central (issue 15), on SQLite and PostgreSQL: published signed with the
release key, served to signed kiosks only, downloaded, verified and installed by a kiosk; and
central refusing a database a newer central wrote."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from central.cli import UnknownRevisionError, main, refuse_unknown_revision
from central.core.db import make_engine
from central.core.settings import Settings
from central.kiosks.releases import (
    RELEASE_PUBLIC_FILE,
    RELEASES_FOLDER,
    publish_release,
    release_key,
    release_public_pem,
)
from healthcode.keys import SigningKey
from kiosk.client.enrollment import Enrollment
from kiosk.client.releases import ReleaseClient
from kiosk.client.worker import SyncWorker
from kiosk.ops.launcher import Launcher
from kiosk.ops.update import (
    EXIT_RESTART_FOR_UPDATE,
    INSTALL_ROOT_VARIABLE,
    KEYS_DIR,
    VERSION_VARIABLE,
    InstallRoot,
    Updater,
)
from sync.distribution import SYNC_PATH
from sync.releases import (
    ARCHIVE_SHA256_HEADER,
    LATEST_PATH,
    archive_path,
    current_platform,
    verify_manifest,
)
from tests.central.conftest import SERVER, Central
from tests.central.kiosks import enrolled_kiosk
from tests.kiosk.test_update import build_archive
from tests.sync.download_world import KioskWorld, kiosk_world


def _publish(central: Central, tmp_path: Path, version: str, **options: object) -> Path:
    archive = build_archive(tmp_path / "build" / version, version, **options)  # type: ignore[arg-type]
    with central.app.state.sessions() as session:
        publish_release(
            session,
            archive,
            version=version,
            platform=current_platform(),
            notes=f"版本 {version}",
            keys_dir=central.settings.resolved_keys_dir,
            releases_dir=central.settings.data_dir / RELEASES_FOLDER,
            now=central.clock(),
        )
        session.commit()
    return archive


def _signed_client(central: Central, enrollment: Enrollment) -> httpx.Client:
    return httpx.Client(
        transport=central.client._transport,
        auth=enrollment.identity.auth(clock=central.clock),
        base_url=SERVER,
    )


def _install_root(central: Central, tmp_path: Path) -> InstallRoot:
    """A kiosk's install root trusting central's release key, as the technician installs it."""
    root = InstallRoot(tmp_path / "install")
    (root.path / KEYS_DIR).mkdir(parents=True)
    release_key(central.settings.resolved_keys_dir)
    public = (central.settings.resolved_keys_dir / RELEASE_PUBLIC_FILE).read_bytes()
    (root.path / KEYS_DIR / "central.pem").write_bytes(public)
    return root


def test_central_serves_the_newest_signed_manifest_to_a_signed_kiosk_only(
    central: Central, tmp_path: Path
) -> None:
    enrollment = enrolled_kiosk(central, tmp_path / "kiosk")
    root = _install_root(central, tmp_path)
    for version in ("1.9.0", "1.10.0"):
        _publish(central, tmp_path, version)
    params = {"platform": current_platform()}
    unsigned = central.client.get(LATEST_PATH, params=params)
    assert unsigned.status_code == 401
    assert unsigned.json()["error"] == "signature_missing"
    with _signed_client(central, enrollment) as client:
        answer = client.get(LATEST_PATH, params=params)
        assert answer.status_code == 200
        manifest = verify_manifest(answer.content, root.trusted_keys())
        assert (manifest.version, manifest.notes) == ("1.10.0", "版本 1.10.0")  # PEP 440 order
        archive = client.get(archive_path("1.10.0"), params=params)
        assert archive.status_code == 200
        assert archive.headers[ARCHIVE_SHA256_HEADER] == manifest.archive_sha256
        assert hashlib.sha256(archive.content).hexdigest() == manifest.archive_sha256
        none = client.get(LATEST_PATH, params={"platform": "plan9-mips"})
        assert none.status_code == 404
    assert central.client.get(archive_path("1.10.0"), params=params).status_code == 401


def test_a_version_not_newer_than_the_last_published_is_refused(
    central: Central, tmp_path: Path
) -> None:
    _publish(central, tmp_path, "2.0.0")
    with pytest.raises(Exception, match=r"already has release 2\.0\.0"):
        _publish(central, tmp_path, "1.5.0")


def test_a_kiosk_downloads_verifies_and_installs_the_new_release_from_central(
    central: Central, tmp_path: Path
) -> None:
    enrollment = enrolled_kiosk(central, tmp_path / "kiosk")
    root = _install_root(central, tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    _publish(central, tmp_path, "1.0.0")
    with _signed_client(central, enrollment) as client:
        releases = ReleaseClient(client, SERVER)
        assert Updater(root, releases, installed="0.9.0").check().staged == "1.0.0"
        assert Launcher(root, ["--data-dir", str(data)], out=lambda _l: None).prepare() == "1.0.0"
        _publish(central, tmp_path, "1.1.0")
        staged: list[str] = []
        updater = Updater(root, releases, installed="1.0.0", on_staged=staged.append)
        result = updater.check()
        assert (result.staged, result.refusal, staged) == ("1.1.0", None, ["1.1.0"])
    assert Launcher(root, ["--data-dir", str(data)], out=lambda _l: None).run() == 0
    assert (data / "ran.txt").read_text().split() == ["1.1.0"]
    assert (root.state().current, root.state().previous) == ("1.1.0", "1.0.0")
    assert not any((root.path / "downloads").iterdir())


def test_a_kiosk_refuses_a_release_signed_by_a_key_it_does_not_trust(
    central: Central, tmp_path: Path
) -> None:
    enrollment = enrolled_kiosk(central, tmp_path / "kiosk")
    root = _install_root(central, tmp_path)
    (root.path / KEYS_DIR / "central.pem").unlink()
    other = SigningKey.generate()  # e.g. a code issuer's key: never trusted for software
    (root.path / KEYS_DIR / "other.pem").write_bytes(release_public_pem(other))
    _publish(central, tmp_path, "1.1.0")
    with _signed_client(central, enrollment) as client:
        result = Updater(root, ReleaseClient(client, SERVER), installed="1.0.0").check()
    assert result.refusal is not None and result.refusal.reason == "unknown_key"
    assert result.staged is None
    assert not root.versions.exists()


def test_central_refuses_a_database_written_by_a_newer_central(settings: Settings) -> None:
    from central.core.bootstrap import prepare
    from tests.central.conftest import START

    prepare(settings, START)
    engine = make_engine(settings.resolved_database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()
    with pytest.raises(UnknownRevisionError, match="0099_from_the_future"):
        refuse_unknown_revision(settings)


def test_central_serve_on_a_newer_database_refuses_and_leaves_it_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CENTRAL_DATABASE_URL", raising=False)
    folder = tmp_path / "central"
    assert main(["--data-dir", str(folder), "releases", "list"]) == 0  # migrates the database
    database = folder / "central.db"
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    capsys.readouterr()
    assert main(["--data-dir", str(folder), "serve", "--port", "1"]) == 3
    err = capsys.readouterr().err
    assert "0099_from_the_future" in err and "newer central" in err
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


def test_central_releases_publish_signs_with_the_release_key_and_lists_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CENTRAL_DATABASE_URL", raising=False)
    folder = tmp_path / "central"
    archive = build_archive(tmp_path / "build", "3.1.0")
    command = ["--data-dir", str(folder), "releases", "publish", str(archive)]
    manifest = tmp_path / "release.json"
    published = [*command, "--version", "3.1.0", "--notes", "夜间模式", "--manifest-out"]
    assert main([*published, str(manifest)]) == 0
    keys = folder / "keys"
    assert (keys / "release.key").stat().st_mode & 0o077 == 0
    assert (keys / RELEASE_PUBLIC_FILE).is_file()
    kiosk = InstallRoot(tmp_path / "install")
    (kiosk.path / KEYS_DIR).mkdir(parents=True)
    (kiosk.path / KEYS_DIR / "central.pem").write_bytes((keys / RELEASE_PUBLIC_FILE).read_bytes())
    assert kiosk.stage(manifest.read_bytes(), archive, "3.0.0") == "3.1.0"  # the offline way
    capsys.readouterr()
    assert main([*command, "--version", "3.0.0"]) == 1
    assert "already has release 3.1.0" in capsys.readouterr().err
    assert main(["--data-dir", str(folder), "releases", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 1 and '"version": "3.1.0"' in listed[0] and "夜间模式" in listed[0]


def test_a_running_kiosk_checks_on_the_sync_thread_and_restarts_for_the_update_once_idle(
    central: Central, tmp_path: Path, qtbot: QtBot
) -> None:
    from kiosk.ui.update_timer import watch_for_updates
    from tests.gui.kiosk_support import build_kiosk

    world = kiosk_world(central, tmp_path / "kiosk")
    worker = SyncWorker(world.downloader)
    root = _install_root(central, tmp_path)
    _publish(central, tmp_path, "1.1.0")
    kiosk, _world, _thermometer = build_kiosk(tmp_path / "gui", camera=False, thermometer=False)
    try:
        restarts: list[int] = []
        launched_as = {INSTALL_ROOT_VARIABLE: str(root.path), VERSION_VARIABLE: "1.0.0"}
        idle_check = watch_for_updates(
            kiosk, worker, launched_as, restart=restarts.append, poll_ms=20
        )
        assert idle_check is not None
        assert watch_for_updates(kiosk, worker, {}) is None  # not started by the launcher
        kiosk.window.show_screen("signin")  # someone is using the kiosk
        worker.run_once()  # the sync round, then the update check
        assert worker.status().update_staged == "1.1.0"
        assert root.state().staged == "1.1.0"
        idle_check()
        assert restarts == []
        kiosk.window.show_screen("scan")
        qtbot.waitUntil(lambda: restarts == [EXIT_RESTART_FOR_UPDATE], timeout=5000)
    finally:
        kiosk.stop()


def _updating_kiosk(central: Central, tmp_path: Path) -> tuple[KioskWorld, SyncWorker]:
    """A kiosk's sync thread with the update check the launcher's kiosk has (version 1.0.0)."""
    world = kiosk_world(central, tmp_path / "kiosk")
    worker = SyncWorker(world.downloader)
    releases = ReleaseClient(world.downloader.client, SERVER)
    worker.update_check = Updater(_install_root(central, tmp_path), releases, installed="1.0.0")
    return world, worker


def _round_paths(world: KioskWorld, worker: SyncWorker) -> list[str]:
    world.wiretap.paths.clear()
    world.central.clock.advance(seconds=60)
    worker.run_once()
    return list(world.wiretap.paths)


def test_an_idle_kiosk_asks_for_releases_only_when_the_sync_answer_names_a_new_one(
    central: Central, tmp_path: Path
) -> None:
    world, worker = _updating_kiosk(central, tmp_path)
    _round_paths(world, worker)  # the first round fetches the copies
    assert _round_paths(world, worker) == [SYNC_PATH]  # nothing published: no release asked for
    _publish(central, tmp_path, "1.1.0")
    assert _round_paths(world, worker) == [SYNC_PATH, LATEST_PATH, archive_path("1.1.0")]
    assert worker.status().update_staged == "1.1.0"
    assert _round_paths(world, worker) == [
        SYNC_PATH
    ]  # staged: the same offer is not asked for again
    assert worker.status().update_staged == "1.1.0"
    _publish(central, tmp_path, "1.2.0")
    assert _round_paths(world, worker)[:3] == [SYNC_PATH, LATEST_PATH, archive_path("1.2.0")]


def test_a_release_check_that_failed_is_tried_again_and_an_older_central_is_asked_every_round(
    central: Central, tmp_path: Path
) -> None:
    world, worker = _updating_kiosk(central, tmp_path)
    _publish(central, tmp_path, "1.1.0")

    def central_down_for_releases(
        request: httpx.Request, response: httpx.Response
    ) -> httpx.Response:
        if request.url.path == LATEST_PATH:
            return httpx.Response(503, json={"detail": "busy"})
        return response

    world.wiretap.rewrite = central_down_for_releases
    worker.run_once()
    assert worker.status().update_staged is None
    world.wiretap.rewrite = None
    world.wiretap.paths.clear()
    worker.run_once()
    assert LATEST_PATH in world.wiretap.paths and worker.status().update_staged == "1.1.0"

    def older_central(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path == SYNC_PATH:
            body = response.json()
            del body["release_version"]
            return httpx.Response(200, json=body)
        return response

    world.wiretap.rewrite = older_central
    for _ in range(2):
        world.wiretap.paths.clear()
        worker.run_once()
        assert world.wiretap.paths == [SYNC_PATH, LATEST_PATH]
