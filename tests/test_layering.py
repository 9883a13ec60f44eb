"""Imports point one way. Every import statement of the tree (function-level ones included) is
read with `ast` and checked against a table of forbidden (importer -> imported) pairs, and the
modules' imports are checked for cycles."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("healthcode", "drivers", "sync", "kiosk", "central")
QT = ("PySide6", "shiboken6")


@dataclass(frozen=True)
class Import:
    importer: str  # the module holding the statement, dotted
    imported: str  # the module (or package) it names, dotted
    line: int
    type_only: bool  # under `if TYPE_CHECKING:`: no import at run time


@dataclass(frozen=True)
class Rule:
    importer: str  # a module or package prefix
    forbidden: tuple[str, ...]  # module or package prefixes it must not import
    allowed: tuple[str, ...] = ()  # importers (prefixes) exempt, each with its reason in the table
    why: str = ""
    except_within: tuple[str, ...] = ()  # imported prefixes allowed inside a forbidden one


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


# The rules of the house. A module matches a rule when it is within the rule's importer prefix.
RULES: tuple[Rule, ...] = (
    Rule(
        "healthcode",
        ("drivers", "sync", "kiosk", "central", *QT),
        why="the health code is pure: no devices, no wire, no screens, no server",
    ),
    Rule(
        "drivers",
        ("healthcode", "sync", "kiosk", "central", *QT),
        why="drivers speak bytes; what a card means is decided above them",
    ),
    Rule(
        "sync",
        ("kiosk", "central", "drivers", *QT),
        why="the wire contract is shared by both ends and belongs to neither",
    ),
    Rule(
        "central",
        ("kiosk", "drivers", *QT),
        why="central imports the wire contract and healthcode only",
    ),
    Rule(
        "kiosk",
        QT,
        allowed=(
            "kiosk.ui",
            # The self-test and diagnostics check, by loading them, that Qt and its multimedia
            # work on this box: a probe, not a use.
            "kiosk.ops.selftest",
            "kiosk.ops.diagnostics",
        ),
        why="Qt only in kiosk.ui",
    ),
    Rule(
        "kiosk.checkpoint",
        ("kiosk", "sync", "drivers"),
        except_within=("kiosk.checkpoint",),
        why="the passage rules are pure: no store, no devices, no wire",
    ),
    Rule("kiosk.store", ("kiosk.ui", "kiosk.app", "kiosk.sessions", "drivers")),
    Rule("kiosk.app", ("kiosk.ui",), why="the application layer knows no screen"),
    Rule("kiosk.sessions", ("kiosk.ui",), why="sessions are what views call, never the reverse"),
    Rule(
        "kiosk.ops",
        ("kiosk.ui",),
        # The self-test loads the screens' translations to prove they load on this box.
        allowed=("kiosk.ops.selftest",),
        why="operations run with no screen",
    ),
    Rule("kiosk.client", ("kiosk.ui", "kiosk.app", "kiosk.sessions")),
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _source_files() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports_of(path: Path, known: set[str]) -> Iterator[Import]:
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    type_only_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                for inner in ast.walk(child):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        type_only_lines.add(inner.lineno)
    for node in ast.walk(tree):
        type_only = getattr(node, "lineno", 0) in type_only_lines
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno, type_only)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield Import(module, target, node.lineno, type_only)
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in known:
                    yield Import(module, submodule, node.lineno, type_only)


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    files = list(_source_files())
    known = {_module_name(path) for path in files}
    return [found for path in files for found in _imports_of(path, known)]


def test_the_reader_sees_function_level_and_relative_imports(imports: list[Import]) -> None:
    found = {(i.importer, i.imported) for i in imports}
    assert ("healthcode.cli", "healthcode.conformance") in found  # imported inside a function
    assert len(imports) > 1000


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: f"{rule.importer}")
def test_no_module_imports_what_its_layer_forbids(rule: Rule, imports: list[Import]) -> None:
    broken = [
        f"{i.importer}:{i.line} imports {i.imported}"
        for i in imports
        if _within(i.importer, rule.importer)
        and not any(_within(i.importer, exempt) for exempt in rule.allowed)
        and any(_within(i.imported, forbidden) for forbidden in rule.forbidden)
        and not any(_within(i.imported, kept) for kept in rule.except_within)
    ]
    assert broken == [], f"{rule.why}:\n" + "\n".join(broken)


def test_the_allowed_qt_probes_exist() -> None:
    for rule in RULES:
        for name in rule.allowed:
            path = ROOT / Path(*name.split("."))
            assert path.with_suffix(".py").is_file() or (path / "__init__.py").is_file(), name


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def test_the_cycle_finder_finds_a_cycle_and_only_that() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c"]]


def test_no_two_modules_import_each_other_even_through_others(imports: list[Import]) -> None:
    # A package's __init__ that gathers its modules' public names is the package's face, not a
    # module of its own: importing it means importing the module that defines the name.
    edges: dict[str, set[str]] = {}
    for found in imports:
        if found.type_only or found.importer == found.imported:
            continue
        if found.imported.split(".")[0] not in PACKAGES:
            continue
        if _within(found.importer, found.imported):
            continue  # a module importing its own package's __init__ (its face)
        edges.setdefault(found.importer, set()).add(found.imported)
    assert _cycles(edges) == []
