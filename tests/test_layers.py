"""The house rules of the layers, checked on the source by folder, with no exemption list.

    top      symbiosis/ (cli, commands/, reporting/, session), app/, app_streamlit.py  — may import every layer
    middle   flows/, matching/                                                        — the core only; never each other
    ground   symbiosis/core/                                                          — itself only

Data flows one way: files -> Park (core) -> graph / plan (flows, matching) -> views (top).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("symbiosis", "flows", "matching", "app", "app_streamlit")


def layer_of(module: str) -> str:
    """The layer a module (dotted name) or source file (as a dotted path) belongs to."""
    if module == "symbiosis.core" or module.startswith("symbiosis.core."):
        return "ground"
    if module.split(".")[0] in ("flows", "matching"):
        return "middle:" + module.split(".")[0]
    return "top"


ALLOWED: dict[str, set[str]] = {
    "ground": {"ground"},
    "middle:flows": {"ground", "middle:flows"},
    "middle:matching": {"ground", "middle:matching"},
    "top": {"ground", "middle:flows", "middle:matching", "top"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from symbiosis import core` names a module too
            names.update(f"{node.module}.{alias.name}" for alias in node.names if node.module == "symbiosis")
    return {n for n in names if n.split(".")[0] in PROJECT_PACKAGES}


def source_files() -> list[Path]:
    files = [ROOT / "app_streamlit.py"]
    for package in ("symbiosis", "flows", "matching", "app"):
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def violations() -> list[str]:
    found = []
    for path in source_files():
        here = layer_of(dotted(path))
        for name in imported_modules(path):
            # the package root re-exports the core's public names: importing it is the top's privilege
            there = "top" if name == "symbiosis" else layer_of(name)
            if there not in ALLOWED[here]:
                found.append(f"{path.relative_to(ROOT)} ({here}) imports {name} ({there})")
    return found


def test_every_import_goes_down_the_layers() -> None:
    assert violations() == []


def test_the_layers_are_folders() -> None:
    assert (ROOT / "symbiosis" / "core").is_dir()
    loose = [p.name for p in (ROOT / "symbiosis").glob("*.py")]
    # the top of symbiosis/ holds only the entry points and the prepared session, never a domain module
    assert set(loose) <= {"__init__.py", "__main__.py", "cli.py", "session.py"}, loose


@pytest.mark.parametrize(("module", "layer"), [
    ("symbiosis.core.park", "ground"), ("flows.graph", "middle:flows"), ("matching.model", "middle:matching"),
    ("symbiosis.commands.match", "top"), ("symbiosis.reporting.build", "top"), ("app.data", "top"),
    ("symbiosis.workshop.store", "top"),
])
def test_layer_of(module: str, layer: str) -> None:
    assert layer_of(module) == layer


def test_only_the_top_uses_the_workshop_store() -> None:
    """The store (symbiosis.workshop) is the top's: the core, flows and matching never reach for it."""
    for path in source_files():
        if layer_of(dotted(path)) != "top":
            assert not any(n.startswith("symbiosis.workshop") for n in imported_modules(path)), path


def test_the_rule_would_catch_a_wrong_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from matching.model import build_model\nimport flows\n", encoding="utf-8")
    assert imported_modules(bad) == {"matching.model", "flows"}
    assert {layer_of(n) for n in imported_modules(bad)} - ALLOWED["ground"] == {"middle:matching", "middle:flows"}
