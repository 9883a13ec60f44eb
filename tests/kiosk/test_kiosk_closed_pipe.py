"""Every kiosk command that prints, into a closed pipe (`kiosk ... | head`): no traceback, and
the documented status, which stays the verdict's (a configuration with problems is still 1)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.closed_pipe import quiet, run_into_closed_pipe

# (entry point, its arguments, the status); {dir} is a scratch folder holding ok.toml (no
# problem) and bad.toml (a misspelt key).
ENTRY_POINTS = [
    ("kiosk", ["--check-config", "{dir}/ok.toml"], 0),
    ("kiosk", ["--check-config", "{dir}/bad.toml"], 1),
    ("kiosk", ["--check-config", "{dir}/bad.toml", "--language", "en"], 1),
    ("kiosk", ["--self-test", "--config", "{dir}/ok.toml", "--data-dir", "{dir}/data"], 0),
    ("kiosk", ["--self-test", "--config", "{dir}/bad.toml"], 1),
    ("kiosk", ["--diagnostics", "{dir}/support.zip", "--data-dir", "{dir}/data"], 0),
    ("kiosk", ["update", "status", "--root", "{dir}/install"], 0),
    ("kiosk", ["--help"], 0),
    ("kiosk.client", ["--help"], 0),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kiosk")
    (folder / "ok.toml").write_text("", encoding="utf-8")
    (folder / "bad.toml").write_text('[kiosk]\nlangauge = "en"\n', encoding="utf-8")
    return folder


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize(
    ("module", "arguments", "status"),
    ENTRY_POINTS,
    ids=[f"{m} {' '.join(a)}" for m, a, _ in ENTRY_POINTS],
)
def test_a_command_whose_reader_has_gone_ends_quietly_with_its_documented_status(
    module: str, arguments: list[str], status: int, unbuffered: bool, folder: Path
) -> None:
    command = [a.format(dir=folder) for a in arguments]
    result = run_into_closed_pipe([sys.executable, "-m", module, *command], unbuffered=unbuffered)
    assert quiet(result), result.stderr.decode()
    assert result.returncode == status, result.stderr.decode()
