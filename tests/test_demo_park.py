"""The bundled demo park: it loads cleanly, has the size and variety it promises, and keeps its encodings."""

from __future__ import annotations

import codecs
import csv
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import symbiosis
import symbiosis.core.datasets
from symbiosis.core.park import Park

ROOT = Path(__file__).resolve().parent.parent
DEMO = symbiosis.core.datasets.demo_park_path()
CANONICAL_UNITS = {"t/a", "m3/a", "GJ/a"}


@pytest.fixture(scope="module")
def park() -> Park:
    return symbiosis.load_park(DEMO)


def symbiosis_command() -> list[str]:
    """The venv's `symbiosis` script beside the running interpreter, else `python -m symbiosis`."""
    script = Path(sys.executable).with_name("symbiosis")
    return [str(script)] if script.exists() else [sys.executable, "-m", "symbiosis"]


def test_demo_park_loads_without_errors_or_warnings(park: Park) -> None:
    assert park.config.region == "east" and park.config.year == 2023
    assert park.config.name_zh and "示例" in park.config.name_zh
    assert park.config.default_hours_per_year == 8000
    assert park.config.reach_km == {"truck": 50.0, "pipe_water": 10.0, "pipe_heat": 5.0, "pipe_steam": 3.0,
                                    "pipe_gas": 10.0}
    assert [w.code for w in park.warnings] == []


def test_counts(park: Park) -> None:
    streams = park.streams
    assert 40 <= len(park.enterprises) <= 50
    assert 300 <= len(streams) <= 450
    heat = streams[streams["category"] == "heat"]
    assert 25 <= len(heat) <= 40
    assert heat["temperature_c"].notna().all() and heat["temperature_return_c"].notna().all()
    assert len(park.exchanges) >= 5
    hazardous = streams[streams["hazardous_code"] != ""]
    assert len(hazardous) >= 4
    assert hazardous["hazardous_code"].str.match(r"^HW\d{2}$").all()
    outputs = hazardous[hazardous["direction"] == "output"]
    assert {"HW08", "HW34", "HW50", "HW35", "HW06"} <= set(outputs["hazardous_code"])


def test_every_enterprise_has_inputs_and_outputs(park: Park) -> None:
    s = park.streams
    ids = set(park.enterprises["enterprise_id"])
    assert set(s.loc[s["direction"] == "input", "enterprise_id"]) == ids
    assert set(s.loc[s["direction"] == "output", "enterprise_id"]) == ids
    assert set(s["enterprise_id"]) == ids


def test_canonical_units_and_quantities(park: Park) -> None:
    s = park.streams
    assert set(s["unit"]) <= CANONICAL_UNITS
    assert set(park.exchanges["unit"]) <= CANONICAL_UNITS
    assert (s["quantity"] > 0).all()
    dims = {"mass": "t/a", "volume": "m3/a", "energy": "GJ/a"}
    assert (s["unit"] == s["dimension"].map(dims)).all()


def test_ledger_variety(park: Park) -> None:
    """Values are written as in real ledgers: mixed languages and units, which the loader normalises."""
    s = park.streams
    raw = pd.read_csv(DEMO / "streams.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert {"output", "产出", "input", "投入"} <= set(raw["direction"])
    assert len(raw) == len(s)
    assert (raw["material"].to_numpy() != s["material"].to_numpy()).sum() >= 100  # names and aliases, not keys
    assert raw["material"].str.contains(r"[\u4e00-\u9fff]").sum() >= 100
    units = set(raw["unit"])
    assert {"t/a", "万t/a", "吨/年", "kg/h", "m³/h", "万m³/a", "GJ/a", "MJ/h", "MWh/a", "万kWh/a", "kW", "MW",
            "tce/a", "Nm³/a", "万Nm³/a", "t/h"} <= units
    with_uncertainty = s["uncertainty"].notna()
    assert 0.25 <= with_uncertainty.mean() <= 0.45
    assert s.loc[with_uncertainty, "uncertainty"].between(0.05, 0.3).all()
    assert s["price_cny_per_unit"].notna().sum() >= 100
    assert (s["material"] == "pv_electricity").sum() >= 3
    water = s[s["category"] == "water"]
    assert (water["quality"] != "").all()


def test_exchanges_do_not_exceed_supplier_output(park: Park) -> None:
    s = park.streams
    for x in park.exchanges.itertuples(index=False):
        supply = s[(s["enterprise_id"] == x.supplier_id) & (s["direction"] == "output")
                   & (s["material"] == x.material)]["quantity"].sum()
        assert 0 < x.quantity <= supply, (x.supplier_id, x.receiver_id, x.material)


def test_enterprises_csv_is_gb18030() -> None:
    data = (DEMO / "enterprises.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gb18030")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:5] == ["企业编号", "企业名称", "行业", "X坐标(km)", "Y坐标(km)"]


def test_streams_csv_is_utf8_with_bom() -> None:
    data = (DEMO / "streams.csv").read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("enterprise_id,direction,material,quantity,unit")


def test_exchanges_csv_is_plain_utf8() -> None:
    data = (DEMO / "exchanges.csv").read_bytes()
    assert not data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8")
    assert text.splitlines()[0].startswith("供方企业编号,需方企业编号,物料,数量,单位")


def test_cli_validate_demo_park_exits_zero() -> None:
    result = subprocess.run([*symbiosis_command(), "validate", "datasets/demo_park"], capture_output=True,
                            text=True, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
