"""bench/run.py reads each goal line's verdict, so a missed goal is never counted as met."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

RUN = Path(__file__).resolve().parent.parent / "bench" / "run.py"


def _load_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_run", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("line", "missed"),
    [
        ("goal scan_p95: 19.0 ms (target <= 40) met", False),
        ("goal scan_p95: 51.0 ms (target <= 40) missed", True),
        ("goal upload_rate: 3700 rec/s (target >= 10000) missed (loaded machine)", True),
        ("goal upload_rate: 12000 rec/s (target >= 10000) met (ratio 0.4 to COPY)", False),
        ("goal search_p95: 52 ms (target <= 50) missed; shipped regions met", True),
        ("goal broken line without a target", True),
    ],
)
def test_a_goal_line_counts_as_missed_when_its_verdict_says_missed(line: str, missed: bool) -> None:
    assert _load_run().goal_missed(line) is missed
