"""A real central server process on loopback (SQLite in a temporary folder), and helpers."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kiosk.client.enrollment import Enrollment, enroll
from tests.central.test_server_process import (
    COMMAND_TIMEOUT_S,
    _environment,
    _free_port,
    _run,
    _wait_until_ready,
)


@dataclass
class RealServer:
    folder: Path
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "central",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=self.folder,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _wait_until_ready(self.process, self.url)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=COMMAND_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()

    def cli(self, *args: str) -> str:
        return _run(["central", *args], self.folder, self.env)

    def query(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.folder / "central.db") as connection:
            return connection.execute(sql).fetchall()

    def enroll(self, data_dir: Path) -> Enrollment:
        checkpoint = self.cli(
            "checkpoint", "add", "--name", "王家村村口", "--type", "village",
            "--region", "610124", "--address", "周至县王家村",
        ).strip()  # fmt: skip
        code = self.cli("checkpoint", "code", checkpoint).strip()
        with httpx.Client(timeout=10.0) as client:
            return enroll(client, self.url, code, data_dir)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RealServer]:
    folder = tmp_path / "central"
    folder.mkdir()
    env = _environment("sqlite")
    _run(["central", "init"], folder, env)
    real = RealServer(folder, _free_port(), env)
    real.start()
    try:
        yield real
    finally:
        real.stop()
