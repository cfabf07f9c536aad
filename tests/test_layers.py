"""The house rules of the layers, checked on the source: data flows one way and flows/ and matching/ stay apart."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINTS = ("symbiosis/commands", "symbiosis/reporting")  # may call flows/ and matching/ (the design's top)


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def offenders(folder: str, forbidden: tuple[str, ...], exempt: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in modules(folder):
        rel = path.relative_to(ROOT).as_posix()
        if any(rel.startswith(e) for e in exempt):
            continue
        for name in imported_packages(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{rel} imports {name}")
    return found


def test_flows_and_matching_never_import_each_other() -> None:
    assert offenders("flows", ("matching", "app", "symbiosis.commands", "symbiosis.reporting")) == []
    assert offenders("matching", ("flows", "app", "symbiosis.commands", "symbiosis.reporting")) == []


def test_core_imports_neither() -> None:
    assert offenders("symbiosis", ("flows", "matching", "app"), exempt=ENTRY_POINTS) == []


def test_entry_points_do_not_import_the_app() -> None:
    assert offenders("symbiosis", ("app",)) == []
