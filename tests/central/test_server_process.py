"""The real programs: `python -m central` in an empty folder, served on loopback, and a kiosk
enrolling with `python -m kiosk.client enroll` against it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.client.enrollment import enroll
from kiosk.client.identity import KioskIdentity
from sync.schemas import HEARTBEAT_PATH

READY_TIMEOUT_S = 60.0
COMMAND_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CENTRAL_")}
    env["CENTRAL_SMS_PROVIDER"] = "log"  # development: the codes go to the log
    if not database_url.startswith("sqlite"):
        env["CENTRAL_DATABASE_URL"] = database_url  # SQLite: the default file in the folder
    return env


def _run(args: list[str], folder: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=COMMAND_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    empty = tmp_path / "central"
    empty.mkdir()
    return empty


@pytest.fixture
def server(folder: Path, database_url: str) -> Iterator[str]:
    env = _environment(database_url)
    _run(["central", "init"], folder, env)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=COMMAND_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _wait_until_ready(process: subprocess.Popen[bytes], url: str) -> None:
    """Poll /openapi.json until it answers; the pause between polls waits on the process."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(url + "/openapi.json").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            try:
                process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            stderr = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"the server exited with {process.returncode}: {stderr}")
    pytest.fail(f"the server did not answer within {READY_TIMEOUT_S} s")


def test_init_in_an_empty_folder_creates_the_database_keys_and_a_setup_token(
    folder: Path, database_url: str
) -> None:
    env = _environment(database_url)
    output = _run(["central", "init"], folder, env)
    assert "One-time setup token" in output
    assert "/setup?token=" in output
    assert "password" not in output.split("token")[0].lower().replace("without a password", "")
    assert (folder / "keys" / "root.key").stat().st_mode & 0o777 == 0o600
    if database_url.startswith("sqlite"):
        assert (folder / "central.db").is_file()
    again = _run(["central", "init"], folder, env)
    assert "no new one was created" in again


def test_a_kiosk_enrolls_with_a_real_server_on_loopback_and_signs_its_requests(
    server: str, folder: Path, database_url: str, tmp_path: Path
) -> None:
    env = _environment(database_url)
    checkpoint_id = _run(
        [
            "central",
            "checkpoint",
            "add",
            "--name",
            "王家村村口",
            "--type",
            "village",
            "--region",
            "610124",
            "--address",
            "周至县王家村",
        ],
        folder,
        env,
    ).strip()
    code_for_client = _run(["central", "checkpoint", "code", checkpoint_id], folder, env).strip()
    code_for_cli = _run(["central", "checkpoint", "code", checkpoint_id], folder, env).strip()

    with httpx.Client(timeout=10.0) as client:
        enrollment = enroll(client, server, code_for_client, tmp_path / "kiosk-a")
    with httpx.Client(timeout=10.0, auth=enrollment.identity.auth()) as client:
        answer = client.post(server + HEARTBEAT_PATH)
    assert answer.status_code == 200, answer.text

    printed = _run(
        ["kiosk.client", "enroll", server, code_for_cli, "--data-dir", str(tmp_path / "kiosk-b")],
        tmp_path,
        env,
    )
    kiosk_b = KioskIdentity.load(tmp_path / "kiosk-b")
    assert kiosk_b.kiosk_id in printed
    assert kiosk_b.checkpoint.name == "王家村村口"
    pinged = _run(["kiosk.client", "ping", "--data-dir", str(tmp_path / "kiosk-b")], tmp_path, env)
    assert kiosk_b.kiosk_id in pinged

    listed = _run(["central", "kiosk", "list"], folder, env)
    assert enrollment.identity.kiosk_id in listed and kiosk_b.kiosk_id in listed
