"""The README stays honest: its commands exist and its setup commands are what CI runs."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MODULE_COMMANDS = sorted(set(re.findall(r"^python -m (\S+(?: [a-z][a-z-]*)*)", README, re.M)))


def test_the_readme_starts_with_the_two_setup_commands() -> None:
    head = README[:800]
    assert "make demo" in head
    assert "make test" in head


def test_ci_runs_the_readme_test_command_and_nothing_else() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[-1] == "make test"
    assert all(line.startswith(("set ", "cd ")) for line in lines[:-1])


def test_the_readme_lists_module_commands() -> None:
    assert len(MODULE_COMMANDS) >= 5


@pytest.mark.parametrize("command", MODULE_COMMANDS)
def test_every_command_in_the_readme_exists(command: str) -> None:
    words = [word for word in shlex.split(command) if not word.isupper()]
    result = subprocess.run(
        [sys.executable, "-m", *words, "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
