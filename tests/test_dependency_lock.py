"""The dependencies are installed from a lock file: every package pinned, with its hashes, and
every requirement of pyproject.toml's kiosk, central and dev extras in it (`make lock`)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCKED_EXTRAS = ("kiosk", "central", "dev")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?: ;.*)? \\$")


def _lock_entries() -> dict[str, list[str]]:
    """Each pinned name with the lines of its entry (the pin, its hashes, its comments)."""
    entries: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            current = entries.setdefault(canonicalize_name(match.group(1)), [])
            current.append(line)
        elif line.startswith((" ", "\t")) and current is not None:
            current.append(line)
        elif line.strip() and not line.startswith("#"):
            raise AssertionError(f"an unpinned line in requirements.lock: {line!r}")
    return entries


def test_every_locked_package_is_pinned_with_its_hashes() -> None:
    entries = _lock_entries()
    unhashed = [
        name for name, lines in entries.items() if not any("--hash=sha256:" in x for x in lines)
    ]
    print(f"{len(entries)} locked packages")
    assert len(entries) > 50
    assert unhashed == []


def test_every_requirement_of_the_project_is_in_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = list(project["project"]["dependencies"])
    for extra in LOCKED_EXTRAS:
        wanted += project["project"]["optional-dependencies"][extra]
    wanted += project["build-system"]["requires"]
    locked = _lock_entries()
    missing = sorted(
        {str(r) for r in map(Requirement, wanted) if canonicalize_name(r.name) not in locked}
    )
    assert missing == [], "run `make lock` after changing pyproject.toml's dependencies"


def test_setup_installs_the_locked_set_by_hash_and_nothing_else() -> None:
    setup = (ROOT / "build" / "setup.sh").read_text(encoding="utf-8")
    assert "pip install --require-hashes --no-deps -r requirements.lock" in setup
    assert "pip install --no-deps --no-build-isolation -e ." in setup
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--generate-hashes" in makefile and "pip-audit" in makefile
