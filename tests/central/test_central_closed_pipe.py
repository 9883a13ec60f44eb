"""`central ... | head` where head has already gone: no traceback, and the documented status
(0 for what succeeded, 2 for a usage error), buffered output or not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.closed_pipe import ROOT, quiet, run_into_closed_pipe

# (arguments, status); {dir} is a data folder prepared by `central init` and a region file.
COMMANDS = [
    (["--help"], 0),
    (["--data-dir", "{dir}", "init"], 0),  # the second init: "an administrator exists already"
    (["--data-dir", "{dir}", "regions", "list"], 0),
    (["--data-dir", "{dir}", "checkpoint", "list"], 0),
    (["--data-dir", "{dir}", "no-such-command"], 2),
]


def _central(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "central", *arguments],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("central")
    first = _central("--data-dir", str(folder), "init")
    assert first.returncode == 0, first.stderr
    regions = ROOT / "central" / "core" / "data" / "regions_shaanxi_sample.csv"
    loaded = _central("--data-dir", str(folder), "regions", "load", str(regions))
    assert loaded.returncode == 0, loaded.stderr  # so `regions list` has lines to print
    added = _central(
        *("--data-dir", str(folder), "checkpoint", "add", "--name", "东门"),
        *("--type", "residential_compound", "--region", "610113", "--address", "科技路1号"),
    )
    assert added.returncode == 0, added.stderr  # and `checkpoint list` one
    return folder


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize(("arguments", "status"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_a_central_command_whose_reader_has_gone_ends_quietly_with_its_status(
    arguments: list[str], status: int, unbuffered: bool, data_dir: Path
) -> None:
    command = [a.format(dir=data_dir) for a in arguments]
    result = run_into_closed_pipe(
        [sys.executable, "-m", "central", *command], unbuffered=unbuffered
    )
    assert quiet(result), result.stderr.decode()
    assert result.returncode == status, result.stderr.decode()
