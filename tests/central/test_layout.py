"""Central's domains import one way (docs/central.md, "Layout"): every import statement of
`central/`, function-level ones included, read with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

import central

ROOT = Path(central.__file__).resolve().parent
# Which of central's packages each may import, besides itself; the modules at the top
# (app, cli, jobs) put them all together and are not listed.
MAY_IMPORT = {
    "core": set(),
    "issuance": {"core"},
    # An enterprise's staff page shows each employee's code and check-in, which issuance keeps.
    "administration": {"core", "issuance"},
    "kiosks": {"core", "administration", "issuance"},
    "reports": {"core", "issuance", "kiosks"},
    "tipoffs": {"core", "administration", "issuance"},
    "web": {"core", "administration", "issuance", "kiosks", "reports", "tipoffs"},
    "migrations": {"core"},
}
OURS = {"healthcode", "drivers", "kiosk", "sync", "central"}
CENTRAL_MAY_USE = {"healthcode", "sync", "central"}


def _imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _package_of(path: Path) -> str | None:
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else None


def test_each_domain_imports_only_the_packages_below_it() -> None:
    wrong = []
    for path in sorted(ROOT.rglob("*.py")):
        package = _package_of(path)
        if package is None:
            continue
        allowed = MAY_IMPORT[package] | {package}
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "central" or len(parts) < 2 or parts[1] not in MAY_IMPORT:
                continue
            if parts[1] not in allowed:
                wrong.append(f"{path.relative_to(ROOT.parent)} imports {name}")
    assert wrong == []


def test_central_imports_only_the_wire_contract_and_healthcode_of_ours() -> None:
    wrong = [
        f"{path.relative_to(ROOT.parent)} imports {name}"
        for path in sorted(ROOT.rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in OURS - CENTRAL_MAY_USE
    ]
    assert wrong == []
