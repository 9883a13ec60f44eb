"""The README's layout table and docs/architecture.md describe the tree as it is: every package
is named, and every folder they name exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
TOP = ("healthcode", "drivers", "sync", "kiosk", "central")
NOT_A_LAYER = {"central/migrations"}  # Alembic's scripts, not code of a domain


def _subpackages() -> list[str]:
    found = []
    for top in ("drivers", "kiosk", "central", "healthcode"):
        for init in sorted((ROOT / top).glob("*/__init__.py")):
            name = f"{top}/{init.parent.name}"
            if name not in NOT_A_LAYER:
                found.append(name)
    return found


def _layout_table() -> str:
    start = README.index("## Layout")
    return README[start : README.index("\n## ", start + 1)]


@pytest.mark.parametrize("package", [*TOP, *_subpackages()])
def test_the_architecture_page_names_every_package(package: str) -> None:
    assert f"{package.rsplit('/', 1)[-1]}/" in ARCHITECTURE


@pytest.mark.parametrize("package", [*TOP, *_subpackages()])
def test_the_readme_layout_names_every_package(package: str) -> None:
    assert f"`{package}" in _layout_table()


def test_every_folder_the_readme_layout_names_exists() -> None:
    named = set(re.findall(r"`((?:healthcode|drivers|sync|kiosk|central|tests)/[\w/]*)`", README))
    assert named
    missing = [path for path in sorted(named) if not (ROOT / path).exists()]
    assert missing == []


def test_every_module_the_architecture_page_names_exists() -> None:
    dotted = set(
        re.findall(r"`((?:healthcode|drivers|sync|kiosk|central)(?:\.\w+)+)", ARCHITECTURE)
    )
    assert len(dotted) > 10
    missing = []
    for name in sorted(dotted):
        parts = name.split(".")
        # a name may end in a class, a function or a method of its module: the longest prefix
        # that is a module or a package must exist
        for end in range(len(parts), 0, -1):
            path = ROOT.joinpath(*parts[:end])
            if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
                break
        else:
            missing.append(name)
        if end < len(parts) - 2:
            missing.append(name)  # at most a class and its method after the module
    assert missing == []
