"""`symbiosis match` as a user runs it: a real process, JSON schema, output files, languages, overrides."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from park_builders import csv_text
from test_matching_support import ENT_HEADER, STREAM_HEADER, any_size, s

from symbiosis.core.plan import Plan

ROOT = Path(__file__).resolve().parent.parent

ENTERPRISES = [["P", "热电厂", 0, 0], ["C", "水泥厂", 3, 4], ["S", "钢厂", 0, 3], ["G", "温室", 0, 1]]
STREAMS = [s("P1", "P", "output", "fly_ash", 10_000, "t/a", baseline="landfill"),
           s("C1", "C", "input", "clinker", 20_000, "t/a", baseline="virgin"),
           s("S1", "S", "output", "waste_steam", 10_000, "GJ/a", 200, 100, baseline="vent"),
           s("G1", "G", "input", "greenhouse_heat", 4_000, "GJ/a", 45, 30, baseline="coal_boiler")]


def write(folder: Path, park_toml: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "enterprises.csv").write_text(csv_text(ENT_HEADER, ENTERPRISES), encoding="utf-8")
    (folder / "streams.csv").write_text(csv_text(STREAM_HEADER, STREAMS), encoding="utf-8")
    (folder / "park.toml").write_text(any_size(park_toml), encoding="utf-8")  # a tiny park: links of any size
    return folder


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The match command in a real process; without a clock unless a test sets one (`--time-limit inf`)."""
    clock = () if "--time-limit" in args else ("--time-limit", "inf")
    return subprocess.run([sys.executable, "-m", "symbiosis", "match", *args, *clock], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, check=False)


@pytest.fixture(scope="module")
def park_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("cli") / "park")


def test_json_has_the_documented_schema(park_dir: Path) -> None:
    result = run(str(park_dir), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("status", "objective_tco2e", "bound_tco2e", "gap", "build_seconds", "solve_seconds",
                "heat_recovered_gj", "links", "unmatched"):
        assert key in data
    assert data["status"] == "optimal" and len(data["links"]) == 2
    for link in data["links"]:
        for key in ("supplier_id", "receiver_id", "material_out", "material_in", "quantity", "unit", "distance_km",
                    "temperature_supply_c", "temperature_sink_c", "avoided_scope1_tco2e", "avoided_scope2_tco2e",
                    "avoided_scope3_tco2e", "added_tco2e", "net_tco2e", "rank"):
            assert key in link
    plan = Plan.from_json_dict(data)  # the output reads back into a Plan
    assert plan.status == "optimal" and len(plan.links) == 2


def test_out_writes_plan_links_and_unmatched(park_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "result"
    result = run(str(park_dir), "--out", str(out), "--lang", "zh")
    assert result.returncode == 0, result.stderr
    assert "状态：最优" in result.stdout and "供方" in result.stdout
    assert (out / "links.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (out / "unmatched.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    links = pd.read_csv(out / "links.csv", encoding="utf-8-sig")
    assert list(links["rank"]) == [1, 2]
    unmatched = pd.read_csv(out / "unmatched.csv", encoding="utf-8-sig")
    assert "share_cap" in set(unmatched["reason"])
    plan = Plan.from_json_dict(json.loads((out / "plan.json").read_text(encoding="utf-8")))
    assert plan.status == "optimal"


@pytest.mark.slow  # four processes
def test_command_line_overrides_park_toml(tmp_path: Path) -> None:
    toml = 'name = "t"\ndt_min_k = 10\n[reach_km]\ntruck = 4\n[options]\nmin_link_quantity = { solid = 100 }\n'
    folder = write(tmp_path / "p", toml)
    # park.toml: trucks reach only 4 km, and the cement works is 5 km away
    data = json.loads(run(str(folder), "--format", "json").stdout)
    assert [x["material_out"] for x in data["links"]] == ["waste_steam"]
    data = json.loads(run(str(folder), "--format", "json", "--reach", "truck=6").stdout)
    assert sorted(x["material_out"] for x in data["links"]) == ["fly_ash", "waste_steam"]
    # a larger dTmin leaves the 45 °C greenhouse still reachable from 200 °C steam, an objective override works
    data = json.loads(run(str(folder), "--format", "json", "--dt-min", "30", "--objective", "cost",
                          "--carbon-price", "500", "--economics", "pipe_capex_steam=0").stdout)
    assert data["objective_sense"] == "cost" and data["options"]["dt_min_k"] == 30.0
    # a factor override is used and recorded
    data = json.loads(run(str(folder), "--format", "json", "--factor", "heat_pipe_loss_steam=0.1").stdout)
    heat = next(x for x in data["links"] if x["material_out"] == "waste_steam")
    assert heat["quantity_in"] == pytest.approx(heat["quantity"] * (1 - 0.1 * heat["distance_km"]))
    assert heat["distance_km"] == pytest.approx(2.0)


def test_infeasible_forced_links_exit_with_the_reason(park_dir: Path) -> None:
    result = run(str(park_dir), "--force", "P->G")
    assert result.returncode == 1
    assert "infeasible" in result.stdout and "matches no candidate" in result.stdout


def test_gap_and_time_limit_are_passed_to_the_solver(park_dir: Path) -> None:
    # a limit no machine reaches on this park: the test checks that it is passed on, not what it does
    data = json.loads(run(str(park_dir), "--format", "json", "--gap", "0.01", "--time-limit", "500",
                          "--solver", "cbc").stdout)
    assert data["options"]["gap"] == 0.01 and data["options"]["time_limit"] == 500.0 and data["solver"] == "cbc"
    assert json.loads(run(str(park_dir), "--format", "json").stdout)["options"]["time_limit"] is None  # inf


def test_bad_arguments_are_reported_without_a_traceback(park_dir: Path) -> None:
    result = run(str(park_dir), "--reach", "rocket=5")
    assert result.returncode == 1 and "Traceback" not in result.stderr and "rocket" in result.stderr
    result = run(str(park_dir), "--force", "nonsense")
    assert result.returncode == 1 and "Traceback" not in result.stderr
