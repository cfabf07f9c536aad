"""The data-quality summary (symbiosis.core.quality) on a tiny hand-made park whose shares are computed by hand."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from park_builders import STREAMS_HEADER, write_park

from symbiosis.core.loader import load_park
from symbiosis.core.park import Park
from symbiosis.core.quality import quality

ROOT = Path(__file__).resolve().parent.parent

# E1: 3 rows, 2 complete (tap water without a grade); E2: 3 rows, 2 complete (fly ash output without a baseline;
# cement is a raw material, so an input without a baseline is read as virgin and needs none); E3: 2 rows, complete.
STREAMS: list[list[object]] = [
    ["E1", "output", "fly_ash", 3, "万t/a", "", "", "", "landfill", "", ""],
    ["E1", "output", "waste_steam", 10, "t/h", 200, 100, "", "vent", "", 8000],
    ["E1", "input", "tap_water", 2, "万m³/a", "", "", "", "tap_water", "", ""],
    ["E2", "input", "cement", 100000, "t/a", "", "", "", "", "", ""],
    ["E2", "input", "electricity", 1000, "MWh/a", "", "", "", "grid_electricity", "", ""],
    ["E2", "output", "fly_ash", 1, "万t/a", "", "", "", "", "", ""],
    ["E3", "input", "process_steam", 500, "kW", 150, 60, "", "natural_gas_boiler", "", ""],
    ["E3", "output", "waste_oil", 120, "t/a", "", "", "", "hazardous_treatment", "HW08", ""],
]
assert all(len(r) == len(STREAMS_HEADER) for r in STREAMS)


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> Park:
    folder = write_park(tmp_path_factory.mktemp("q") / "p", streams=STREAMS,
                        park_toml='name = "Q"\ndefault_hours_per_year = 8000\n')
    return load_park(folder)


def test_shares_per_enterprise(park: Park) -> None:
    report = quality(park)
    by_id = {e.enterprise_id: e for e in report.enterprises}
    assert [(e.rows, e.complete_rows) for e in report.enterprises] == [(3, 2), (3, 2), (2, 2)]
    assert math.isclose(by_id["E1"].share_complete, 2 / 3) and by_id["E3"].share_complete == 1.0
    assert (report.rows, report.complete_rows) == (8, 6) and math.isclose(report.share_complete, 0.75)
    # per field: rows that need it, and of those rows that have it
    assert by_id["E1"].needed == {"position": 3, "temperatures": 1, "water_grade": 1, "baseline": 3}
    assert by_id["E1"].present == {"position": 3, "temperatures": 1, "water_grade": 0, "baseline": 3}
    # E2: the fly ash output needs a baseline; cement (a raw material) and electricity (a fuel
    # counted at entry, grid) do not need one to be counted — the rule-book's receiver side decides
    assert by_id["E2"].needed["baseline"] == 1 and by_id["E2"].present["baseline"] == 0
    table = report.enterprise_frame("en")
    assert list(table["complete (%)"]) == [66.7, 66.7, 100.0]
    assert list(table["water rows with a grade"]) == ["0/1", "not needed", "not needed"]
    assert "完整率（%）" in report.enterprise_frame("zh").columns


def test_assumptions_per_enterprise(park: Park) -> None:
    report = quality(park)
    codes = {(a.enterprise_id, a.code) for a in report.assumptions}
    # steam by mass -> heat at the saturated enthalpy; kW made annual with default_hours_per_year; the loader's
    # warning about a water row without a grade
    assert ("E1", "steam_enthalpy") in codes and ("E3", "hours_defaulted") in codes
    assert ("E1", "quality_missing") in codes
    assert all(a.enterprise_id for a in report.assumptions)  # every warning found its enterprise
    hours = next(a for a in report.assumptions if a.code == "hours_defaulted")
    assert "8000" in hours.text("en") and "小时" in hours.text("zh")
    by_id = {e.enterprise_id: e for e in report.enterprises}
    assert by_id["E1"].assumptions == 2 and by_id["E3"].assumptions == 1 and by_id["E2"].assumptions == 0


def test_missing_values_ranked_by_effect_then_size(park: Park) -> None:
    report = quality(park)
    assert [(m.stream_id, m.missing) for m in report.missing] == [("E1-4", "water_grade"), ("E2-7", "baseline")]
    water, ash = report.missing
    assert water.share == 1.0 and math.isclose(ash.share, 10_000 / 40_000)  # 1 of 3 + 1 万t/a of fly ash output
    assert "no avoided disposal" in ash.effect("en") and "不计避免的处置排放" in ash.effect("zh")
    # a heat row without temperatures and an enterprise without a position come first: they cannot be matched
    streams = park.streams.copy()
    streams.loc[streams["stream_id"] == "E1-3", "temperature_return_c"] = math.nan
    enterprises = park.enterprises.copy()
    enterprises.loc[enterprises["enterprise_id"] == "E3", ["x_km", "y_km"]] = math.nan
    worse = quality(replace(park, streams=streams, enterprises=enterprises))
    first = [(m.stream_id, m.missing, m.level) for m in worse.missing[:3]]
    assert {f[:2] for f in first} == {("E1-3", "temperatures"), ("E3-8", "position"), ("E3-9", "position")}
    assert all(level == 1 for *_, level in first)
    assert [m.level for m in worse.missing] == sorted(m.level for m in worse.missing)
    assert {e.enterprise_id: e.has_position for e in worse.enterprises}["E3"] is False
    record = worse.as_record("en")
    json.dumps(record, allow_nan=False)  # strict JSON


def test_validate_prints_and_reports_quality(tmp_path: Path) -> None:
    folder = write_park(tmp_path / "p", streams=STREAMS, park_toml='name = "Q"\ndefault_hours_per_year = 8000\n')
    run = [sys.executable, "-m", "symbiosis", "validate", str(folder)]
    text = subprocess.run(run, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert text.returncode == 0, text.stderr
    assert "Data quality:" in text.stdout and "6 of 8 stream rows complete (75 %)" in text.stdout
    out = subprocess.run([*run, "--format", "json"], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         check=False)
    data = json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    q = data["quality"]
    assert q["rows"] == 8 and q["complete_rows"] == 6 and q["share_complete"] == 0.75
    assert [m["stream_id"] for m in q["missing"]] == ["E1-4", "E2-7"]
