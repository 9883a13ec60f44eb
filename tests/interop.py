"""The public interop test data, kept in the repository under `tests/data/` (see its README for
where each corpus comes from, at which commit, and its licence)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

INTEROP = Path(__file__).resolve().parent / "data"
DCC_TESTDATA = INTEROP / "dgc-testdata"


def dcc_cases() -> list[tuple[str, dict[str, Any]]]:
    """Every EU DCC test case as (name, case), with EXPECTEDRESULTS flattened where the data
    nests it one level deeper (a known quirk of three files)."""
    cases = []
    for path in sorted(DCC_TESTDATA.rglob("*.json")):
        if "2DCode" not in path.parts or path.parent.name.lower() != "raw":
            continue
        case = json.loads(path.read_text(encoding="utf-8"))
        expected = case.get("EXPECTEDRESULTS", {})
        if isinstance(expected, dict) and "EXPECTEDRESULTS" in expected:
            expected = expected["EXPECTEDRESULTS"]
        case["EXPECTEDRESULTS"] = expected
        cases.append((str(path.relative_to(DCC_TESTDATA)), case))
    return cases
