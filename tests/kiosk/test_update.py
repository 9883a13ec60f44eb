"""Signed releases, installed side by side, self-tested at first start and rolled back by the
launcher when they fail (issue 15). The archives are real tar files of a small kiosk program
that the launcher really runs as a subprocess."""

from __future__ import annotations

import base64
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from healthcode.keys import SigningKey
from kiosk.ops.launcher import EXIT_RESTART_FOR_UPDATE, Launcher
from kiosk.ops.update import KEYS_DIR, InstallRoot, check_offer
from sync.releases import (
    ReleaseError,
    ReleaseManifest,
    current_platform,
    file_sha256,
    sign_manifest,
    verify_manifest,
)

REPOSITORY = Path(__file__).resolve().parents[2]
MADE_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# The stand-in kiosk: `--self-test` passes or fails as built; otherwise it notes which version
# ran in the data folder. A failing self-test may first migrate the database forward, as a new
# kiosk version's self-test does (it opens the store).
PROGRAM = """#!{python}
import pathlib, sqlite3, sys
VERSION, PASSES, MIGRATES_TO = {version!r}, {passes!r}, {migrates_to!r}
args = sys.argv[1:]
data = pathlib.Path(args[args.index("--data-dir") + 1]) if "--data-dir" in args else None
if "--self-test" in args:
    if MIGRATES_TO and data is not None:
        connection = sqlite3.connect(data / "kiosk.db")
        connection.execute(f"PRAGMA user_version = {{MIGRATES_TO}}")
        connection.close()
    print("ok      database: schema 3" if PASSES else "FAILED  camera: no frame within 5 s")
    print("self-test ok" if PASSES else "self-test FAILED: 1 check(s) failed")
    sys.exit(0 if PASSES else 1)
if data is not None:
    with (data / "ran.txt").open("a") as ran:
        ran.write(VERSION + "\\n")
sys.exit(int(args[args.index("--exit") + 1]) if "--exit" in args else 0)
"""


def build_archive(folder: Path, version: str, *, passes: bool = True, migrates_to: int = 0) -> Path:
    program = PROGRAM.format(
        python=sys.executable, version=version, passes=passes, migrates_to=migrates_to
    ).encode()
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / f"kiosk-{version}-{current_platform()}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        member = tarfile.TarInfo("kiosk/kiosk")
        member.size, member.mode = len(program), 0o755
        tar.addfile(member, io.BytesIO(program))
    return archive


def manifest_of(archive: Path, version: str, **changes: object) -> ReleaseManifest:
    manifest = ReleaseManifest(
        version=version,
        platform=current_platform(),
        archive_name=archive.name,
        archive_sha256=file_sha256(archive),
        archive_size_bytes=archive.stat().st_size,
        created_at_utc=MADE_AT,
        min_store_schema=1,
        entry="kiosk/kiosk",
        notes="修复：夜间扫码更快",
    )
    return replace(manifest, **changes)  # type: ignore[arg-type]


@pytest.fixture
def release_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def root(tmp_path: Path, release_key: SigningKey) -> InstallRoot:
    install = InstallRoot(tmp_path / "install")
    (install.path / KEYS_DIR).mkdir(parents=True)
    pem = release_key.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (install.path / KEYS_DIR / "release-2026.pem").write_bytes(pem)
    return install


def publish(tmp_path: Path, key: SigningKey, version: str, **options: object) -> tuple[Path, bytes]:
    archive = build_archive(tmp_path / "published", version, **options)  # type: ignore[arg-type]
    return archive, sign_manifest(manifest_of(archive, version), key)


def installed(root: InstallRoot, tmp_path: Path, key: SigningKey, version: str) -> None:
    """`version` installed and past its first self-test."""
    archive, signed = publish(tmp_path, key, version)
    root.stage(signed, archive, root.state().current)
    assert Launcher(root, ["--data-dir", str(tmp_path / "data")]).prepare() == version


def ran(tmp_path: Path) -> list[str]:
    return (tmp_path / "data" / "ran.txt").read_text().split()


