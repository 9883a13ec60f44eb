"""What importing a package really loads at run time, third-party packages included: the
Qt-free packages never load PySide6, and healthcode loads nothing of ours. The rules for each
import statement are in tests/test_layering.py; this catches what they cannot see (a library
that loads Qt by itself)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

QT_FREE = [
    "healthcode",
    "drivers",
    "sync",
    "central",
    "kiosk.checkpoint",
    "kiosk.store",
    "kiosk.sessions",
    "kiosk.ops",
    "kiosk.client",
    "kiosk.config",
    "kiosk.app",
]
OURS = ["healthcode", "drivers", "kiosk", "sync", "central"]

PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
names = [package.__name__]
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    if info.name.rsplit(".", 1)[-1] == "__main__":
        continue  # running a CLI is not importing it
    importlib.import_module(info.name)
    names.append(info.name)
print(json.dumps({"imported": names, "loaded": sorted(sys.modules)}))
"""


def _probe(package: str) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, package],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


PRESENT = [name for name in QT_FREE if importlib.util.find_spec(name) is not None]


def test_the_core_packages_exist() -> None:
    assert {"healthcode", "drivers"} <= set(PRESENT)


@pytest.mark.parametrize("package", PRESENT)
def test_a_qt_free_package_never_imports_pyside6(package: str) -> None:
    probe = _probe(package)
    assert len(probe["imported"]) > 1
    assert not [m for m in probe["loaded"] if m.split(".")[0] in {"PySide6", "shiboken6"}]


def test_healthcode_imports_nothing_else_of_ours() -> None:
    loaded = {m.split(".")[0] for m in _probe("healthcode")["loaded"]}
    assert loaded & set(OURS) == {"healthcode"}
