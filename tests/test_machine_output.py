"""Machine output a machine can read: `--format json` prints one strict JSON document on stdout and nothing else.

Real processes (the installed `symbiosis` script), because the noise this guards against comes from native code:
highspy prints "Running HiGHS ... Copyright ..." on the process's file descriptor 1 when PuLP creates a solver,
whatever Python does with sys.stdout.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from symbiosis.core.plan import Link, Plan, json_safe, strict_json

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "datasets" / "demo_park"
SOLVER_LOG = re.compile(r"\b(MIP|LP)\b.* has \d+ rows")


def symbiosis(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("symbiosis")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "symbiosis"]
    return subprocess.run([*command, *args], capture_output=True, text=True, encoding="utf-8", cwd=ROOT,
                          timeout=300, check=False)


def _refuse(token: str) -> Any:
    raise ValueError(f"non-standard JSON constant {token}")


def strict_load(text: str) -> Any:
    """json.loads that refuses NaN, Infinity and -Infinity (Python's parser accepts them by default)."""
    return json.loads(text, parse_constant=_refuse)


def json_tool_accepts(text: str) -> bool:
    checked = subprocess.run([sys.executable, "-m", "json.tool"], input=text, capture_output=True, text=True,
                             encoding="utf-8", timeout=60, check=False)
    return checked.returncode == 0


def no_bare_constants(text: str) -> None:
    # outside strings a strict document has no NaN/Infinity; inside strings the words may appear in prose
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    assert not re.search(r"\b(NaN|-?Infinity)\b", bare)


@pytest.fixture(scope="module")
def demo_match(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("machine") / "out"
    return symbiosis("match", str(DEMO), "--format", "json", "--out", str(out)), out


def test_match_json_on_stdout_is_the_whole_output(demo_match: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, _ = demo_match
    assert result.returncode == 0, result.stderr
    assert result.stdout.lstrip().startswith("{"), result.stdout[:200]
    assert "HiGHS" not in result.stdout[:500]
    data = strict_load(result.stdout)
    assert data["status"] == "optimal" and data["links"] and data["unmatched"]
    assert json_tool_accepts(result.stdout)
    no_bare_constants(result.stdout)
    # what PuLP's solver printed went to stderr, and without --verbose no solver log
    assert not SOLVER_LOG.search(result.stderr)
    # the unmatched rows that had NaN (reach_km, distance_km, competitor_quantity) now have null
    assert any(row["reach_km"] is None for row in data["unmatched"])
    Plan.from_json_dict(data)


def test_plan_json_written_by_out_is_strict(demo_match: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, out = demo_match
    assert result.returncode == 0, result.stderr
    text = (out / "plan.json").read_text(encoding="utf-8")
    no_bare_constants(text)
    plan = Plan.from_json_dict(strict_load(text))
    assert len(plan.links) == len(strict_load(result.stdout)["links"])


def test_validate_json_on_stdout_is_the_whole_output() -> None:
    result = symbiosis("validate", str(DEMO), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = strict_load(result.stdout)
    assert data["valid"] is True
    assert json_tool_accepts(result.stdout)
    no_bare_constants(result.stdout)


def test_a_load_error_in_json_is_still_json_on_stdout(tmp_path: Path) -> None:
    result = symbiosis("match", str(tmp_path / "missing"), "--format", "json")
    assert result.returncode == 1
    assert strict_load(result.stdout)["valid"] is False


@pytest.mark.slow
def test_verbose_shows_the_solver_log_on_stderr_only(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from park_builders import write_park

    park = write_park(tmp_path / "park")
    result = symbiosis("match", str(park), "--format", "json", "--verbose")
    assert result.returncode == 0, result.stderr
    strict_load(result.stdout)
    assert SOLVER_LOG.search(result.stderr), result.stderr[-2000:]
    text = symbiosis("match", str(park), "--verbose")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Status:") and not SOLVER_LOG.search(text.stdout)
    assert SOLVER_LOG.search(text.stderr)
    quiet = symbiosis("match", str(park))
    assert quiet.stdout.startswith("Status:") and "HiGHS" not in quiet.stdout


def test_the_plan_writer_turns_non_finite_numbers_into_null() -> None:
    link = Link(link_id="a->b", supplier_id="A", receiver_id="B", supplier_stream_id="a", receiver_stream_id="b",
                material_out="fly_ash", material_in="clay", category="solid", quantity=100.0, unit="t/a",
                quantity_in=100.0, unit_in="t/a", distance_km=math.nan, mode="truck",
                temperature_supply_c=math.inf, annual_cost_cny=-math.inf)
    plan = Plan(status="optimal", links=(link,), gap=math.nan, objective_tco2e=1.0)
    text = plan.to_json()
    no_bare_constants(text)
    data = strict_load(text)
    assert data["gap"] is None and data["links"][0]["distance_km"] is None
    assert data["links"][0]["temperature_supply_c"] is None and data["links"][0]["annual_cost_cny"] is None
    back = Plan.from_json_dict(data)
    assert math.isnan(back.links[0].distance_km)  # a plain float field reads null back as NaN
    assert back.links[0].temperature_supply_c is None
    assert strict_load(plan.to_json(unmatched=[{"reach_km": math.nan}]))["unmatched"] == [{"reach_km": None}]


def test_a_non_finite_number_that_slips_past_the_cleaning_raises() -> None:
    assert json_safe({"x": float("nan"), "y": (1.0, float("-inf"))}) == {"x": None, "y": [1.0, None]}
    with pytest.raises(ValueError, match="JSON"):
        json.dumps({"x": float("nan")}, allow_nan=False)  # what strict_json relies on
    assert strict_json({"x": 1.5}) == '{\n  "x": 1.5\n}'
