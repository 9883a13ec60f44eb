"""`sync` is shared by the kiosk and the server: it loads neither of them, nor Qt."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import importlib, json, pkgutil, sys
import sync
for info in pkgutil.walk_packages(sync.__path__, "sync."):
    if not info.name.endswith("__main__"):
        importlib.import_module(info.name)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_sync_loads_neither_kiosk_nor_central_nor_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(json.loads(result.stdout))
    assert "sync" in loaded and "healthcode" in loaded
    assert not loaded & {"kiosk", "central", "PySide6", "shiboken6", "fastapi", "sqlalchemy"}