@pytest.fixture(autouse=True)
def data_folder(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    return tmp_path / "data"


# ---------------------------------------------------------------------- the signed manifest


def test_a_manifest_signed_by_the_release_key_verifies(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    archive, signed = publish(tmp_path, release_key, "1.2.0")
    manifest = verify_manifest(signed, root.trusted_keys())
    assert (manifest.version, manifest.platform) == ("1.2.0", current_platform())
    assert manifest.archive_sha256 == file_sha256(archive)
    assert manifest.notes == "修复：夜间扫码更快"


def test_a_manifest_signed_by_another_key_is_refused_as_unknown(
    root: InstallRoot, tmp_path: Path
) -> None:
    code_signing_key = SigningKey.generate()  # e.g. an issuer's key: never trusted for software
    _archive, signed = publish(tmp_path, code_signing_key, "1.2.0")
    with pytest.raises(ReleaseError) as refused:
        verify_manifest(signed, root.trusted_keys())
    assert refused.value.reason == "unknown_key"
    assert code_signing_key.kid.hex() in refused.value.detail


def test_a_manifest_changed_after_signing_is_refused(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    archive, signed = publish(tmp_path, release_key, "1.2.0")
    envelope = json.loads(signed)
    other = manifest_of(archive, "9.9.9").to_bytes()
    envelope["manifest"] = base64.b64encode(other).decode()
    with pytest.raises(ReleaseError) as refused:
        verify_manifest(json.dumps(envelope).encode(), root.trusted_keys())
    assert refused.value.reason == "bad_signature"


def test_a_tampered_archive_is_refused_before_anything_is_unpacked(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    archive, signed = publish(tmp_path, release_key, "1.2.0")
    good = archive.read_bytes()
    archive.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    with pytest.raises(ReleaseError) as refused:
        root.stage(signed, archive, "1.0.0")
    assert refused.value.reason == "digest_mismatch"
    archive.write_bytes(good + b"x")
    with pytest.raises(ReleaseError) as longer:
        root.stage(signed, archive, "1.0.0")
    assert longer.value.reason == "size_mismatch"
    assert not root.versions.exists() or not any(root.versions.iterdir())
    assert root.state().staged is None


def test_a_downgrade_or_the_same_version_is_refused(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    installed(root, tmp_path, release_key, "1.10.0")
    for older in ("1.9.3", "1.10.0"):
        archive, signed = publish(tmp_path / older, release_key, older)
        with pytest.raises(ReleaseError) as refused:
            root.stage(signed, archive, "1.10.0")
        assert refused.value.reason == "downgrade"
    assert root.state().current == "1.10.0"


def test_a_release_for_another_platform_is_refused(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    archive = build_archive(tmp_path / "published", "2.0.0")
    signed = sign_manifest(manifest_of(archive, "2.0.0", platform="windows-arm64"), release_key)
    with pytest.raises(ReleaseError) as refused:
        root.stage(signed, archive, "1.0.0")
    assert refused.value.reason == "wrong_platform"


# ---------------------------------------------------------------------- install and rollback


def test_an_update_that_passes_its_self_test_becomes_current_and_the_previous_is_kept(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    installed(root, tmp_path, release_key, "1.0.0")
    archive, signed = publish(tmp_path, release_key, "1.1.0")
    assert root.stage(signed, archive, "1.0.0") == "1.1.0"
    lines: list[str] = []
    launcher = Launcher(root, ["--data-dir", str(tmp_path / "data")], out=lines.append)
    assert launcher.run() == 0
    state = root.state()
    assert (state.current, state.previous, state.awaiting_self_test) == ("1.1.0", "1.0.0", None)
    assert root.version_dir("1.0.0").is_dir()
    assert ran(tmp_path) == ["1.1.0"]
    assert "kiosk 1.1.0: self-test ok" in lines


def test_an_update_that_fails_its_self_test_is_rolled_back_and_not_tried_again(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    installed(root, tmp_path, release_key, "1.0.0")
    archive, signed = publish(tmp_path, release_key, "1.1.0", passes=False)
    root.stage(signed, archive, "1.0.0")
    launcher = Launcher(root, ["--data-dir", str(tmp_path / "data")], out=lambda _line: None)
    assert launcher.run() == 0
    state = root.state()
    assert state.current == "1.0.0"
    assert "camera: no frame" in state.refused["1.1.0"]
    assert ran(tmp_path) == ["1.0.0"]
    with pytest.raises(ReleaseError) as again:
        root.stage(signed, archive, "1.0.0")
    assert again.value.reason == "refused_before"


def test_a_rolled_back_update_gives_the_database_back_as_the_previous_version_left_it(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    installed(root, tmp_path, release_key, "1.0.0")
    database = tmp_path / "data" / "kiosk.db"
    connection = sqlite3.connect(database)
    connection.execute("CREATE TABLE passages (id TEXT)")
    connection.execute("INSERT INTO passages VALUES ('kept')")
    connection.execute("PRAGMA user_version = 3")
    connection.commit()
    connection.close()
    archive, signed = publish(tmp_path, release_key, "2.0.0", passes=False, migrates_to=4)
    root.stage(signed, archive, "1.0.0")
    kiosk_args = ["--data-dir", str(tmp_path / "data")]
    assert Launcher(root, kiosk_args, database=database, out=lambda _l: None).run() == 0
    connection = sqlite3.connect(database)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 3
    assert connection.execute("SELECT id FROM passages").fetchall() == [("kept",)]
    connection.close()
    assert root.state().current == "1.0.0"


def test_the_kiosk_asking_for_a_restart_gets_the_staged_update(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    installed(root, tmp_path, release_key, "1.0.0")
    archive, signed = publish(tmp_path, release_key, "1.0.1")
    root.stage(signed, archive, "1.0.0")
    # 1.0.0 is running when the update is staged: it exits asking for a restart when idle
    root.save(replace(root.state(), staged=None))
    args = ["--data-dir", str(tmp_path / "data"), "--exit", str(EXIT_RESTART_FOR_UPDATE)]

    class StageWhileRunning:
        def __init__(self) -> None:
            self.runs = 0

        def __call__(
            self, command: list[str], timeout_s: float | None, env: dict[str, str]
        ) -> object:
            from kiosk.ops.launcher import run_program

            if timeout_s is None:
                self.runs += 1
                if self.runs == 1:
                    root.save(replace(root.state(), staged="1.0.1"))
                else:  # the new version: exit normally this time
                    command = [c for c in command if c != str(EXIT_RESTART_FOR_UPDATE)][:-1]
            return run_program(command, timeout_s, env)

    launcher = Launcher(root, args, runner=StageWhileRunning(), out=lambda _l: None)  # type: ignore[arg-type]
    assert launcher.run() == 0
    assert ran(tmp_path) == ["1.0.0", "1.0.1"]
    assert root.state().current == "1.0.1"


def test_kiosk_launch_runs_as_a_program_and_rolls_back_a_failing_first_start(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    installed(root, tmp_path, release_key, "1.0.0")
    archive, signed = publish(tmp_path, release_key, "1.1.0", passes=False)
    manifest_file = tmp_path / "release.json"
    manifest_file.write_bytes(signed)
    offline = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "update",
            "install",
            str(archive),
            "--manifest",
            str(manifest_file),
            "--root",
            str(root.path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert offline.returncode == 0, offline.stderr
    launched = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "launch",
            "--root",
            str(root.path),
            "--",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert launched.returncode == 0, launched.stdout + launched.stderr
    assert "kiosk 1.1.0: self-test FAILED, rolling back" in launched.stdout
    assert ran(tmp_path) == ["1.0.0"]
    assert root.state().current == "1.0.0"


def test_kiosk_launch_with_a_relative_root_rolls_back_a_failing_first_start(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    """As a technician types it from the install folder's parent: `--root install`."""
    installed(root, tmp_path, release_key, "1.0.0")
    database = tmp_path / "data" / "kiosk.db"
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA user_version = 3")
    connection.close()
    archive, signed = publish(tmp_path, release_key, "1.1.0", passes=False, migrates_to=4)
    root.stage(signed, archive, "1.0.0")
    relative = root.path.relative_to(tmp_path)
    launched = subprocess.run(
        [sys.executable, "-m", "kiosk", "launch", "--root", str(relative),
         "--", "--data-dir", "data"],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
        env=os.environ | {"PYTHONPATH": str(REPOSITORY)},
    )  # fmt: skip
    assert launched.returncode == 0, launched.stdout + launched.stderr
    assert "kiosk 1.1.0: self-test FAILED, rolling back" in launched.stdout
    assert root.state().current == "1.0.0" and "1.1.0" in root.state().refused
    assert ran(tmp_path) == ["1.0.0"]
    connection = sqlite3.connect(database)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 3
    connection.close()


def test_a_release_that_cannot_migrate_this_kiosks_database_is_refused(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    archive = build_archive(tmp_path / "published", "3.0.0")
    manifest = manifest_of(archive, "3.0.0", min_store_schema=5)
    signed = sign_manifest(manifest, release_key)
    verified = verify_manifest(signed, root.trusted_keys())
    with pytest.raises(ReleaseError) as refused:
        check_offer(verified, "2.0.0", root.state(), store_schema=3)
    assert refused.value.reason == "store_too_old"
    assert "intermediate release" in refused.value.detail
    check_offer(verified, "2.0.0", root.state(), store_schema=5)


def test_an_installed_version_keeps_starting_after_its_release_key_is_retired(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    installed(root, tmp_path, release_key, "1.0.0")
    for pem in (root.path / KEYS_DIR).glob("*.pem"):
        pem.unlink()  # rotated: the kiosk now trusts only the new key
    assert Launcher(root, ["--data-dir", str(tmp_path / "data")], out=lambda _l: None).run() == 0
    assert ran(tmp_path) == ["1.0.0"]


def test_only_the_current_and_previous_versions_are_kept_on_disk(
    root: InstallRoot, release_key: SigningKey, tmp_path: Path
) -> None:
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        installed(root, tmp_path / version, release_key, version)
    assert sorted(p.name for p in root.versions.iterdir()) == ["1.1.0", "1.2.0"]
    assert (root.state().current, root.state().previous) == ("1.2.0", "1.1.0")
