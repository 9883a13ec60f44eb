"""The benchmarks into a closed pipe (`python bench/run.py | head`): no traceback, status 0 (the
reader chose to stop; no benchmark failed to run). Those too slow to run here are held to the
same rule by reading them: every line they print goes through `say`."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from tests.closed_pipe import ROOT, quiet, run_into_closed_pipe

BENCH = ROOT / "bench"
# (script, its arguments, the status)
ENTRY_POINTS = [
    ("run.py", [], 0),
    ("serial_drivers.py", [], 0),
    ("qr_decode.py", ["--per-category", "1", "--repeats", "1"], 0),
    ("qr_decode.py", ["--help"], 0),
    ("issuance.py", ["--help"], 0),
]


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize(
    ("script", "arguments", "status"),
    ENTRY_POINTS,
    ids=[f"{s} {' '.join(a)}".strip() for s, a, _ in ENTRY_POINTS],
)
def test_a_benchmark_whose_reader_has_gone_ends_quietly(
    script: str, arguments: list[str], status: int, unbuffered: bool
) -> None:
    result = run_into_closed_pipe(
        [sys.executable, str(BENCH / script), *arguments], unbuffered=unbuffered
    )
    assert quiet(result), result.stderr.decode()
    assert result.returncode == status, result.stderr.decode()


def _prints_to_stdout(path: Path) -> list[int]:
    """Lines of `print(...)` calls without `file=`: what a closed pipe would break."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
        and not any(keyword.arg == "file" for keyword in node.keywords)
    ]


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda path: path.name)
def test_a_benchmark_prints_through_say(path: Path) -> None:
    assert _prints_to_stdout(path) == []
